import type { IncomingMessage } from 'node:http';

/** The events a client may send on /live; anything else is answered with an error ack. */
export const CLIENT_EVENTS: ReadonlySet<string> = new Set(['subscribe', 'unsubscribe']);

/**
 * A per-socket token bucket: `burst` events at once, refilled at `perSecond`. A client that
 * floods gets `{ ok: false, error: 'rate-limited' }` answers instead of work, and is cut off
 * after `disconnectAfter` refusals in a row.
 */
export class EventBudget {
  private tokens: number;
  private at: number;
  private refusedInRow = 0;

  constructor(
    private readonly perSecond = 20,
    private readonly burst = 40,
    private readonly disconnectAfter = 200,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** 'ok' to serve, 'refuse' to answer with an error, 'disconnect' when the client will not stop. */
  take(now = Date.now()): 'ok' | 'refuse' | 'disconnect' {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.refusedInRow = 0;
      return 'ok';
    }
    this.refusedInRow += 1;
    return this.refusedInRow >= this.disconnectAfter ? 'disconnect' : 'refuse';
  }
}

/**
 * The handshake's Origin check: browsers always send Origin, so a page on a foreign site cannot
 * open a socket with a token it got hold of. Allowed: no Origin (non-browser clients, which must
 * still present a token), the server's own origin, or one of CORS_ORIGINS.
 */
export function originAllowed(req: Pick<IncomingMessage, 'headers'>, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  const host = req.headers['x-forwarded-host'] ?? req.headers.host;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

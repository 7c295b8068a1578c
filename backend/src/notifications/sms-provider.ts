/** A message the provider reports as sent from this account. */
export interface SentSms {
  id: string;
  to: string;
  message: string;
  created: Date;
  status?: string;
}

/** Sending one SMS through a provider. Another provider implements the same interface. */
export interface SmsProvider {
  send(msg: { to: string; message: string; whenDelivered?: string }): Promise<{ id: string; status: string }>;
  /**
   * The account's outgoing messages to `to` created at or after `since`, newest first: how a
   * send cut off mid-way (worker killed, timeout) is found to have gone or not.
   */
  sentSince(q: { to: string; since: Date }): Promise<SentSms[]>;
}

/** A refusal that retrying will not change (4xx: bad number, bad credentials). */
export class PermanentSmsError extends Error {}

/** 46elks writes instants in UTC without an offset ("2017-03-14T09:52:07.302000"). */
function elksTime(d: Date): string {
  return d.toISOString().replace('Z', '');
}
function parseElksTime(s: string): Date {
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
}

/**
 * 46elks' documented interface: `POST {base}/a1/sms`, form fields `from`, `to`, `message`,
 * optional `whendelivered`; HTTP basic auth; JSON reply with `id` and `status`. The history is
 * `GET {base}/a1/sms` (newest first; `start` = before, `end` = after, `limit` ≤ 100, `to`; a
 * `next` timestamp while more pages remain).
 */
export class FortySixElksProvider implements SmsProvider {
  constructor(
    private readonly opts: {
      baseUrl: string;
      user?: string;
      password?: string;
      from: string;
      timeoutMs: number;
    },
  ) {}

  private get base(): string {
    return this.opts.baseUrl.replace(/\/$/, '');
  }

  private get auth(): string {
    return `Basic ${Buffer.from(`${this.opts.user ?? ''}:${this.opts.password ?? ''}`).toString('base64')}`;
  }

  async send(msg: { to: string; message: string; whenDelivered?: string }) {
    const body = new URLSearchParams({ from: this.opts.from, to: msg.to, message: msg.message });
    if (msg.whenDelivered) body.set('whendelivered', msg.whenDelivered);
    const res = await fetch(`${this.base}/a1/sms`, {
      method: 'POST',
      headers: { authorization: this.auth, 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(this.opts.timeoutMs),
    });
    const text = await res.text();
    if (res.status >= 400 && res.status < 500 && res.status !== 429) {
      throw new PermanentSmsError(`provider refused (${res.status}): ${text.slice(0, 200)}`);
    }
    if (!res.ok) throw new Error(`provider failed (${res.status})`); // 5xx, 429: retried with backoff
    const json = JSON.parse(text) as { id?: string; status?: string };
    if (!json.id) throw new Error('provider answered without an id');
    return { id: json.id, status: json.status ?? 'created' };
  }

  async sentSince(q: { to: string; since: Date }): Promise<SentSms[]> {
    const found: SentSms[] = [];
    let before: string | undefined;
    for (let page = 0; page < 20; page++) {
      const params = new URLSearchParams({ to: q.to, end: elksTime(q.since), limit: '100' });
      if (before) params.set('start', before);
      const res = await fetch(`${this.base}/a1/sms?${params.toString()}`, {
        headers: { authorization: this.auth },
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      if (!res.ok) throw new Error(`provider history failed (${res.status})`);
      const json = (await res.json()) as {
        data?: Array<{
          id: string;
          to: string;
          message: string;
          created: string;
          status?: string;
          direction?: string;
        }>;
        next?: string;
      };
      for (const m of json.data ?? []) {
        if (m.direction && m.direction !== 'outgoing') continue;
        const created = parseElksTime(m.created);
        if (created < q.since) return found;
        if (m.to === q.to) found.push({ id: m.id, to: m.to, message: m.message, created, status: m.status });
      }
      if (!json.next) return found;
      before = json.next;
    }
    throw new Error('provider history: too many pages');
  }
}

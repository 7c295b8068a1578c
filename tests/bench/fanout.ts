import { io, Socket } from 'socket.io-client';
import { nowMs, Percentiles, sleep, summarize } from './stats';

/** What the bench needs of a `timebook.changed` event. */
interface LiveEvent {
  version: number;
  /** commit time (ours: the outbox row's created_at) or send time (baseline), ISO 8601 */
  at: string;
}

interface SubscribeAck {
  ok: boolean;
  version?: number;
  error?: string;
}

/** One subscribed client: what it was told at subscribe time and every version it received after. */
interface Tracker {
  socket: Socket;
  ackVersion: number;
  versions: number[];
  maxVersion: number;
  disconnectReason?: string;
}

export interface FanoutOptions {
  /** base URL of the socket.io server (or servers: client i connects to urls[i % n]); namespace `/live` */
  url: string | string[];
  token?: string;
  unitId: string;
  clients: number;
  ratePerSec: number;
  seconds: number;
  /** makes change number i (a booking, or a broadcast); resolves true when it was accepted */
  trigger: (i: number) => Promise<boolean>;
  /** the topic's version once every trigger has returned: every client must reach it */
  finalVersion: () => Promise<number>;
  /** called right before the first change and right after the last delivery (diagnostics) */
  beforeChanges?: () => Promise<void>;
  afterChanges?: () => Promise<void>;
}

export interface FanoutResult {
  clients: number;
  subscribed: number;
  /** clients that could not connect or subscribe, and the first reason */
  connectFailures: number;
  connectFailureSample?: string;
  connectSeconds: number;
  triggers: number;
  triggerFailures: number;
  expectedDeliveries: number;
  deliveries: number;
  latencyMs: Percentiles;
  /** versions a client never got / got twice / got after a later one / that were never made */
  missing: number;
  duplicates: number;
  outOfOrder: number;
  unexpected: number;
  /** events at or below the ack's version (allowed by the protocol: the client drops them) */
  stale: number;
  clientsIncomplete: number;
  disconnects: number;
  /** the first event a client received, so that the baseline can send the same payload */
  sampleEvent?: Record<string, unknown>;
  sampleBytes: number;
  /** HTTP latency of the changes themselves (ours: POST /api/bookings under fan-out load) */
  changeLatencyMs: Percentiles;
}

const CONNECT_WAVE = 50;
const DRAIN_TIMEOUT_MS = 15_000;

/**
 * Connects and subscribes `clients` sockets in waves (so the handshake burst does not itself
 * become the measurement), makes `ratePerSec` changes a second for `seconds` on an open-loop
 * schedule (a slow answer never delays the next change), waits until every client has the final
 * version, and checks per client that versions ack+1 … final arrived exactly once and in order.
 */
export async function runFanout(opts: FanoutOptions): Promise<FanoutResult> {
  const trackers: Tracker[] = [];
  const latencies: number[] = [];
  let sampleEvent: Record<string, unknown> | undefined;
  let closing = false;

  const urls = Array.isArray(opts.url) ? opts.url : [opts.url];
  const connectOne = async (index: number): Promise<Tracker> => {
    const socket = io(`${urls[index % urls.length]}/live`, {
      auth: opts.token ? { token: opts.token } : {},
      transports: ['websocket'],
      forceNew: true, // one connection per client, as a thousand browsers would have
      reconnection: false, // a drop is a finding, not something to paper over
      timeout: 20_000,
    });
    const tracker: Tracker = { socket, ackVersion: -1, versions: [], maxVersion: -1 };
    socket.on('timebook.changed', (ev: LiveEvent) => {
      const received = nowMs();
      tracker.versions.push(ev.version);
      if (ev.version > tracker.maxVersion) tracker.maxVersion = ev.version;
      latencies.push(received - Date.parse(ev.at));
      sampleEvent ??= ev as unknown as Record<string, unknown>;
    });
    socket.on('disconnect', (reason) => {
      if (!closing) tracker.disconnectReason = reason;
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (err) => reject(new Error(`connect_error: ${err.message}`)));
      });
      const ack = (await socket
        .timeout(20_000)
        .emitWithAck('subscribe', { topic: 'timebook', unitId: opts.unitId })) as SubscribeAck;
      if (!ack.ok || typeof ack.version !== 'number')
        throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
      tracker.ackVersion = ack.version;
      return tracker;
    } catch (err) {
      socket.disconnect();
      throw err;
    }
  };

  let connectFailures = 0;
  let connectFailureSample: string | undefined;
  const connectStarted = nowMs();
  try {
    for (let i = 0; i < opts.clients; i += CONNECT_WAVE) {
      const wave = Array.from({ length: Math.min(CONNECT_WAVE, opts.clients - i) }, (_, k) =>
        connectOne(i + k),
      );
      for (const r of await Promise.allSettled(wave)) {
        if (r.status === 'fulfilled') trackers.push(r.value);
        else {
          connectFailures++;
          connectFailureSample ??= (r.reason as Error).message;
        }
      }
    }
    const connectSeconds = (nowMs() - connectStarted) / 1000;
    await sleep(500); // let the subscribe burst settle before measuring
    await opts.beforeChanges?.();

    // Open loop: change i is due at start + i/rate, whatever happened to the ones before.
    const total = Math.round(opts.ratePerSec * opts.seconds);
    const interval = 1000 / opts.ratePerSec;
    const started = performance.now();
    const results: Array<Promise<boolean>> = [];
    const changeLatencies: number[] = [];
    const timed = async (i: number) => {
      const t0 = nowMs();
      try {
        return await opts.trigger(i);
      } catch {
        return false;
      } finally {
        changeLatencies.push(nowMs() - t0);
      }
    };
    for (let i = 0; i < total; i++) {
      const wait = started + i * interval - performance.now();
      if (wait > 0) await sleep(wait);
      results.push(timed(i));
    }
    const accepted = await Promise.all(results);
    const triggerFailures = accepted.filter((ok) => !ok).length;

    const final = await opts.finalVersion();
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (Date.now() < deadline && !trackers.every((t) => t.disconnectReason || t.maxVersion >= final))
      await sleep(50);
    await opts.afterChanges?.();

    return {
      ...check(trackers, final, latencies),
      clients: opts.clients,
      connectFailures,
      connectFailureSample,
      connectSeconds,
      triggers: total,
      triggerFailures,
      sampleEvent,
      sampleBytes: sampleEvent ? Buffer.byteLength(JSON.stringify(sampleEvent)) : 0,
      changeLatencyMs: summarize(changeLatencies),
    };
  } finally {
    closing = true;
    for (const t of trackers) t.socket.disconnect();
  }
}

function check(trackers: Tracker[], final: number, latencies: number[]) {
  let missing = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let unexpected = 0;
  let stale = 0;
  let clientsIncomplete = 0;
  let disconnects = 0;
  let expectedDeliveries = 0;
  for (const t of trackers) {
    if (t.disconnectReason) disconnects++;
    const fresh = t.versions.filter((v) => v > t.ackVersion);
    stale += t.versions.length - fresh.length;
    expectedDeliveries += final - t.ackVersion;
    const seen = new Set(fresh);
    duplicates += fresh.length - seen.size;
    for (let i = 1; i < fresh.length; i++) if (fresh[i]! < fresh[i - 1]!) outOfOrder++;
    for (let v = t.ackVersion + 1; v <= final; v++) if (!seen.has(v)) missing++;
    for (const v of seen) if (v > final) unexpected++;
    // The exact expectation: ack+1, ack+2, …, final, nothing else.
    const exact = fresh.length === final - t.ackVersion && fresh.every((v, i) => v === t.ackVersion + 1 + i);
    if (!exact) clientsIncomplete++;
  }
  return {
    subscribed: trackers.length,
    expectedDeliveries,
    deliveries: latencies.length,
    latencyMs: summarize(latencies),
    missing,
    duplicates,
    outOfOrder,
    unexpected,
    stale,
    clientsIncomplete,
    disconnects,
  };
}

import { JsonClient } from './http-client';
import { nowMs, Percentiles, shuffled, summarize } from './stats';

/** One booking attempt: a slot, and the (pre-registered) patient it is made for. */
export interface Attempt {
  slotId: string;
  personalIdentityNumber: string;
}

/**
 * Per-client queues for the rush. Slots are shuffled deterministically; the k-th attempt at
 * slot i goes to client (i + k·⌊N/3⌋) mod N, at about the same position in that client's
 * queue, so the attempts at one slot come from different clients at about the same moment: real
 * races for the slot, not three polite requests in a row.
 */
export function planRush(
  slotIds: readonly string[],
  patients: readonly string[],
  clients: number,
  attemptsPerSlot: number,
  seed = 42,
): Attempt[][] {
  if (clients < attemptsPerSlot) throw new Error('need at least as many clients as attempts per slot');
  if (patients.length < slotIds.length * attemptsPerSlot)
    throw new Error('one patient per attempt is needed');
  const queues: Attempt[][] = Array.from({ length: clients }, () => []);
  const spread = Math.floor(clients / attemptsPerSlot);
  shuffled(slotIds, seed).forEach((slotId, i) => {
    for (let k = 0; k < attemptsPerSlot; k++) {
      const patient = patients[i * attemptsPerSlot + k]!;
      queues[(i + k * spread) % clients]!.push({ slotId, personalIdentityNumber: patient });
    }
  });
  return queues;
}

export interface RushResult {
  attempts: number;
  seconds: number;
  attemptsPerSec: number;
  latencyMs: Percentiles;
  created: number;
  /** 409 with code SLOT_TAKEN */
  conflicts: number;
  /** anything else: other statuses, malformed 409s, network errors */
  other: number;
  otherSamples: string[];
}

/**
 * Runs every client's queue concurrently over one keep-alive connection each, and measures
 * each attempt from request start to the end of the response body.
 */
export async function runRush(opts: {
  baseUrl: string;
  token?: string;
  visitTypeId: string;
  plan: Attempt[][];
}): Promise<RushResult> {
  const client = new JsonClient(opts.baseUrl, opts.plan.length);
  const latencies: number[] = [];
  let created = 0;
  let conflicts = 0;
  let other = 0;
  const otherSamples: string[] = [];
  const noteOther = (what: string) => {
    other++;
    if (otherSamples.length < 5) otherSamples.push(what.slice(0, 200));
  };

  const runQueue = async (queue: Attempt[]) => {
    for (const a of queue) {
      const body = {
        slotId: a.slotId,
        visitTypeId: opts.visitTypeId,
        patient: { personalIdentityNumber: a.personalIdentityNumber },
      };
      const t0 = nowMs();
      try {
        const res = await client.post('/api/bookings', body, opts.token);
        latencies.push(nowMs() - t0);
        if (res.status === 201) created++;
        else if (res.status === 409 && isSlotTaken(res.body)) conflicts++;
        else noteOther(`${res.status} ${res.body}`);
      } catch (err) {
        latencies.push(nowMs() - t0);
        noteOther(`error: ${(err as Error).message}`);
      }
    }
  };

  const started = nowMs();
  try {
    await Promise.all(opts.plan.map(runQueue));
  } finally {
    client.close();
  }
  const seconds = (nowMs() - started) / 1000;
  const attempts = latencies.length;
  return {
    attempts,
    seconds,
    attemptsPerSec: attempts / seconds,
    latencyMs: summarize(latencies),
    created,
    conflicts,
    other,
    otherSamples,
  };
}

function isSlotTaken(body: string): boolean {
  try {
    return (JSON.parse(body) as { code?: unknown }).code === 'SLOT_TAKEN';
  } catch {
    return false;
  }
}

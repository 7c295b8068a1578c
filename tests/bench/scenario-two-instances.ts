import { BenchContext, load1, log } from './context';
import { BENCH_HSA_ID, bookSlot, resetBookings, topicVersion } from './data';
import { FanoutResult, runFanout } from './fanout';
import { devLogin, JsonClient } from './http-client';
import type { Child } from './proc';
import { startServer } from './servers';
import { round } from './stats';

export type InstancesMeasurement = FanoutResult & { load: number };

export interface InstancesRound {
  /** every client on instance A (A also takes the bookings and relays the outbox) */
  one: InstancesMeasurement;
  /** clients split evenly over A and B; B gets the events through the Redis adapter */
  two: InstancesMeasurement;
}

/**
 * Scale-out (issue 8): the live fan-out with clients on two API instances against the same with
 * every client on one, in alternating rounds, in the same run. Bookings always go to A, so a
 * client on B sees A's commit only through Redis: the row shows what the second hop costs and
 * what splitting the sockets saves.
 */
export async function benchTwoInstances(ctx: BenchContext): Promise<InstancesRound[]> {
  const a = await startServer({}, 'server-a');
  let b: Child | undefined;
  try {
    b = await startServer({ PROCESS_ROLE: 'api', OUTBOX_RELAY: 'false' }, 'server-b');
    const token = await devLogin(a.url, BENCH_HSA_ID);
    const rounds: InstancesRound[] = [];
    for (let r = 0; r < ctx.scale.rounds; r++) {
      const order: Array<'one' | 'two'> = r % 2 === 0 ? ['one', 'two'] : ['two', 'one'];
      const got: Partial<InstancesRound> = {};
      for (const side of order) {
        got[side] = await once(ctx, a, side === 'one' ? [a.url] : [a.url, b.url], token, `${side} #${r + 1}`);
      }
      rounds.push(got as InstancesRound);
    }
    return rounds;
  } finally {
    await b?.stop();
    await a.stop();
  }
}

async function once(
  ctx: BenchContext,
  a: Child,
  urls: string[],
  token: string,
  label: string,
): Promise<InstancesMeasurement> {
  const { scale, data, pool } = ctx;
  await resetBookings(pool, data.unitId);
  const http = new JsonClient(a.url, 32);
  const load = load1();
  try {
    const result = await runFanout({
      url: urls,
      token,
      unitId: data.unitId,
      clients: scale.fanoutClients,
      ratePerSec: scale.fanoutRatePerSec,
      seconds: scale.fanoutSeconds,
      trigger: bookSlot(http, data, token),
      finalVersion: () => topicVersion(pool, data.unitId),
    });
    log(
      `instances ${label} (${urls.length} instance${urls.length > 1 ? 's' : ''}): ${result.deliveries}/${result.expectedDeliveries} deliveries; ` +
        `p50 ${round(result.latencyMs.p50)} p95 ${round(result.latencyMs.p95)} p99 ${round(result.latencyMs.p99)} ms; ` +
        `missing ${result.missing}, dup ${result.duplicates}, order ${result.outOfOrder}; load ${load}`,
    );
    return { ...result, load };
  } finally {
    http.close();
  }
}

import type { Pool } from 'pg';
import { BenchContext, load1, log } from './context';
import { cpuMeter } from './cpu';
import { BENCH_HSA_ID, checkBookings, resetBookings, unpublishedOutbox } from './data';
import { devLogin } from './http-client';
import type { Child } from './proc';
import type { RushMeasurement } from './rows';
import { planRush, runRush } from './rush';
import { startBaselineHttp, startServer } from './servers';
import { round, sleep } from './stats';

export interface RushRound {
  ours: RushMeasurement;
  baseline: RushMeasurement;
}

/**
 * Booking rush, ours and the bare-`pg` baseline in alternating rounds. Each side runs with the
 * other stopped: our idle server's outbox relay would otherwise publish the baseline's outbox
 * rows during the baseline's run. A fresh process per round is warmed up before it is measured.
 */
export async function benchRush(ctx: BenchContext): Promise<RushRound[]> {
  const rounds: RushRound[] = [];
  for (let r = 0; r < ctx.scale.rounds; r++) {
    const order: Array<'ours' | 'baseline'> = r % 2 === 0 ? ['baseline', 'ours'] : ['ours', 'baseline'];
    const got: Partial<RushRound> = {};
    for (const side of order)
      got[side] = side === 'ours' ? await oursOnce(ctx, r) : await baselineOnce(ctx, r);
    rounds.push(got as RushRound);
  }
  return rounds;
}

async function baselineOnce(ctx: BenchContext, r: number): Promise<RushMeasurement> {
  const child = await startBaselineHttp();
  try {
    return await measure(ctx, `rush baseline #${r + 1}`, child, { relay: false });
  } finally {
    await child.stop();
  }
}

async function oursOnce(ctx: BenchContext, r: number): Promise<RushMeasurement> {
  const server = await startServer();
  try {
    const token = await devLogin(server.url, BENCH_HSA_ID);
    const m = await measure(ctx, `rush ours #${r + 1}`, server, { token, relay: true });
    // The relay publishes after commit: wait for it, so that its work does not spill into the next run.
    m.relayDrainSeconds = await waitForRelay(ctx.pool);
    return m;
  } finally {
    await server.stop();
  }
}

/**
 * Reset, warm-up (thrown away), reset, then the measured rush and the database's verdict on it.
 * `relay`: the target publishes its outbox rows (ours), so wait for that before resetting.
 */
async function measure(
  ctx: BenchContext,
  label: string,
  target: Child,
  opts: { token?: string; relay: boolean },
): Promise<RushMeasurement> {
  const { scale, data, pool } = ctx;
  const { rushClients: clients, attemptsPerSlot } = scale;
  const base = { baseUrl: target.url, token: opts.token, visitTypeId: data.visitTypeId };

  await resetBookings(pool, data.unitId);
  const warmSlots = data.slotIds.slice(0, Math.ceil(scale.warmupAttempts / attemptsPerSlot));
  await runRush({ ...base, plan: planRush(warmSlots, data.patients, clients, attemptsPerSlot, 7) });
  if (opts.relay) await waitForRelay(pool);
  await resetBookings(pool, data.unitId);
  await sleep(500);

  const load = load1();
  const plan = planRush(data.slotIds, data.patients, clients, attemptsPerSlot);
  const cpu = await cpuMeter(target.proc.pid!, pool);
  const result = await runRush({ ...base, plan });
  const cpuUse = await cpu();
  const check = await checkBookings(pool, data.unitId);
  log(
    `${label}: ${Math.round(result.attemptsPerSec)} attempts/s, p50 ${round(result.latencyMs.p50)} ms, ` +
      `p99 ${round(result.latencyMs.p99)} ms; 201×${result.created} 409×${result.conflicts} other×${result.other}; ` +
      `double-booked ${check.doubleBooked}, not booked ${check.notBooked}; ` +
      `CPU/attempt node ${(cpuUse.serverMs / result.attempts).toFixed(2)} ms, ` +
      `postgres ${(cpuUse.postgresMs / result.attempts).toFixed(2)} ms; load ${load}`,
  );
  return { result, check, load, cpu: cpuUse };
}

/** Waits until the relay has published every outbox row; returns how long that took. */
export async function waitForRelay(pool: Pool, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  while ((await unpublishedOutbox(pool)) > 0) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`the outbox relay did not drain within ${timeoutMs} ms`);
    await sleep(100);
  }
  return (Date.now() - started) / 1000;
}

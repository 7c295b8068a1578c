import { BenchContext, load1, log } from './context';
import { cpuMeter, CpuUse } from './cpu';
import { BatchState, batchStates, BENCH_STOCK_HSA_ID, createBatches, settleStock } from './data';
import { devLogin } from './http-client';
import { sampleWaits, WaitProfile } from './pg-waits';
import type { Child } from './proc';
import { waitForRelay } from './scenario-rush';
import { startBaselineStock, startServer } from './servers';
import { round, sleep } from './stats';
import { openStock, planStock, runStock, StockPlan, StockResult } from './stock';

export interface StockMeasurement {
  result: StockResult;
  /** the plan without its queues: what each batch opened with and what was aimed at it */
  plan: Omit<StockPlan, 'queues'>;
  /** the database just before and just after the measured run */
  before: BatchState[];
  after: BatchState[];
  /** 1-minute load average when the measured run started */
  load: number;
  cpu: CpuUse;
  /** what PostgreSQL's active backends waited on during the run */
  waits: WaitProfile;
  /** ours: seconds from the last answer until the relay had published every stock event */
  relayDrainSeconds?: number;
}

export interface StockRound {
  ours: StockMeasurement;
  baseline: StockMeasurement;
}

/**
 * Stock contention, ours and the bare-`pg` baseline in alternating rounds, each side with the
 * other stopped and a fresh process per round, warmed up before it is measured. The ledger is
 * append-only, so there is no reset: every run (warm-up or measured) gets fresh batches, and
 * the check compares the database before and after the measured run.
 */
export async function benchStock(ctx: BenchContext): Promise<StockRound[]> {
  const rounds: StockRound[] = [];
  for (let r = 0; r < ctx.scale.rounds; r++) {
    const order: Array<'ours' | 'baseline'> = r % 2 === 0 ? ['baseline', 'ours'] : ['ours', 'baseline'];
    const got: Partial<StockRound> = {};
    for (const side of order)
      got[side] = side === 'ours' ? await oursOnce(ctx, r) : await baselineOnce(ctx, r);
    rounds.push(got as StockRound);
  }
  return rounds;
}

async function baselineOnce(ctx: BenchContext, r: number): Promise<StockMeasurement> {
  const child = await startBaselineStock();
  try {
    return await measure(ctx, `stock baseline #${r + 1}`, child, { prefix: `B${r + 1}`, relay: false });
  } finally {
    await child.stop();
  }
}

async function oursOnce(ctx: BenchContext, r: number): Promise<StockMeasurement> {
  const server = await startServer();
  try {
    const token = await devLogin(server.url, BENCH_STOCK_HSA_ID);
    const m = await measure(ctx, `stock ours #${r + 1}`, server, { token, prefix: `O${r + 1}`, relay: true });
    // Every movement writes outbox events; wait for the relay so its work does not spill into the next run.
    m.relayDrainSeconds = await waitForRelay(ctx.pool);
    return m;
  } finally {
    await server.stop();
  }
}

/**
 * Warm-up on batches of its own (thrown away), then fresh batches with their opening receipts,
 * the measured run and the database's verdict on it. `relay`: the target publishes outbox rows.
 */
async function measure(
  ctx: BenchContext,
  label: string,
  target: Child,
  opts: { token?: string; prefix: string; relay: boolean },
): Promise<StockMeasurement> {
  const { scale, data, pool } = ctx;
  const base = { baseUrl: target.url, token: opts.token, unitId: data.unitId };
  const fresh = (what: string) =>
    createBatches(pool, data.productId, `BENCH-${opts.prefix}-${what}`, scale.stockBatches);

  const warm = planStock(await fresh('W'), scale.stockWarmup, scale.stockClients, 7);
  await openStock({ ...base, plan: warm });
  await runStock({ ...base, plan: warm });

  const plan = planStock(await fresh('M'), scale.stockMovements, scale.stockClients);
  await openStock({ ...base, plan });
  if (opts.relay) await waitForRelay(pool);
  await settleStock(pool);
  await sleep(500);

  const before = await batchStates(pool, data.unitId, plan.batchIds);
  const load = load1();
  const cpu = await cpuMeter(target.proc.pid!, pool);
  const stopWaits = sampleWaits(pool);
  const result = await runStock({ ...base, plan });
  const waits = await stopWaits();
  const cpuUse = await cpu();
  const after = await batchStates(pool, data.unitId, plan.batchIds);
  const short = after[plan.short];
  log(
    `${label}: ${Math.round(result.movementsPerSec)} movements/s, p50 ${round(result.latencyMs.p50)} ms, ` +
      `p99 ${round(result.latencyMs.p99)} ms; 201×${result.created} 422×${result.belowZero} other×${result.other}; ` +
      `short batch ${plan.opening[plan.short]} → ${short?.doses}; ` +
      `CPU/movement node ${(cpuUse.serverMs / result.attempts).toFixed(2)} ms, ` +
      `postgres ${(cpuUse.postgresMs / result.attempts).toFixed(2)} ms; ` +
      `${waits.activeMean.toFixed(1)} active backends; load ${load}`,
  );
  const { batchIds, opening, wastageAttempts, receiptAttempts } = plan;
  const summary = { batchIds, opening, wastageAttempts, receiptAttempts, short: plan.short };
  return { result, plan: summary, before, after, load, cpu: cpuUse, waits };
}

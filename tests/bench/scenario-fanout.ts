import { BenchContext, load1, log } from './context';
import { cpuMeter, CpuUse } from './cpu';
import {
  bookSlot,
  BENCH_HSA_ID,
  relayBatches,
  RelayBatches,
  resetBookings,
  topicVersion,
  unpublishedOutbox,
} from './data';
import { FanoutResult, runFanout } from './fanout';
import { devLogin, JsonClient } from './http-client';
import type { Child } from './proc';
import { startBaselineIo, startServer } from './servers';
import { histogramQuantile, Metrics, scrape } from './server-metrics';
import { round, sleep } from './stats';

/** Where the time and CPU went during the changes of one round (see server-metrics.ts). */
export interface FanoutDiagnostics {
  load: number;
  cpu?: CpuUse;
  /** ours only: commit → emit inside the server, as histogram bucket bounds */
  emitLagP50Ms?: number | null;
  emitLagP95Ms?: number | null;
  /** ours only: the server's event-loop delay during the round */
  eventLoopLagP99Ms?: number | null;
  eventLoopLagMaxMs?: number | null;
  /** ours only: how the outbox relay batched the round's events */
  relay?: RelayBatches;
}

export type FanoutMeasurement = FanoutResult & FanoutDiagnostics;

export interface FanoutRound {
  ours: FanoutMeasurement;
  baseline: FanoutMeasurement;
}

/**
 * Live fan-out, ours and the bare socket.io baseline in alternating rounds. Both servers stay
 * up (an idle one costs next to nothing); only one is driven at a time. Round 1 runs ours first
 * because the baseline broadcasts a copy of a real event, captured from ours.
 */
export async function benchFanout(ctx: BenchContext): Promise<FanoutRound[]> {
  const server = await startServer();
  let baseline: Child | undefined;
  try {
    const token = await devLogin(server.url, BENCH_HSA_ID);
    const rounds: FanoutRound[] = [];
    for (let r = 0; r < ctx.scale.rounds; r++) {
      const order: Array<'ours' | 'baseline'> = r % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours'];
      const got: Partial<FanoutRound> = {};
      for (const side of order) {
        if (side === 'ours') got.ours = await oursOnce(ctx, server, token, r);
        else {
          baseline ??= await startBaselineIo(sampleOf(rounds[0]?.ours ?? got.ours));
          got.baseline = await baselineOnce(ctx, baseline, r);
        }
      }
      rounds.push(got as FanoutRound);
    }
    return rounds;
  } finally {
    await baseline?.stop();
    await server.stop();
  }
}

/** Bookings through the API at the configured rate; every one must be a 201. */
async function oursOnce(
  ctx: BenchContext,
  server: Child,
  token: string,
  r: number,
): Promise<FanoutMeasurement> {
  const { scale, data, pool } = ctx;
  await resetBookings(pool, data.unitId);
  const http = new JsonClient(server.url, 32);
  const diag: FanoutDiagnostics = { load: load1() };
  let before: Metrics = new Map();
  let cpu: (() => Promise<CpuUse>) | undefined;
  try {
    const result = await runFanout({
      url: server.url,
      token,
      unitId: data.unitId,
      clients: scale.fanoutClients,
      ratePerSec: scale.fanoutRatePerSec,
      seconds: scale.fanoutSeconds,
      trigger: bookSlot(http, data, token),
      finalVersion: () => topicVersion(pool, data.unitId),
      beforeChanges: async () => {
        before = await scrape(server.url); // also resets the event-loop lag monitor
        cpu = await cpuMeter(server.proc.pid!, pool);
      },
      afterChanges: async () => {
        diag.cpu = await cpu?.();
        const after = await scrape(server.url);
        const lag = 'vaxops_realtime_commit_to_emit_seconds';
        const ms = (s: number | null | undefined) => (s == null ? null : s * 1000);
        diag.emitLagP50Ms = ms(histogramQuantile(before, after, lag, 0.5));
        diag.emitLagP95Ms = ms(histogramQuantile(before, after, lag, 0.95));
        diag.eventLoopLagP99Ms = ms(after.get('vaxops_nodejs_eventloop_lag_p99_seconds'));
        diag.eventLoopLagMaxMs = ms(after.get('vaxops_nodejs_eventloop_lag_max_seconds'));
        // Rows are marked published in the drain's transaction, just after their emits: wait for it.
        for (let i = 0; i < 50 && (await unpublishedOutbox(pool)) > 0; i++) await sleep(100);
        diag.relay = await relayBatches(pool, data.unitId);
      },
    });
    logFanout(`fan-out ours #${r + 1}`, result, diag);
    return { ...result, ...diag };
  } finally {
    http.close();
  }
}

/** Broadcasts of the same payload at the same rate, triggered over HTTP like the bookings. */
async function baselineOnce(ctx: BenchContext, baseline: Child, r: number): Promise<FanoutMeasurement> {
  const { scale, pool } = ctx;
  const http = new JsonClient(baseline.url, 32);
  let lastVersion = 0;
  const diag: FanoutDiagnostics = { load: load1() };
  let cpu: (() => Promise<CpuUse>) | undefined;
  try {
    const result = await runFanout({
      url: baseline.url,
      unitId: 'bench',
      clients: scale.fanoutClients,
      ratePerSec: scale.fanoutRatePerSec,
      seconds: scale.fanoutSeconds,
      trigger: async () => {
        const res = await http.post('/broadcast', {});
        if (res.status !== 201) return false;
        lastVersion = Math.max(lastVersion, (JSON.parse(res.body) as { version: number }).version);
        return true;
      },
      finalVersion: async () => lastVersion,
      beforeChanges: async () => {
        cpu = await cpuMeter(baseline.proc.pid!, pool);
      },
      afterChanges: async () => {
        diag.cpu = await cpu?.();
      },
    });
    logFanout(`fan-out baseline #${r + 1}`, result, diag);
    return { ...result, ...diag };
  } finally {
    http.close();
  }
}

/** A real `timebook.changed` from ours (or a look-alike if none arrived), minus what the baseline sets. */
function sampleOf(ours?: FanoutResult): Record<string, unknown> {
  const sample = ours?.sampleEvent ?? {
    topic: 'timebook',
    unitId: 'bench',
    cause: 'booking.created',
    changes: [{ slotId: 'x'.repeat(36), date: '2026-01-01', start: '2026-01-01T08:00:00.000Z', column: 1 }],
  };
  return { ...sample, version: 0, at: '' };
}

function logFanout(label: string, r: FanoutResult, d: FanoutDiagnostics): void {
  const server =
    d.emitLagP95Ms !== undefined
      ? `; commit→emit p50 ≤${d.emitLagP50Ms} p95 ≤${d.emitLagP95Ms} ms, event-loop lag p99 ${round(d.eventLoopLagP99Ms ?? NaN)} ms` +
        `, relay ${d.relay?.drains} drains for ${d.relay?.rows} events (max ${d.relay?.maxRowsPerDrain} in one)`
      : '';
  log(
    `${label}: ${r.subscribed}/${r.clients} subscribed in ${r.connectSeconds.toFixed(1)} s; ` +
      `${r.deliveries}/${r.expectedDeliveries} deliveries; p50 ${round(r.latencyMs.p50)} p95 ${round(r.latencyMs.p95)} ` +
      `p99 ${round(r.latencyMs.p99)} max ${round(r.latencyMs.max)} ms; payload ${r.sampleBytes} B; ` +
      `missing ${r.missing}, dup ${r.duplicates}, order ${r.outOfOrder}, disconnects ${r.disconnects}${server}; ` +
      `CPU node ${round(d.cpu?.serverMs ?? NaN, 0)} ms, postgres ${round(d.cpu?.postgresMs ?? NaN, 0)} ms; load ${d.load}`,
  );
}

/**
 * `npm run bench`: the benchmark table (see /work/shared/benchmarks.md). Each scenario runs its
 * own baseline side by side in the same run and checks correctness in the same run.
 *
 * Only one heavy thing runs at a time (these machines have 2 cores): the rush baseline runs
 * while our server is stopped, our server then runs the rush and the fan-out, and the fan-out
 * baseline runs after our server has stopped. Every child process is killed on exit or error.
 *
 * Flags: --quick | --scale=full (default) · --only=rush,fanout · --clients=N (fan-out clients)
 */
import type { Pool } from 'pg';
import {
  BENCH_HSA_ID,
  BenchData,
  benchPool,
  checkBookings,
  clearRedis,
  recreateDatabase,
  resetBookings,
  seed,
  topicVersion,
  unpublishedOutbox,
} from './data';
import { runFanout, FanoutResult } from './fanout';
import { devLogin, JsonClient } from './http-client';
import { ensureBuilt, killAllChildren } from './proc';
import { fanoutRow, rushRow, RushMeasurement } from './rows';
import { planRush, runRush } from './rush';
import { parseArgs, Scale } from './scale';
import { startBaselineHttp, startBaselineIo, startServer } from './servers';
import { round, sleep } from './stats';
import { formatTable, Row, writeResults } from './table';

const t0 = Date.now();
function log(msg: string): void {
  process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);
}

/** Warm-up (thrown away), reset, then the measured rush and the database's verdict on it. */
async function measureRush(
  label: string,
  baseUrl: string,
  token: string | undefined,
  data: BenchData,
  scale: Scale,
  pool: Pool,
): Promise<RushMeasurement> {
  const { rushClients: clients, attemptsPerSlot } = scale;
  const warmSlots = data.slotIds.slice(0, Math.ceil(scale.warmupAttempts / attemptsPerSlot));
  log(`${label}: warm-up, ${warmSlots.length * attemptsPerSlot} attempts`);
  await runRush({ baseUrl, token, visitTypeId: data.visitTypeId, plan: planRush(warmSlots, data.patients, clients, 3, 7) });
  await resetBookings(pool, data.unitId);
  await sleep(1000);

  const plan = planRush(data.slotIds, data.patients, clients, attemptsPerSlot);
  log(`${label}: rush, ${data.slotIds.length * attemptsPerSlot} attempts from ${clients} clients`);
  const result = await runRush({ baseUrl, token, visitTypeId: data.visitTypeId, plan });
  const check = await checkBookings(pool, data.unitId);
  log(
    `${label}: ${Math.round(result.attemptsPerSec)} attempts/s, p50 ${round(result.latencyMs.p50)} ms, ` +
      `p99 ${round(result.latencyMs.p99)} ms; 201×${result.created} 409×${result.conflicts} other×${result.other}; ` +
      `double-booked ${check.doubleBooked}, not booked ${check.notBooked}`,
  );
  return { result, check };
}

/** Waits until the relay has published every outbox row, so its work does not spill into the next phase. */
async function waitForRelay(pool: Pool, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  while ((await unpublishedOutbox(pool)) > 0) {
    if (Date.now() - started > timeoutMs) throw new Error(`the outbox relay did not drain within ${timeoutMs} ms`);
    await sleep(100);
  }
  return (Date.now() - started) / 1000;
}

const FALLBACK_SAMPLE = {
  topic: 'timebook',
  unitId: 'bench',
  cause: 'booking.created',
  changes: [{ slotId: 'x'.repeat(36), date: '2026-01-01', start: '2026-01-01T08:00:00.000Z', column: 1 }],
};

async function main(): Promise<void> {
  const { scale, only } = parseArgs(process.argv.slice(2));
  log(`scale ${scale.name}: ${[...only].join(' + ')}`);
  ensureBuilt(log);

  log('preparing the bench database (drop, create, migrate, seed)');
  await recreateDatabase();
  await clearRedis();
  const pool = benchPool();
  const patients = Math.max(scale.slots * scale.attemptsPerSlot, scale.fanoutRatePerSec * scale.fanoutSeconds);
  const data = await seed(pool, { slots: scale.slots, patients });
  log(`seeded ${data.slotIds.length} slots and ${data.patients.length} patients`);

  let rushBaseline: RushMeasurement | undefined;
  let rushOurs: RushMeasurement | undefined;
  let fanOurs: FanoutResult | undefined;
  let fanBaseline: FanoutResult | undefined;
  let relayDrainSeconds: number | undefined;

  try {
    if (only.has('rush')) {
      const baseline = await startBaselineHttp();
      try {
        await resetBookings(pool, data.unitId);
        rushBaseline = await measureRush('rush baseline', baseline.url, undefined, data, scale, pool);
      } finally {
        await baseline.stop();
      }
    }

    await resetBookings(pool, data.unitId);
    log('starting the server under test');
    const server = await startServer();
    try {
      const token = await devLogin(server.url, BENCH_HSA_ID);
      if (only.has('rush')) {
        rushOurs = await measureRush('rush ours', server.url, token, data, scale, pool);
        relayDrainSeconds = await waitForRelay(pool);
        log(`relay published the rush's events ${relayDrainSeconds.toFixed(1)} s after the last answer`);
      }
      if (only.has('fanout')) {
        await resetBookings(pool, data.unitId);
        log(`fan-out ours: ${scale.fanoutClients} clients, ${scale.fanoutRatePerSec} bookings/s for ${scale.fanoutSeconds} s`);
        const http = new JsonClient(server.url, 32);
        try {
          fanOurs = await runFanout({
            url: server.url,
            token,
            unitId: data.unitId,
            clients: scale.fanoutClients,
            ratePerSec: scale.fanoutRatePerSec,
            seconds: scale.fanoutSeconds,
            trigger: async (i) => {
              const body = {
                slotId: data.slotIds[i],
                visitTypeId: data.visitTypeId,
                patient: { personalIdentityNumber: data.patients[i] },
              };
              return (await http.post('/api/bookings', body, token)).status === 201;
            },
            finalVersion: () => topicVersion(pool, data.unitId),
          });
        } finally {
          http.close();
        }
        logFanout('fan-out ours', fanOurs);
      }
    } finally {
      await server.stop();
    }

    if (only.has('fanout')) {
      const sample = { ...(fanOurs?.sampleEvent ?? FALLBACK_SAMPLE), version: 0, at: '' };
      const baseline = await startBaselineIo(sample);
      const http = new JsonClient(baseline.url, 32);
      let lastVersion = 0;
      try {
        log(`fan-out baseline: ${scale.fanoutClients} clients, ${scale.fanoutRatePerSec} broadcasts/s`);
        fanBaseline = await runFanout({
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
        });
        logFanout('fan-out baseline', fanBaseline);
      } finally {
        http.close();
        await baseline.stop();
      }
    }
  } finally {
    await pool.end();
  }

  const rows: Row[] = [];
  if (only.has('rush')) rows.push(rushRow(rushOurs, rushBaseline));
  if (only.has('fanout')) rows.push(fanoutRow(fanOurs, fanBaseline));
  const file = writeResults(rows, { scale, relayDrainSecondsAfterRush: relayDrainSeconds });
  process.stdout.write(`\n${formatTable(rows)}\n\n(written to ${file})\n`);
  process.exitCode = rows.some((r) => r.failures.length > 0) ? 1 : 0;
}

function logFanout(label: string, r: FanoutResult): void {
  log(
    `${label}: ${r.subscribed}/${r.clients} subscribed in ${r.connectSeconds.toFixed(1)} s; ` +
      `${r.deliveries}/${r.expectedDeliveries} deliveries; p50 ${round(r.latencyMs.p50)} p95 ${round(r.latencyMs.p95)} ` +
      `p99 ${round(r.latencyMs.p99)} max ${round(r.latencyMs.max)} ms; payload ${r.sampleBytes} B; ` +
      `missing ${r.missing}, dup ${r.duplicates}, order ${r.outOfOrder}, disconnects ${r.disconnects}`,
  );
}

main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  killAllChildren();
  process.exit(2);
});

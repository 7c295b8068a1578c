/**
 * `npm run bench`: the benchmark table (see /work/shared/benchmarks.md). Each scenario runs its
 * own baseline side by side in the same run, in alternating rounds, and checks correctness in
 * every round: a fast wrong answer is a failure, shown in its row.
 *
 * Only one heavy thing runs at a time (these machines have 2 cores). Every child process is
 * killed on exit, Ctrl-C or error. Progress goes to stderr, the table to stdout, and the same
 * rows with their raw measurements to bench-results.json at the repository root.
 *
 * Flags: --quick | --scale=full (default) · --only=rush,fanout,instances,stock,coverage,nvr,sms · --clients=N · --rounds=N
 */
import { BenchContext, log } from './context';
import { benchPool, clearRedis, recreateDatabase, seed } from './data';
import { ensureBuilt, killAllChildren } from './proc';
import { coverageRow, fanoutRow, nvrRow, rushRow, smsRow, stockRow, twoInstancesRow } from './rows';
import { parseArgs } from './scale';
import { benchFanout } from './scenario-fanout';
import { benchNvr } from './scenario-nvr';
import { benchRush } from './scenario-rush';
import { benchStock } from './scenario-stock';
import { benchTwoInstances } from './scenario-two-instances';
import { benchCoverage } from './scenario-coverage';
import { benchSms } from './scenario-sms';
import { formatTable, Row, writeResults } from './table';

async function main(): Promise<void> {
  const { scale, only } = parseArgs(process.argv.slice(2));
  log(`scale ${scale.name} (${[...only].join(' + ')}, ${scale.rounds} rounds)`);
  ensureBuilt(log);

  log('preparing the bench database (drop, create, migrate, seed)');
  await recreateDatabase();
  await clearRedis();
  const pool = benchPool();
  const rows: Row[] = [];
  try {
    const patients = Math.max(
      scale.slots * scale.attemptsPerSlot,
      scale.fanoutRatePerSec * scale.fanoutSeconds,
    );
    const data = await seed(pool, { slots: scale.slots, patients });
    log(`seeded ${data.slotIds.length} slots and ${data.patients.length} patients`);
    const ctx: BenchContext = { scale, data, pool };
    if (only.has('rush')) rows.push(rushRow(await benchRush(ctx)));
    if (only.has('fanout')) rows.push(fanoutRow(await benchFanout(ctx)));
    if (only.has('instances')) rows.push(twoInstancesRow(await benchTwoInstances(ctx)));
    if (only.has('stock')) rows.push(stockRow(await benchStock(ctx)));
    if (only.has('coverage')) rows.push(coverageRow(await benchCoverage(ctx)));
    if (only.has('nvr')) rows.push(nvrRow(await benchNvr(ctx)));
    if (only.has('sms')) rows.push(smsRow(await benchSms(ctx, scale.smsRecipients)));
  } finally {
    await pool.end();
  }

  const file = writeResults(rows, { scale });
  process.stdout.write(`\n${formatTable(rows)}\n\n(written to ${file})\n`);
  // Wrong answers fail the run; a missed goal is a finding shown in the table, not an error.
  process.exitCode = rows.some((r) => r.failures.length > 0) ? 1 : 0;
}

main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  killAllChildren();
  process.exit(2);
});

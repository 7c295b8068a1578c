import type { SmsMeasurement, SmsRound } from './scenario-sms';
import { median } from './context';
import type { CpuUse } from './cpu';
import type { BookingCheck } from './data';
import type { FanoutResult } from './fanout';
import type { RushResult } from './rush';
import type { FanoutMeasurement, FanoutRound } from './scenario-fanout';
import type { InstancesRound } from './scenario-two-instances';
import { topWaits } from './pg-waits';
import type { RushRound } from './scenario-rush';
import type { NvrMeasurement, NvrResult } from './scenario-nvr';
import type { StockMeasurement, StockRound } from './scenario-stock';
import type { CoverageBenchResult } from './scenario-coverage';
import { round } from './stats';
import type { Row } from './table';

export interface RushMeasurement {
  result: RushResult;
  check: BookingCheck;
  /** 1-minute load average when the measured run started */
  load: number;
  /** ours: seconds from the last answer until the relay had published every event */
  relayDrainSeconds?: number;
  cpu: CpuUse;
}

const GOAL_RUSH_RATIO = 0.5;
const GOAL_FANOUT_P95_MS = 100;
const GOAL_FANOUT_P99_MS = 250;
const GOAL_FANOUT_RATIO = 0.5;
const GOAL_STOCK_RATIO = 0.5;
const GOAL_COVERAGE_QUERY_MS = 50;
const GOAL_COVERAGE_EVENT_MS = 5;

/** Failures of every round, labelled with the side and round they happened in. */
function collect<T>(rounds: Array<{ ours: T; baseline: T }>, failures: (m: T) => string[]): string[] {
  return rounds.flatMap((r, i) => [
    ...failures(r.ours).map((f) => `#${i + 1}: ${f}`),
    ...failures(r.baseline).map((f) => `baseline #${i + 1}: ${f}`),
  ]);
}

/** Every way a rush answer can be wrong: the HTTP answers and the database must both agree. */
function rushFailures(m: RushMeasurement): string[] {
  const { result: r, check: c } = m;
  const out: string[] = [];
  if (c.doubleBooked > 0) out.push(`${c.doubleBooked} double-booked slots`);
  if (r.created !== c.slots) out.push(`${r.created} × 201 for ${c.slots} slots`);
  if (c.activeBookings !== c.slots) out.push(`${c.activeBookings} active bookings for ${c.slots} slots`);
  if (c.notBooked > 0) out.push(`${c.notBooked} slots not BOOKED`);
  if (c.bookedWithoutBooking > 0) out.push(`${c.bookedWithoutBooking} BOOKED slots without a booking`);
  if (r.other > 0) out.push(`${r.other} answers neither 201 nor 409 SLOT_TAKEN (e.g. ${r.otherSamples[0]})`);
  return out;
}

interface RushFigures {
  attemptsPerSec: number;
  p50: number;
  p99: number;
}

function rushMedians(ms: RushMeasurement[]): RushFigures {
  return {
    attemptsPerSec: median(ms.map((m) => m.result.attemptsPerSec)),
    p50: median(ms.map((m) => m.result.latencyMs.p50)),
    p99: median(ms.map((m) => m.result.latencyMs.p99)),
  };
}

const rushFigure = (f: RushFigures) =>
  `${Math.round(f.attemptsPerSec)} att/s, p50 ${round(f.p50)} ms, p99 ${round(f.p99)} ms`;

export function rushRow(rounds: RushRound[]): Row {
  const ours = rushMedians(rounds.map((r) => r.ours));
  const baseline = rushMedians(rounds.map((r) => r.baseline));
  const ratio = round(ours.attemptsPerSec / baseline.attemptsPerSec, 2);
  const doubles = rounds.reduce((n, r) => n + r.ours.check.doubleBooked, 0);
  const goalMisses: string[] = [];
  if (ratio < GOAL_RUSH_RATIO) goalMisses.push(`ratio ${ratio} < ${GOAL_RUSH_RATIO}`);
  if (doubles > 0) goalMisses.push(`${doubles} double bookings`);
  const first = rounds[0]!.ours;
  return {
    scenario: `booking rush (${first.result.attempts} attempts on ${first.check.slots} slots; median of ${rounds.length})`,
    ours: rushFigure(ours),
    baseline: rushFigure(baseline),
    ratio,
    goal: `ratio ≥ ${GOAL_RUSH_RATIO}, 0 double bookings`,
    goalMisses,
    failures: collect(rounds, rushFailures),
    notes: rushNotes(rounds),
    details: { medians: { ours, baseline }, rounds },
  };
}

const ms = (x: number | null | undefined, digits = 1) =>
  x == null || Number.isNaN(x) ? '?' : `${round(x, digits)} ms`;

function rushNotes(rounds: RushRound[]): string[] {
  const perAttempt = (m: RushMeasurement, k: 'serverMs' | 'postgresMs') => m.cpu[k] / m.result.attempts;
  const cpu = (side: 'ours' | 'baseline') =>
    `node ${ms(median(rounds.map((r) => perAttempt(r[side], 'serverMs'))), 2)} + postgres ` +
    ms(median(rounds.map((r) => perAttempt(r[side], 'postgresMs'))), 2);
  return [
    `CPU per attempt: ours ${cpu('ours')}; baseline ${cpu('baseline')}`,
    `outbox relay finished publishing ${round(median(rounds.map((r) => r.ours.relayDrainSeconds ?? NaN)), 2)} s after the last answer`,
    `load average at start of each run (ours/baseline): ${rounds.map((r) => `${r.ours.load}/${r.baseline.load}`).join(', ')}`,
  ];
}

function fanoutNotes(rounds: FanoutRound[]): string[] {
  const med = (f: (m: FanoutMeasurement) => number | null | undefined, side: 'ours' | 'baseline' = 'ours') =>
    median(rounds.map((r) => f(r[side]) ?? NaN));
  const perChange = (m: FanoutMeasurement, k: 'serverMs' | 'postgresMs') =>
    m.cpu ? m.cpu[k] / m.triggers : NaN;
  return [
    `inside our server, commit → emit p50 ≤ ${ms(
      med((m) => m.emitLagP50Ms),
      0,
    )}, p95 ≤ ${ms(
      med((m) => m.emitLagP95Ms),
      0,
    )} ` +
      `(histogram bounds); its event-loop delay p99 ${ms(med((m) => m.eventLoopLagP99Ms))}, ` +
      `max ${ms(med((m) => m.eventLoopLagMaxMs))}`,
    `the outbox relay published ${med((m) => m.relay?.rows)} events in ${med((m) => m.relay?.drains)} drains ` +
      `(max ${med((m) => m.relay?.maxRowsPerDrain)} events emitted back to back in one drain); ` +
      `commit → start of its drain p95 ${ms(
        med((m) => m.relay?.drainStartLagP95Ms),
        0,
      )}`,
    `POST /api/bookings during the fan-out: p50 ${ms(med((m) => m.changeLatencyMs.p50))}, ` +
      `p99 ${ms(med((m) => m.changeLatencyMs.p99))}`,
    `CPU per change: ours node ${ms(
      med((m) => perChange(m, 'serverMs')),
      2,
    )} + postgres ` +
      `${ms(
        med((m) => perChange(m, 'postgresMs')),
        2,
      )}; baseline node ${ms(
        med((m) => perChange(m, 'serverMs'), 'baseline'),
        2,
      )}` +
      `; payload ${rounds[0]!.ours.sampleBytes} B`,
    `load average at start of each run (ours/baseline): ${rounds.map((r) => `${r.ours.load}/${r.baseline.load}`).join(', ')}`,
  ];
}

/** Every version to every client, once, in order, and nothing else; every change accepted. */
function fanoutFailures(r: FanoutResult): string[] {
  const out: string[] = [];
  if (r.connectFailures > 0)
    out.push(`${r.connectFailures} clients failed to subscribe (${r.connectFailureSample})`);
  if (r.triggerFailures > 0) out.push(`${r.triggerFailures} of ${r.triggers} changes were not accepted`);
  if (r.missing > 0) out.push(`${r.missing} deliveries missing`);
  if (r.duplicates > 0) out.push(`${r.duplicates} duplicate deliveries`);
  if (r.outOfOrder > 0) out.push(`${r.outOfOrder} out of order`);
  if (r.unexpected > 0) out.push(`${r.unexpected} versions beyond the last change`);
  if (r.disconnects > 0) out.push(`${r.disconnects} clients disconnected`);
  if (r.clientsIncomplete > 0 && out.length === 0)
    out.push(`${r.clientsIncomplete} clients without the exact sequence`);
  if (r.expectedDeliveries !== r.triggers * r.subscribed) {
    out.push(`${r.expectedDeliveries} versions expected for ${r.triggers} changes × ${r.subscribed} clients`);
  }
  return out;
}

interface FanoutFigures {
  p50: number;
  p95: number;
  p99: number;
}

function fanoutMedians(rs: FanoutResult[]): FanoutFigures {
  return {
    p50: median(rs.map((r) => r.latencyMs.p50)),
    p95: median(rs.map((r) => r.latencyMs.p95)),
    p99: median(rs.map((r) => r.latencyMs.p99)),
  };
}

const fanoutFigure = (f: FanoutFigures) =>
  `p50 ${round(f.p50)} / p95 ${round(f.p95)} / p99 ${round(f.p99)} ms`;

export function fanoutRow(rounds: FanoutRound[]): Row {
  const ours = fanoutMedians(rounds.map((r) => r.ours));
  const baseline = fanoutMedians(rounds.map((r) => r.baseline));
  // Latency: lower is better, so baseline ÷ ours. The floor guards a sub-millisecond p95.
  const ratio = round(Math.max(baseline.p95, 0.1) / Math.max(ours.p95, 0.1), 2);
  const goalMisses: string[] = [];
  if (ours.p95 > GOAL_FANOUT_P95_MS) goalMisses.push(`p95 ${round(ours.p95)} ms`);
  if (ours.p99 > GOAL_FANOUT_P99_MS) goalMisses.push(`p99 ${round(ours.p99)} ms`);
  if (ratio < GOAL_FANOUT_RATIO) goalMisses.push(`ratio ${ratio} < ${GOAL_FANOUT_RATIO}`);
  const first = rounds[0]!.ours;
  return {
    scenario: `live fan-out (${first.clients} clients × ${first.triggers} changes; median of ${rounds.length})`,
    ours: fanoutFigure(ours),
    baseline: fanoutFigure(baseline),
    ratio,
    goal: `p95 ≤ ${GOAL_FANOUT_P95_MS} ms, p99 ≤ ${GOAL_FANOUT_P99_MS} ms, ratio (p95) ≥ ${GOAL_FANOUT_RATIO}`,
    goalMisses,
    failures: collect(rounds, fanoutFailures),
    notes: fanoutNotes(rounds),
    // The sample event would repeat in every round; its size is what matters.
    details: {
      medians: { ours, baseline },
      payloadBytes: first.sampleBytes,
      rounds: rounds.map((r) => ({
        ours: { ...r.ours, sampleEvent: undefined },
        baseline: { ...r.baseline, sampleEvent: undefined },
      })),
    },
  };
}

/**
 * Every way a stock contention answer can be wrong, batch by batch: the HTTP answers, the
 * balance rows and the ledger must all tell the same story.
 */
function stockFailures(m: StockMeasurement): string[] {
  const { result: r, plan, before, after } = m;
  const out: string[] = [];
  const planned =
    plan.wastageAttempts.reduce((a, b) => a + b, 0) + plan.receiptAttempts.reduce((a, b) => a + b, 0);
  if (r.attempts !== planned) out.push(`${r.attempts} answers for ${planned} requests`);
  if (r.other > 0) out.push(`${r.other} answers neither 201 nor 422 BELOW_ZERO (e.g. ${r.otherSamples[0]})`);
  if (r.duplicateRowVersions > 0)
    out.push(`${r.duplicateRowVersions} × 201 reported a row version already reported (lost update)`);
  plan.batchIds.forEach((_, b) => {
    const p = before[b]!;
    const a = after[b]!;
    const ans = r.perBatch[b]!;
    const name = b === plan.short ? `short batch ${b + 1}` : `batch ${b + 1}`;
    const ok = ans.wastage + ans.receipts;
    const was = (what: string) => out.push(`${name}: ${what}`);
    if (p.doses !== plan.opening[b]) was(`opened with ${p.doses}, not ${plan.opening[b]}`);
    if (a.doses === null) return void was('no balance row');
    if (a.doses !== a.ledgerSum) was(`balance ${a.doses} ≠ ledger sum ${a.ledgerSum}`);
    if (a.doses < 0 || (a.minBalanceAfter ?? 0) < 0) was(`went negative (min ${a.minBalanceAfter})`);
    if (a.chainBreaks > 0) was(`${a.chainBreaks} ledger rows whose balance_after is not the running sum`);
    if (a.ledgerRows - p.ledgerRows !== ok)
      was(`${ok} × 201 but ${a.ledgerRows - p.ledgerRows} ledger rows added`);
    if ((a.rowVersion ?? 0) - (p.rowVersion ?? 0) !== ok)
      was(`row version moved by ${(a.rowVersion ?? 0) - (p.rowVersion ?? 0)} for ${ok} × 201`);
    const expected = (p.doses ?? 0) - ans.wastage + ans.receipts;
    if (a.doses !== expected) was(`ended at ${a.doses}, expected ${expected} (lost update)`);
    if (b === plan.short) {
      if (a.doses !== 0) was(`ended at ${a.doses}, not 0`);
      const refused = plan.wastageAttempts[b]! - (p.doses ?? 0);
      if (ans.belowZero !== refused)
        was(`${ans.belowZero} × 422 where ${refused} wastages could not be covered`);
    } else if (ans.belowZero > 0) was(`${ans.belowZero} × 422 though it never ran low`);
  });
  return out;
}

interface StockFigures {
  movementsPerSec: number;
  p50: number;
  p99: number;
}

function stockMedians(ms: StockMeasurement[]): StockFigures {
  return {
    movementsPerSec: median(ms.map((m) => m.result.movementsPerSec)),
    p50: median(ms.map((m) => m.result.latencyMs.p50)),
    p99: median(ms.map((m) => m.result.latencyMs.p99)),
  };
}

const stockFigure = (f: StockFigures) =>
  `${Math.round(f.movementsPerSec)} mov/s, p50 ${round(f.p50)} ms, p99 ${round(f.p99)} ms`;

export function stockRow(rounds: StockRound[]): Row {
  const ours = stockMedians(rounds.map((r) => r.ours));
  const baseline = stockMedians(rounds.map((r) => r.baseline));
  const ratio = round(ours.movementsPerSec / baseline.movementsPerSec, 2);
  const goalMisses: string[] = [];
  if (ratio < GOAL_STOCK_RATIO) goalMisses.push(`ratio ${ratio} < ${GOAL_STOCK_RATIO}`);
  const first = rounds[0]!.ours;
  return {
    scenario:
      `stock contention (${first.result.attempts} movements on ${first.plan.batchIds.length} batches, ` +
      `${first.result.belowZero} refused below zero; median of ${rounds.length})`,
    ours: stockFigure(ours),
    baseline: stockFigure(baseline),
    ratio,
    goal: `ratio ≥ ${GOAL_STOCK_RATIO}; balance = ledger, never < 0, no lost update`,
    goalMisses,
    failures: collect(rounds, stockFailures),
    notes: stockNotes(rounds),
    details: { medians: { ours, baseline }, rounds },
  };
}

function stockNotes(rounds: StockRound[]): string[] {
  const per = (m: StockMeasurement, k: 'serverMs' | 'postgresMs') => m.cpu[k] / m.result.attempts;
  const cpu = (side: 'ours' | 'baseline') =>
    `node ${ms(median(rounds.map((r) => per(r[side], 'serverMs'))), 2)} + postgres ` +
    ms(median(rounds.map((r) => per(r[side], 'postgresMs'))), 2);
  const waits = (side: 'ours' | 'baseline') => {
    const w = topWaits(rounds.map((r) => r[side].waits));
    const top = w.top.map((t) => `${Math.round(t.share * 100)}% ${t.what}`).join(', ');
    return `${side}: ${round(w.activeMean)} active backends on average; ${top}`;
  };
  return [
    `CPU per movement: ours ${cpu('ours')}; baseline ${cpu('baseline')}`,
    `outbox relay finished publishing ${round(median(rounds.map((r) => r.ours.relayDrainSeconds ?? NaN)), 2)} s after the last answer`,
    `PostgreSQL active backends, sampled every 100 ms (wait · statement), all rounds: ${waits('ours')}`,
    `PostgreSQL, likewise: ${waits('baseline')}`,
    `load average at start of each run (ours/baseline): ${rounds.map((r) => `${r.ours.load}/${r.baseline.load}`).join(', ')}`,
  ];
}

/** R29: coverage read time against a plain GROUP BY; what one dose costs the live figures. */
export function coverageRow(r: CoverageBenchResult): Row {
  const ratio = round(r.query.baseline.p50 / r.query.ours.p50, 1);
  const goalMisses: string[] = [];
  if (r.query.ours.p50 > GOAL_COVERAGE_QUERY_MS)
    goalMisses.push(`query p50 ${round(r.query.ours.p50)} ms > ${GOAL_COVERAGE_QUERY_MS} ms`);
  if (r.perEvent.costMs > GOAL_COVERAGE_EVENT_MS)
    goalMisses.push(`per-event ${round(r.perEvent.costMs, 2)} ms > ${GOAL_COVERAGE_EVENT_MS} ms`);
  return {
    scenario:
      `coverage (${r.people.toLocaleString('en')} people, ${r.vaccinations.toLocaleString('en')} vaccinations; ` +
      `municipality × age group × dose)`,
    ours:
      `query p50 ${ms(r.query.ours.p50)} / p95 ${ms(r.query.ours.p95)} (HTTP; SQL ${ms(r.query.oursSql.p50)}); ` +
      `per event +${ms(r.perEvent.costMs, 2)} (insert p50 ${ms(r.perEvent.withTriggers.p50, 2)} vs ${ms(r.perEvent.without.p50, 2)} without)`,
    baseline: `GROUP BY p50 ${ms(r.query.baseline.p50)} / max ${ms(r.query.baseline.max)}`,
    ratio,
    goal: `query ≤ ${GOAL_COVERAGE_QUERY_MS} ms; per-event update ≤ ${GOAL_COVERAGE_EVENT_MS} ms; equal to the GROUP BY and to a rebuild`,
    goalMisses,
    failures: r.failures,
    notes: [
      `coverage: bulk load ${round(r.loadSeconds)} s (triggers off), rebuild from scratch ${round(r.rebuildSeconds)} s ` +
        `(the coverage.rebuild job's work); ${r.perEvent.events} measured doses each side; load average ${r.load}`,
      `coverage per-event insert p95 with triggers ${ms(r.perEvent.withTriggers.p95, 2)}, without ${ms(r.perEvent.without.p95, 2)}`,
    ],
    details: { ...r },
  };
}

/** Issue 8: two instances within 1.5× of one (latency p95: one ÷ two ≥ 1 / 1.5). */
export function twoInstancesRow(rounds: InstancesRound[]): Row {
  const two = fanoutMedians(rounds.map((r) => r.two));
  const one = fanoutMedians(rounds.map((r) => r.one));
  const ratio = round(Math.max(one.p95, 0.1) / Math.max(two.p95, 0.1), 2);
  const goal = round(1 / 1.5, 2);
  const first = rounds[0]!.two;
  return {
    scenario: `two instances (${first.clients} clients split over 2 API instances × ${first.triggers} changes; median of ${rounds.length})`,
    ours: fanoutFigure(two),
    baseline: `one instance: ${fanoutFigure(one)}`,
    ratio,
    goal: `within 1.5× of one instance (ratio ≥ ${goal})`,
    goalMisses: ratio < goal ? [`ratio ${ratio} < ${goal}`] : [],
    failures: collect(
      rounds.map((r) => ({ ours: r.two, baseline: r.one })),
      fanoutFailures,
    ),
    notes: [
      'bookings go to instance A; clients on B get each event through the Redis adapter',
      `load average at start of each run (two/one): ${rounds.map((r) => `${r.two.load}/${r.one.load}`).join(', ')}`,
    ],
    details: {
      medians: { two, one },
      rounds: rounds.map((r) => ({
        two: { ...r.two, sampleEvent: undefined },
        one: { ...r.one, sampleEvent: undefined },
      })),
    },
  };
}

const GOAL_NVR_ROWS_PER_SEC = 50_000;
const GOAL_NVR_RSS_MB = 300;
const GOAL_NVR_RATIO = 0.3;

/** R28: rows/s and peak RSS of the export against `COPY (SELECT …) TO STDOUT`; exactly once checked. */
export function nvrRow(result: NvrResult): Row {
  const { rounds, small } = result;
  const med = (side: 'ours' | 'baseline', f: (m: NvrMeasurement) => number) =>
    median(rounds.map((r) => f(r[side])));
  const ours = {
    rowsPerSec: med('ours', (m) => m.rowsPerSec),
    peakRssMb: Math.max(...rounds.map((r) => r.ours.peakRssMb)),
  };
  const baseline = { rowsPerSec: med('baseline', (m) => m.rowsPerSec) };
  const ratio = round(ours.rowsPerSec / baseline.rowsPerSec, 2);
  const goalMisses: string[] = [];
  if (ours.rowsPerSec < GOAL_NVR_ROWS_PER_SEC) goalMisses.push(`${Math.round(ours.rowsPerSec)} rows/s`);
  if (ours.peakRssMb > GOAL_NVR_RSS_MB) goalMisses.push(`peak RSS ${round(ours.peakRssMb)} MB`);
  if (ratio < GOAL_NVR_RATIO) goalMisses.push(`ratio ${ratio} < ${GOAL_NVR_RATIO}`);
  const n = rounds[0]!.ours.doses;
  const failures = [
    ...small.failures.map((f) => `${small.doses}-dose run: ${f}`),
    ...collect(rounds, (m: NvrMeasurement) => m.failures),
  ];
  return {
    scenario: `NVR export (${n} doses to FHIR NDJSON + CSV; median of ${rounds.length})`,
    ours: `${Math.round(ours.rowsPerSec)} rows/s, peak RSS ${round(ours.peakRssMb)} MB`,
    baseline: `COPY ${Math.round(baseline.rowsPerSec)} rows/s`,
    ratio,
    goal: `≥ ${GOAL_NVR_ROWS_PER_SEC} rows/s, peak RSS ≤ ${GOAL_NVR_RSS_MB} MB, ratio ≥ ${GOAL_NVR_RATIO}`,
    goalMisses,
    failures,
    notes: [
      `memory flat: peak RSS of the server ${round(small.peakRssMb)} MB exporting ${small.doses} doses, ` +
        `${round(ours.peakRssMb)} MB exporting ${n} (RSS before a run ${round(median(rounds.map((r) => r.ours.startRssMb)))} MB)`,
      `NDJSON ${round(median(rounds.map((r) => r.ours.bytes)) / 1e6)} MB per run; COPY text ${round(median(rounds.map((r) => r.baseline.bytes)) / 1e6)} MB; ` +
        `time ours ${round(
          med('ours', (m) => m.seconds),
          2,
        )} s (POST → COMPLETED, through the queue), COPY ${round(
          med('baseline', (m) => m.seconds),
          2,
        )} s`,
      `load average at start of each run (ours/baseline): ${rounds.map((r) => `${r.ours.load}/${r.baseline.load}`).join(', ')}`,
    ],
    details: { medians: { ours, baseline }, small, rounds },
  };
}

const GOAL_SMS_ENQUEUE_S = 10;
const GOAL_SMS_RATIO = 0.5;

/** Mass SMS (one round: a 100,000-recipient campaign is long enough to smooth out bursts). */
export function smsRow(r: SmsRound): Row {
  const ratio = round(r.ours.perSec / r.baseline.perSec, 2);
  const goalMisses: string[] = [];
  if (!(r.ours.enqueueSeconds <= GOAL_SMS_ENQUEUE_S))
    goalMisses.push(`enqueue ${round(r.ours.enqueueSeconds, 1)} s > ${GOAL_SMS_ENQUEUE_S} s`);
  if (ratio < GOAL_SMS_RATIO) goalMisses.push(`ratio ${ratio} < ${GOAL_SMS_RATIO}`);
  const failures: string[] = [];
  if (r.ours.duplicates) failures.push(`${r.ours.duplicates} recipients got more than one message`);
  if (r.ours.missing) failures.push(`${r.ours.missing} recipients got none`);
  const fig = (m: SmsMeasurement, what: string) =>
    `enqueue ${round(m.enqueueSeconds, 2)} s, ${Math.round(m.perSec)} ${what}/s, ${m.duplicates} duplicates`;
  return {
    scenario: `mass SMS (${r.ours.recipients.toLocaleString('en')} recipients, local sink)`,
    ours: fig(r.ours, 'msg'),
    baseline: `bare BullMQ addBulk + no-op worker: ${fig(r.baseline, 'jobs')}`,
    ratio,
    goal: `enqueue ≤ ${GOAL_SMS_ENQUEUE_S} s; 0 duplicates; ratio ≥ ${GOAL_SMS_RATIO}`,
    goalMisses,
    failures,
    notes: [
      `ours is capped by SMS_RATE_PER_SECOND (1000/s at most, the shared send rate) and does a claim, an HTTP send and a recorded SENT per message; the baseline's worker does nothing`,
      `load average at start (ours/baseline): ${r.ours.load}/${r.baseline.load}`,
    ],
    details: { ...r },
  };
}

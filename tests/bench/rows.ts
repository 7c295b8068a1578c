import type { BookingCheck } from './data';
import type { FanoutResult } from './fanout';
import type { RushResult } from './rush';
import { round } from './stats';
import type { Row } from './table';

export interface RushMeasurement {
  result: RushResult;
  check: BookingCheck;
}

const GOAL_RUSH_RATIO = 0.5;
const GOAL_FANOUT_P95_MS = 100;
const GOAL_FANOUT_P99_MS = 250;
const GOAL_FANOUT_RATIO = 0.5;

function rushFigure(m?: RushMeasurement): string {
  if (!m) return 'not run';
  const r = m.result;
  return `${Math.round(r.attemptsPerSec)} att/s, p50 ${round(r.latencyMs.p50)} ms, p99 ${round(r.latencyMs.p99)} ms`;
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

export function rushRow(ours?: RushMeasurement, baseline?: RushMeasurement): Row {
  const ratio = ours && baseline ? round(ours.result.attemptsPerSec / baseline.result.attemptsPerSec, 2) : null;
  const failures = [
    ...(ours ? rushFailures(ours) : ['not run']),
    ...(baseline ? rushFailures(baseline).map((f) => `baseline: ${f}`) : []),
  ];
  const goalMisses: string[] = [];
  if (ratio !== null && ratio < GOAL_RUSH_RATIO) goalMisses.push(`ratio ${ratio} < ${GOAL_RUSH_RATIO}`);
  if (ours && ours.check.doubleBooked > 0) goalMisses.push(`${ours.check.doubleBooked} double bookings`);
  const attempts = ours?.result.attempts ?? baseline?.result.attempts ?? 0;
  const slots = ours?.check.slots ?? baseline?.check.slots ?? 0;
  return {
    scenario: `booking rush (${attempts} attempts, ${slots} slots)`,
    ours: rushFigure(ours),
    baseline: rushFigure(baseline),
    ratio,
    goal: `ratio ≥ ${GOAL_RUSH_RATIO}, 0 double bookings`,
    goalMisses,
    failures,
    details: { ours, baseline },
  };
}

function fanoutFigure(r?: FanoutResult): string {
  if (!r) return 'not run';
  const l = r.latencyMs;
  return `p50 ${round(l.p50)} / p95 ${round(l.p95)} / p99 ${round(l.p99)} ms`;
}

/** Every version to every client, once, in order, and nothing else; every change accepted. */
function fanoutFailures(r: FanoutResult, what: string): string[] {
  const out: string[] = [];
  if (r.connectFailures > 0) out.push(`${r.connectFailures} clients failed to subscribe (${r.connectFailureSample})`);
  if (r.triggerFailures > 0) out.push(`${r.triggerFailures} of ${r.triggers} ${what} failed`);
  if (r.missing > 0) out.push(`${r.missing} deliveries missing`);
  if (r.duplicates > 0) out.push(`${r.duplicates} duplicate deliveries`);
  if (r.outOfOrder > 0) out.push(`${r.outOfOrder} out of order`);
  if (r.unexpected > 0) out.push(`${r.unexpected} versions beyond the last change`);
  if (r.disconnects > 0) out.push(`${r.disconnects} clients disconnected`);
  if (r.clientsIncomplete > 0 && out.length === 0) out.push(`${r.clientsIncomplete} clients without the exact sequence`);
  if (r.expectedDeliveries !== r.triggers * r.subscribed) {
    out.push(`${r.expectedDeliveries} versions expected for ${r.triggers} changes × ${r.subscribed} clients`);
  }
  return out;
}

export function fanoutRow(ours?: FanoutResult, baseline?: FanoutResult): Row {
  const p95 = (r: FanoutResult) => r.latencyMs.p95;
  // Latency: lower is better, so the ratio is baseline ÷ ours. Guard a 0 ms p95 (sub-ms rounding).
  const ratio = ours && baseline ? round(Math.max(p95(baseline), 0.1) / Math.max(p95(ours), 0.1), 2) : null;
  const failures = [
    ...(ours ? fanoutFailures(ours, 'bookings') : ['not run']),
    ...(baseline ? fanoutFailures(baseline, 'broadcasts').map((f) => `baseline: ${f}`) : []),
  ];
  const goalMisses: string[] = [];
  if (ours && ours.latencyMs.p95 > GOAL_FANOUT_P95_MS) goalMisses.push(`p95 ${round(ours.latencyMs.p95)} ms`);
  if (ours && ours.latencyMs.p99 > GOAL_FANOUT_P99_MS) goalMisses.push(`p99 ${round(ours.latencyMs.p99)} ms`);
  if (ratio !== null && ratio < GOAL_FANOUT_RATIO) goalMisses.push(`ratio ${ratio} < ${GOAL_FANOUT_RATIO}`);
  const r = ours ?? baseline;
  return {
    scenario: r
      ? `live fan-out (${r.clients} clients, ${r.triggers} changes, ${r.deliveries} deliveries)`
      : 'live fan-out',
    ours: fanoutFigure(ours),
    baseline: fanoutFigure(baseline),
    ratio,
    goal: `p95 ≤ ${GOAL_FANOUT_P95_MS} ms, p99 ≤ ${GOAL_FANOUT_P99_MS} ms, ratio (p95) ≥ ${GOAL_FANOUT_RATIO}`,
    goalMisses,
    failures,
    // The sample event is large and repeated in the JSON otherwise; its size is what matters.
    details: {
      ours: ours && { ...ours, sampleEvent: undefined },
      baseline: baseline && { ...baseline, sampleEvent: undefined },
    },
  };
}

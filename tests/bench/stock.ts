import { JsonClient } from './http-client';
import { nowMs, Percentiles, seededRandom, summarize } from './stats';

export type StockKind = 'WASTAGE' | 'RECEIPT';

/** One movement request: a batch (index into the plan's batches) and its kind; always 1 dose. */
export interface StockOp {
  batch: number;
  kind: StockKind;
}

/**
 * A stock contention run: every client works through its own queue, all on the same few
 * batches. The last batch is the short one: its opening balance covers only a quarter of the
 * wastage aimed at it, so it reaches zero early in the run and the rest must be refused (422
 * BELOW_ZERO), leaving it at exactly 0. The other batches open with more than the whole run can
 * take, and also receive single-dose receipts (a share of the requests), so their balances go
 * both ways.
 */
export interface StockPlan {
  batchIds: string[];
  /** the opening balance of each batch, booked as one receipt through the target's own API */
  opening: number[];
  wastageAttempts: number[];
  receiptAttempts: number[];
  /** index of the short batch */
  short: number;
  queues: StockOp[][];
}

/** Share of the requests that are receipts (on the long batches only). */
const RECEIPT_SHARE = 0.1;

/** Deterministic for a seed: requests are spread at random over the batches, dealt round-robin. */
export function planStock(batchIds: string[], movements: number, clients: number, seed = 42): StockPlan {
  const n = batchIds.length;
  if (n < 2) throw new Error('stock contention needs at least two batches');
  const short = n - 1;
  const rnd = seededRandom(seed);
  const wastageAttempts = new Array<number>(n).fill(0);
  const receiptAttempts = new Array<number>(n).fill(0);
  const queues: StockOp[][] = Array.from({ length: clients }, () => []);
  for (let i = 0; i < movements; i++) {
    const op: StockOp =
      rnd() < RECEIPT_SHARE
        ? { batch: Math.floor(rnd() * (n - 1)), kind: 'RECEIPT' }
        : { batch: Math.floor(rnd() * n), kind: 'WASTAGE' };
    (op.kind === 'RECEIPT' ? receiptAttempts : wastageAttempts)[op.batch]!++;
    queues[i % clients]!.push(op);
  }
  const opening = batchIds.map((_, b) =>
    b === short ? Math.max(1, Math.floor(wastageAttempts[b]! / 4)) : movements,
  );
  return { batchIds, opening, wastageAttempts, receiptAttempts, short, queues };
}

const body = (batchId: string, kind: StockKind, doses: number) =>
  kind === 'WASTAGE'
    ? { kind, batchId, doses, reason: 'BROKEN' }
    : { kind: 'RECEIPT' as const, batchId, doses };

/** The opening balances, one receipt per batch through the target's own API. */
export async function openStock(opts: {
  baseUrl: string;
  token?: string;
  unitId: string;
  plan: StockPlan;
}): Promise<void> {
  const client = new JsonClient(opts.baseUrl, 1);
  try {
    for (const [b, batchId] of opts.plan.batchIds.entries()) {
      const res = await client.post(
        `/api/units/${opts.unitId}/stock/movements`,
        body(batchId, 'RECEIPT', opts.plan.opening[b]!),
        opts.token,
      );
      if (res.status !== 201) throw new Error(`opening receipt: ${res.status} ${res.body.slice(0, 300)}`);
    }
  } finally {
    client.close();
  }
}

export interface BatchAnswers {
  /** 201s per kind */
  wastage: number;
  receipts: number;
  /** 422 BELOW_ZERO */
  belowZero: number;
}

export interface StockResult {
  attempts: number;
  seconds: number;
  /** movement requests answered per second (201 and 422 alike: both sides get the same mix) */
  movementsPerSec: number;
  latencyMs: Percentiles;
  created: number;
  belowZero: number;
  /** anything else: other statuses, malformed answers, network errors */
  other: number;
  otherSamples: string[];
  perBatch: BatchAnswers[];
  /**
   * 201s that reported a row version another 201 of the same batch already reported: two
   * movements based on the same balance, i.e. a lost update.
   */
  duplicateRowVersions: number;
}

/** Runs every client's queue concurrently over one keep-alive connection each. */
export async function runStock(opts: {
  baseUrl: string;
  token?: string;
  unitId: string;
  plan: StockPlan;
}): Promise<StockResult> {
  const { plan } = opts;
  const client = new JsonClient(opts.baseUrl, plan.queues.length);
  const path = `/api/units/${opts.unitId}/stock/movements`;
  const latencies: number[] = [];
  const perBatch: BatchAnswers[] = plan.batchIds.map(() => ({ wastage: 0, receipts: 0, belowZero: 0 }));
  const versions = plan.batchIds.map(() => new Set<number>());
  let duplicateRowVersions = 0;
  let other = 0;
  const otherSamples: string[] = [];
  const noteOther = (what: string) => {
    other++;
    if (otherSamples.length < 5) otherSamples.push(what.slice(0, 200));
  };

  const runQueue = async (queue: StockOp[]) => {
    for (const op of queue) {
      const batchId = plan.batchIds[op.batch]!;
      const t0 = nowMs();
      try {
        const res = await client.post(path, body(batchId, op.kind, 1), opts.token);
        latencies.push(nowMs() - t0);
        const answer = parse(res.body);
        if (res.status === 201 && answer?.balance?.batchId === batchId) {
          const v = Number(answer.balance.rowVersion);
          if (versions[op.batch]!.has(v)) duplicateRowVersions++;
          versions[op.batch]!.add(v);
          if (op.kind === 'WASTAGE') perBatch[op.batch]!.wastage++;
          else perBatch[op.batch]!.receipts++;
        } else if (res.status === 422 && answer?.code === 'BELOW_ZERO') perBatch[op.batch]!.belowZero++;
        else noteOther(`${res.status} ${res.body}`);
      } catch (err) {
        latencies.push(nowMs() - t0);
        noteOther(`error: ${(err as Error).message}`);
      }
    }
  };

  const started = nowMs();
  try {
    await Promise.all(plan.queues.map(runQueue));
  } finally {
    client.close();
  }
  const seconds = (nowMs() - started) / 1000;
  const attempts = latencies.length;
  return {
    attempts,
    seconds,
    movementsPerSec: attempts / seconds,
    latencyMs: summarize(latencies),
    created: perBatch.reduce((n, b) => n + b.wastage + b.receipts, 0),
    belowZero: perBatch.reduce((n, b) => n + b.belowZero, 0),
    other,
    otherSamples,
    perBatch,
    duplicateRowVersions,
  };
}

interface Answer {
  code?: unknown;
  balance?: { batchId?: unknown; rowVersion?: unknown };
}

function parse(text: string): Answer | undefined {
  try {
    return JSON.parse(text) as Answer;
  } catch {
    return undefined;
  }
}

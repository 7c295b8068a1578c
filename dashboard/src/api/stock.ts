import type {
  LedgerEntry,
  MovementKind,
  MovementResult,
  OverviewAggregate,
  OverviewRow,
  StockHistoryDay,
  UnitStock,
  WastageReason,
} from '@stock-api';
import { ApiError, http, seg, type ApiErrorBody } from './http';

/** `POST /api/units/:unitId/stock/movements`. Either `doses` or `vials`, never both. */
export interface MovementRequest {
  kind: MovementKind;
  batchId?: string;
  doses?: number;
  vials?: number;
  reason?: WastageReason;
  note?: string;
  /** The batch's `rowVersion` the user based the movement on: a change since then is a 409. */
  expectedRowVersion?: number;
  toUnitId?: string;
  fromUnitId?: string;
  /** RECEIPT of a batch the unit has never had. */
  newBatch?: { productId: string; batchNumber: string; expiresOn: string };
}

/** A batch's balance as the server has it now (in 409 and 422 answers, and in a 201). */
export interface CurrentBalance {
  batchId: string;
  doses: number;
  rowVersion: number;
}

/** 409: someone else moved the batch after the user read it (R24). */
export interface StaleRowVersionBody extends ApiErrorBody {
  code: 'STALE_ROW_VERSION';
  current: CurrentBalance;
}

/** 422: the movement would take the balance below zero, or breaks another rule. */
export interface StockRuleBody extends ApiErrorBody {
  code: 'BELOW_ZERO' | 'RULE_BROKEN';
  current?: CurrentBalance;
}

/**
 * `GET /api/stock/overview` and the region subscribe ack's snapshot (R26). The aggregates are
 * optional on the wire so that an answer from an older server (during a deploy) still shows its rows.
 */
export interface StockOverview {
  version: number;
  rows: OverviewRow[];
  /** per care provider and product */
  careProviders?: OverviewAggregate[];
  /** the whole region, per product */
  region?: OverviewAggregate[];
}

/** One product's figures in a reconciliation report (R27). */
export interface ReconciliationFigures {
  productId: string;
  productName: string;
  received: number;
  administered: number;
  closedVialWastage: number;
  openVialWastage: number;
  /** counted less than the ledger expected, with no reason given */
  unexplainedLoss: number;
  unexplainedGain: number;
  /** how many counts (inventories) the period had */
  counts: number;
  closedVialWastageRate: number;
  openVialWastageRate: number;
}

/** `GET /api/units/:unitId/stock/reconciliation`: the unit's latest report (404 before any run). */
export interface LatestReconciliation {
  unitId: string;
  periodFrom: string;
  periodTo: string;
  createdAt: string;
  report: { date: string; products: ReconciliationFigures[] };
}

/** A reconciliation job's result (`GET /api/jobs/:id` → `result`). */
export interface ReconciliationResult {
  units: number;
  dosesWrittenOff: number;
}

export function isReconciliationResult(x: unknown): x is ReconciliationResult {
  const r = x as Partial<ReconciliationResult> | null | undefined;
  return !!r && typeof r.units === 'number' && typeof r.dosesWrittenOff === 'number';
}

export function isStaleRowVersion(e: unknown): e is ApiError<StaleRowVersionBody> {
  return e instanceof ApiError && e.status === 409 && isCurrentBalance(e.body.current);
}

export function isStockRuleBroken(e: unknown): e is ApiError<StockRuleBody> {
  return e instanceof ApiError && e.status === 422;
}

/** The `current` balance of an error body, tolerating a body without one. */
export function currentOf(e: ApiError): CurrentBalance | null {
  return isCurrentBalance(e.body.current) ? e.body.current : null;
}

function isCurrentBalance(x: unknown): x is CurrentBalance {
  const c = x as Partial<CurrentBalance> | null | undefined;
  return (
    !!c && typeof c.batchId === 'string' && typeof c.doses === 'number' && typeof c.rowVersion === 'number'
  );
}

export const stockApi = {
  get: (unitId: string) => http.get<UnitStock>(`/units/${seg(unitId)}/stock`),
  /** The key makes a retried POST safe: the server books it once and replays the answer. */
  move: (unitId: string, body: MovementRequest, idempotencyKey: string) =>
    http.post<MovementResult>(`/units/${seg(unitId)}/stock/movements`, body, {
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  ledger: (unitId: string, batchId: string) =>
    http.get<LedgerEntry[]>(`/units/${seg(unitId)}/stock/batches/${seg(batchId)}/ledger`),
  history: (unitId: string, from: string, to: string) =>
    http.get<StockHistoryDay[]>(`/units/${seg(unitId)}/stock/history`, { query: { from, to } }),
  overview: (regionId: string) => http.get<StockOverview>('/stock/overview', { query: { regionId } }),
  latestReconciliation: (unitId: string) =>
    http.get<LatestReconciliation>(`/units/${seg(unitId)}/stock/reconciliation`),
  reconcile: (unitId?: string) =>
    http.post<{ jobId: string }>('/stock/reconciliations', unitId ? { unitId } : {}),
};

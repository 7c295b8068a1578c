import { debouncedRefresh } from '../lib/debounced-refresh';
import type { StockChanged } from '@events';
import type { LedgerEntry, MovementResult, StockHistoryDay, UnitStock } from '@stock-api';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { ApiError, NetworkError } from '../api/http';
import { productsApi } from '../api/products';
import {
  currentOf,
  isStaleRowVersion,
  stockApi,
  type CurrentBalance,
  type LatestReconciliation,
  type MovementRequest,
} from '../api/stock';
import type { Product, Unit } from '../api/types';
import { unitsApi } from '../api/units';
import { randomUuid } from '../lib/uuid';
import { applyStockChange, fromStockSnapshot, stockAlerts } from '../realtime/stock-state';
import {
  beginResync as resyncing,
  createVersioned,
  receiveEvent,
  receiveSnapshot as takeSnapshot,
  type Versioned,
} from '../realtime/versioned-state';
import { HIGHLIGHT_MS } from './timebook';
import { timedHighlights } from '../lib/timed-highlights';

export type StockLiveError = 'forbidden' | 'invalid' | 'unavailable' | 'timeout';
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** A delta moves balances at once; warnings and product rows follow from a refetch this much later. */
export const REFRESH_DEBOUNCE_MS = 300;
/** A steady stream of deltas must not postpone the refetch for ever. */
export const REFRESH_MAX_WAIT_MS = 1000;

/** The movement form's fields, for putting a server message next to the right one. */
export type MovementField =
  'batchId' | 'amount' | 'reason' | 'note' | 'toUnitId' | 'newProductId' | 'newBatchNumber' | 'newExpiresOn';

/** One submission: the key goes with this exact body, and is sent again only with it. */
export interface MovementAttempt {
  key: string;
  unitId: string;
  body: MovementRequest;
}

export type MovementOutcome =
  | { kind: 'done'; result: MovementResult; attempt: MovementAttempt }
  /** 409: the batch changed after the user read it; `reapply` sends it against `current`. */
  | { kind: 'conflict'; current: CurrentBalance; message: string; attempt: MovementAttempt }
  /** 422: below zero or another rule; the user changes the form. */
  | { kind: 'rule'; code: string | null; current: CurrentBalance | null; message: string }
  | { kind: 'invalid'; field: MovementField | null; message: string }
  /** No answer, or a server error: `retryable` ones can be sent again with the same key. */
  | { kind: 'failed'; message: string | null; retryable: boolean };

type Live = Versioned<UnitStock, StockChanged>;

/**
 * One unit's stock on screen, live. Snapshot and deltas come from realtime/socket.ts; after a
 * delta a debounced REST refetch brings the server's warnings and product rows (the delta only
 * carries balances), through the same version rules, so the page never goes back in time.
 * Movements are posted from here with an Idempotency-Key per submission.
 */
export const useStockStore = defineStore('stock', () => {
  const unitId = ref<string | null>(null);
  // Replaced wholesale on every step (immutable updates), so a shallow ref is enough.
  const live = shallowRef<Live>(createVersioned());
  const error = ref<StockLiveError | null>(null);
  const { highlighted, mark, clear: clearHighlights } = timedHighlights(HIGHLIGHT_MS);

  /** The product catalogue (for a new batch) and the units (for a transfer's receiver). */
  const catalogue = ref<Product[]>([]);
  const units = ref<Unit[]>([]);
  const catalogueStatus = ref<LoadStatus>('idle');

  const history = ref<StockHistoryDay[]>([]);
  const historyStatus = ref<LoadStatus>('idle');
  // Shallow: the range object's identity tells a current answer from a superseded one.
  const historyRange = shallowRef<{ unitId: string; from: string; to: string } | null>(null);

  const ledgerBatchId = ref<string | null>(null);
  const ledger = ref<LedgerEntry[]>([]);
  const ledgerStatus = ref<LoadStatus>('idle');
  /** The batch's rowVersion the ledger was read at: a newer one means it is out of date. */
  let ledgerRowVersion: number | null = null;

  /** The unit's latest reconciliation report (R27); 'none' until the first run. */
  const reconciliationReport = shallowRef<LatestReconciliation | null>(null);
  const reconciliationStatus = ref<LoadStatus | 'none'>('idle');
  /** The unit the report (or its loading) is for. */
  let reconciliationUnitId: string | null = null;

  const submitting = ref(false);
  /** The last attempt that got no definite answer: "Försök igen" sends it with the same key. */
  const retryable = shallowRef<MovementAttempt | null>(null);

  const state = computed(() => live.value.state);
  const version = computed(() => live.value.version);
  const balances = computed(() => state.value?.balances ?? []);
  const products = computed(() => state.value?.products ?? []);
  const alerts = computed(() => (state.value ? stockAlerts(state.value) : []));
  const syncing = computed(() => live.value.syncing);
  const status = computed<'idle' | 'loading' | 'ready' | 'error'>(() => {
    if (state.value) return 'ready';
    if (error.value) return 'error';
    return unitId.value ? 'loading' : 'idle';
  });

  const refresher = debouncedRefresh(() => void refresh(), REFRESH_DEBOUNCE_MS, REFRESH_MAX_WAIT_MS);

  /** Following another unit: forget everything about the previous one. */
  function begin(forUnit: string): void {
    unitId.value = forUnit;
    live.value = createVersioned();
    error.value = null;
    clearRefresh();
    clearHighlights();
    closeLedger();
    history.value = [];
    historyStatus.value = 'idle';
    historyRange.value = null;
    if (reconciliationUnitId !== forUnit) forgetReconciliation();
  }

  /** Re-subscribing (gap or reconnect): keep showing what we have until a snapshot arrives. */
  function beginResync(): void {
    live.value = resyncing(live.value);
  }

  /**
   * A snapshot: the subscribe ack's, or a REST refetch's. One older than what is shown is
   * ignored. Returns true when the caller must resync again.
   */
  function receiveSnapshot(v: number, snapshot: UnitStock): boolean {
    if (snapshot.unitId !== unitId.value) return false;
    const hadState = live.value.state !== null;
    const before = live.value.state;
    const step = takeSnapshot(live.value, v, fromStockSnapshot(snapshot), applyStockChange);
    live.value = step.next;
    error.value = null;
    if (hadState && before && step.next.state && step.next.state !== before) {
      highlightChanged(before, step.next.state);
    }
    return step.resync;
  }

  /** A `stock.changed` event for this unit. Returns true when the caller must resync. */
  function receiveChange(event: StockChanged): boolean {
    if (event.unitId !== unitId.value) return false;
    const before = live.value.state;
    const step = receiveEvent(live.value, event, applyStockChange);
    live.value = step.next;
    if (step.changed) {
      if (before && step.next.state) highlightChanged(before, step.next.state);
      scheduleRefresh();
    }
    return step.resync;
  }

  function fail(reason: StockLiveError): void {
    error.value = reason;
  }

  /** After a reconnect's snapshot: history and ledger may have missed changes too. */
  function afterResync(): void {
    scheduleRefresh();
  }

  function scheduleRefresh(): void {
    refresher.schedule();
  }

  function clearRefresh(): void {
    refresher.clear();
  }

  /** Refetches the stock (warnings, products), and the history and ledger shown with it. */
  async function refresh(): Promise<void> {
    const forUnit = unitId.value;
    if (!forUnit) return;
    const work: Array<Promise<unknown>> = [
      stockApi.get(forUnit).then((snapshot) => {
        if (unitId.value === forUnit) receiveSnapshot(snapshot.version, snapshot);
      }),
    ];
    const range = historyRange.value;
    if (range && range.unitId === forUnit) work.push(fetchHistory(range));
    await Promise.allSettled(work);
    // After the stock, so the ledger is compared with the newest rowVersion.
    if (ledgerBatchId.value && batchRowVersion(ledgerBatchId.value) !== ledgerRowVersion) {
      await fetchLedger(forUnit, ledgerBatchId.value, false);
    }
  }

  function batchRowVersion(batchId: string): number | null {
    return balances.value.find((b) => b.batchId === batchId)?.rowVersion ?? null;
  }

  async function loadCatalogue(): Promise<void> {
    if (catalogueStatus.value === 'ready' || catalogueStatus.value === 'loading') return;
    catalogueStatus.value = 'loading';
    try {
      const [p, u] = await Promise.all([productsApi.list(), unitsApi.list()]);
      catalogue.value = p;
      units.value = u;
      catalogueStatus.value = 'ready';
    } catch {
      catalogueStatus.value = 'error';
    }
  }

  async function loadHistory(forUnit: string, from: string, to: string): Promise<void> {
    const range = { unitId: forUnit, from, to };
    historyRange.value = range;
    historyStatus.value = 'loading';
    await fetchHistory(range);
  }

  async function fetchHistory(range: { unitId: string; from: string; to: string }): Promise<void> {
    try {
      const days = await stockApi.history(range.unitId, range.from, range.to);
      if (historyRange.value !== range) return;
      history.value = days;
      historyStatus.value = 'ready';
    } catch {
      // A failed refresh keeps the chart we have; only a first load shows the error.
      if (historyRange.value === range && historyStatus.value !== 'ready') historyStatus.value = 'error';
    }
  }

  /** The unit's latest reconciliation report (after a run, ask again). */
  async function loadReconciliation(forUnit: string): Promise<void> {
    if (reconciliationUnitId !== forUnit) forgetReconciliation();
    reconciliationUnitId = forUnit;
    if (reconciliationStatus.value !== 'ready') reconciliationStatus.value = 'loading';
    try {
      const report = await stockApi.latestReconciliation(forUnit);
      if (reconciliationUnitId !== forUnit) return;
      reconciliationReport.value = report;
      reconciliationStatus.value = 'ready';
    } catch (e) {
      if (reconciliationUnitId !== forUnit) return;
      if (e instanceof ApiError && e.status === 404) {
        reconciliationReport.value = null;
        reconciliationStatus.value = 'none';
      } else if (reconciliationStatus.value !== 'ready') {
        // A failed refresh keeps the report we have.
        reconciliationStatus.value = 'error';
      }
    }
  }

  function forgetReconciliation(): void {
    reconciliationUnitId = null;
    reconciliationReport.value = null;
    reconciliationStatus.value = 'idle';
  }

  async function openLedger(batchId: string): Promise<void> {
    const forUnit = unitId.value;
    if (!forUnit) return;
    ledgerBatchId.value = batchId;
    ledger.value = [];
    await fetchLedger(forUnit, batchId, true);
  }

  async function fetchLedger(forUnit: string, batchId: string, first: boolean): Promise<void> {
    if (first) ledgerStatus.value = 'loading';
    const at = batchRowVersion(batchId);
    try {
      const entries = await stockApi.ledger(forUnit, batchId);
      if (ledgerBatchId.value !== batchId || unitId.value !== forUnit) return;
      ledger.value = entries;
      ledgerRowVersion = at;
      ledgerStatus.value = 'ready';
    } catch {
      if (ledgerBatchId.value === batchId && first) ledgerStatus.value = 'error';
    }
  }

  function closeLedger(): void {
    ledgerBatchId.value = null;
    ledger.value = [];
    ledgerStatus.value = 'idle';
    ledgerRowVersion = null;
  }

  /**
   * Posts a movement. A body identical to the last one that got no definite answer is the same
   * submission: it goes with the same Idempotency-Key, so a retried click never books twice.
   */
  function submitMovement(forUnit: string, body: MovementRequest): Promise<MovementOutcome> {
    const pending = retryable.value;
    const attempt =
      pending && pending.unitId === forUnit && sameJson(pending.body, body)
        ? pending
        : { key: randomUuid(), unitId: forUnit, body };
    return send(attempt);
  }

  /** "Försök igen": the same submission, the same key. */
  function retryMovement(): Promise<MovementOutcome> | null {
    return retryable.value ? send(retryable.value) : null;
  }

  /**
   * After a 409: the same movement against the balance the server reported. It is a new
   * submission (the body's expectedRowVersion differs), so it gets a new key.
   */
  function reapply(conflict: Extract<MovementOutcome, { kind: 'conflict' }>): Promise<MovementOutcome> {
    const { attempt, current } = conflict;
    return send({
      key: randomUuid(),
      unitId: attempt.unitId,
      body: { ...attempt.body, expectedRowVersion: current.rowVersion },
    });
  }

  /** The user gave up on the failed submission (cancel, or edited the form). */
  function forgetRetry(): void {
    retryable.value = null;
  }

  async function send(attempt: MovementAttempt): Promise<MovementOutcome> {
    submitting.value = true;
    try {
      const result = await stockApi.move(attempt.unitId, attempt.body, attempt.key);
      retryable.value = null;
      // The live event shows it; the refetch also covers a socket that is down right now.
      if (attempt.unitId === unitId.value) scheduleRefresh();
      return { kind: 'done', result, attempt };
    } catch (e) {
      const outcome = movementFailure(e, attempt);
      retryable.value = outcome.kind === 'failed' && outcome.retryable ? attempt : null;
      return outcome;
    } finally {
      submitting.value = false;
    }
  }

  function highlightChanged(before: UnitStock, after: UnitStock): void {
    const previous = new Map(before.balances.map((b) => [b.batchId, b]));
    for (const b of after.balances) {
      const old = previous.get(b.batchId);
      if (old && old.rowVersion === b.rowVersion && old.doses === b.doses) continue;
      mark(b.batchId);
    }
  }

  function $reset(): void {
    unitId.value = null;
    live.value = createVersioned();
    error.value = null;
    clearRefresh();
    clearHighlights();
    catalogue.value = [];
    units.value = [];
    catalogueStatus.value = 'idle';
    history.value = [];
    historyStatus.value = 'idle';
    historyRange.value = null;
    closeLedger();
    forgetReconciliation();
    submitting.value = false;
    retryable.value = null;
  }

  return {
    unitId,
    live,
    error,
    highlighted,
    catalogue,
    units,
    catalogueStatus,
    history,
    historyStatus,
    historyRange,
    ledgerBatchId,
    ledger,
    ledgerStatus,
    reconciliationReport,
    reconciliationStatus,
    submitting,
    retryable,
    state,
    version,
    balances,
    products,
    alerts,
    syncing,
    status,
    begin,
    beginResync,
    receiveSnapshot,
    receiveChange,
    fail,
    afterResync,
    refresh,
    loadCatalogue,
    loadHistory,
    loadReconciliation,
    openLedger,
    closeLedger,
    submitMovement,
    retryMovement,
    reapply,
    forgetRetry,
    $reset,
  };
});

/** What an error answer to a movement means for the form. */
export function movementFailure(e: unknown, attempt: MovementAttempt): MovementOutcome {
  if (isStaleRowVersion(e)) {
    return { kind: 'conflict', current: e.body.current, message: messageOf(e) ?? '', attempt };
  }
  if (e instanceof NetworkError) return { kind: 'failed', message: null, retryable: true };
  if (!(e instanceof ApiError)) throw e;
  const message = messageOf(e);
  switch (true) {
    case e.status === 400:
      return { kind: 'invalid', field: movementFieldOf(e), message: message ?? e.message };
    case e.status === 422:
      return { kind: 'rule', code: e.code ?? null, current: currentOf(e), message: message ?? '' };
    // A 409 without a balance: the same key is still being processed. Asking again with it
    // gets the first request's answer once it is done.
    case e.status === 409:
    case e.status === 408:
    case e.status === 429:
    case e.status >= 500:
      return { kind: 'failed', message, retryable: true };
    case e.status === 401:
      return { kind: 'failed', message: null, retryable: false };
    default:
      return { kind: 'failed', message, retryable: false };
  }
}

function messageOf(e: ApiError): string | null {
  return e.messages.join(' ') || null;
}

const FIELD_PATTERNS: Array<[MovementField, RegExp]> = [
  ['newBatchNumber', /batchNumber|batchnummer/i],
  ['newExpiresOn', /expiresOn|utgångsdatum|expiry/i],
  ['newProductId', /productId|produkt/i],
  ['amount', /\bdoses\b|\bvials\b|doser|flaskor|antal/i],
  ['reason', /reason|orsak/i],
  ['toUnitId', /toUnitId|mottagande|receiving/i],
  ['batchId', /batchId|\bbatch\b/i],
  ['note', /\bnote\b|kommentar|anteckning/i],
];

/** Which field a 400 is about: an explicit `field` wins, else the message names it. */
export function movementFieldOf(e: ApiError): MovementField | null {
  const explicit = e.body.field;
  const haystack = typeof explicit === 'string' ? explicit : e.messages.join(' ');
  for (const [field, re] of FIELD_PATTERNS) if (re.test(haystack)) return field;
  return null;
}

/** Equality of two JSON bodies regardless of key order. */
function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(stableJson).join(',')}]`;
  if (x && typeof x === 'object') {
    const entries = Object.entries(x as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(x);
}

import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, NetworkError } from '../api/http';
import { stockApi, type MovementRequest } from '../api/stock';
import { moved, UNIT, unitStock } from '../test/stock-fixtures';
import { REFRESH_DEBOUNCE_MS, REFRESH_MAX_WAIT_MS, useStockStore } from './stock';

function apiError(statusCode: number, message: string | string[], extra: Record<string, unknown> = {}) {
  return new ApiError({ statusCode, error: 'x', message, ...extra });
}

const wastage: MovementRequest = {
  kind: 'WASTAGE',
  batchId: 'b-1',
  doses: 6,
  reason: 'BROKEN',
  expectedRowVersion: 3,
};

function ready() {
  const store = useStockStore();
  store.begin(UNIT);
  store.receiveSnapshot(10, unitStock());
  return store;
}

const doses = (store: ReturnType<typeof useStockStore>, batchId: string) =>
  store.balances.find((b) => b.batchId === batchId)?.doses;

describe('stock store: live state', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('applies a delta at once, then refetches warnings and products once, 300 ms after the last', async () => {
    const get = vi.spyOn(stockApi, 'get').mockResolvedValue(
      unitStock({
        version: 12,
        products: [
          {
            productId: 'p-comirnaty',
            productName: 'Comirnaty JN.1',
            doses: 60,
            bookedNext7Days: 40,
            warnings: ['SHORTAGE'],
          },
        ],
      }),
    );
    const store = ready();
    expect(store.receiveChange(moved(11, [{ batchId: 'b-1', doses: 54, rowVersion: 4 }]))).toBe(false);
    expect(doses(store, 'b-1')).toBe(54);
    expect(store.highlighted['b-1']).toBe(true);
    vi.advanceTimersByTime(200);
    store.receiveChange(moved(12, [{ batchId: 'b-1', doses: 48, rowVersion: 5 }]));
    vi.advanceTimersByTime(REFRESH_DEBOUNCE_MS - 1);
    expect(get).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(get).toHaveBeenCalledOnce();
    expect(store.alerts.map((a) => a.warning)).toContain('SHORTAGE');
  });

  it('a steady stream of deltas still refetches within the max wait', async () => {
    const get = vi.spyOn(stockApi, 'get').mockResolvedValue(unitStock({ version: 99 }));
    const store = ready();
    for (let v = 11; v < 11 + REFRESH_MAX_WAIT_MS / 100; v++) {
      store.receiveChange(moved(v, [{ batchId: 'b-1', doses: 100 - v, rowVersion: v }]));
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(get).toHaveBeenCalled();
  });

  it('a gap asks for a resync and keeps showing what it has', () => {
    const store = ready();
    expect(store.receiveChange(moved(12, [{ batchId: 'b-1', doses: 1, rowVersion: 9 }]))).toBe(true);
    expect(doses(store, 'b-1')).toBe(60);
    expect(store.syncing).toBe(true);
    // the snapshot closes the gap; the buffered event is already in it
    expect(store.receiveSnapshot(12, unitStock({ version: 12 }))).toBe(false);
    expect(store.syncing).toBe(false);
    expect(store.version).toBe(12);
  });

  it('a batch not in the snapshot (a new delivery) asks for a resync', () => {
    const store = ready();
    expect(store.receiveChange(moved(11, [{ batchId: 'b-new', doses: 300, rowVersion: 1 }]))).toBe(true);
  });

  it('never goes back to an older state: a lagging refetch is ignored', async () => {
    vi.spyOn(stockApi, 'get').mockResolvedValue(unitStock({ version: 10 }));
    const store = ready();
    store.receiveChange(moved(11, [{ batchId: 'b-1', doses: 54, rowVersion: 4 }]));
    await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS);
    expect(store.version).toBe(11);
    expect(doses(store, 'b-1')).toBe(54);
  });

  it('ignores events and snapshots of another unit', () => {
    const store = ready();
    expect(
      store.receiveChange(moved(11, [{ batchId: 'b-1', doses: 1, rowVersion: 9 }], { unitId: 'x' })),
    ).toBe(false);
    expect(store.receiveSnapshot(50, unitStock({ unitId: 'x' }))).toBe(false);
    expect(store.version).toBe(10);
  });

  it('loads the history for the charts, and refreshes it with the stock', async () => {
    const history = vi.spyOn(stockApi, 'history').mockResolvedValue([
      {
        date: '2025-03-04',
        productId: 'p-comirnaty',
        productName: 'Comirnaty JN.1',
        balance: 60,
        administered: 4,
        wasted: 0,
        wastageByReason: {},
      },
    ]);
    vi.spyOn(stockApi, 'get').mockResolvedValue(unitStock({ version: 11 }));
    const store = ready();
    await store.loadHistory(UNIT, '2025-02-05', '2025-03-04');
    expect(history).toHaveBeenCalledWith(UNIT, '2025-02-05', '2025-03-04');
    expect(store.historyStatus).toBe('ready');
    expect(store.history).toHaveLength(1);
    store.receiveChange(moved(11, [{ batchId: 'b-1', doses: 54, rowVersion: 4 }]));
    await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS);
    expect(history).toHaveBeenCalledTimes(2);
  });

  it('the open ledger is read again when its batch moves', async () => {
    vi.spyOn(stockApi, 'get').mockResolvedValue(
      unitStock({
        version: 11,
        balances: unitStock().balances.map((b) => (b.batchId === 'b-1' ? { ...b, rowVersion: 4 } : b)),
      }),
    );
    const ledger = vi.spyOn(stockApi, 'ledger').mockResolvedValue([]);
    const store = ready();
    await store.openLedger('b-1');
    expect(ledger).toHaveBeenCalledTimes(1);
    store.receiveChange(moved(11, [{ batchId: 'b-1', doses: 54, rowVersion: 4 }]));
    await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS);
    expect(ledger).toHaveBeenCalledTimes(2);
  });
});

describe('stock store: movements', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('posts with an Idempotency-Key and returns the new balance', async () => {
    const move = vi.spyOn(stockApi, 'move').mockResolvedValue({
      movementId: 7,
      balance: { batchId: 'b-1', doses: 54, rowVersion: 4 },
    });
    const outcome = await useStockStore().submitMovement(UNIT, wastage);
    expect(outcome).toMatchObject({ kind: 'done', result: { balance: { doses: 54 } } });
    const [unit, body, key] = move.mock.calls[0]!;
    expect(unit).toBe(UNIT);
    expect(body).toEqual(wastage);
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('a retried click never books twice: the same submission keeps its key', async () => {
    const move = vi
      .spyOn(stockApi, 'move')
      .mockRejectedValueOnce(new NetworkError(new TypeError('offline')))
      .mockRejectedValueOnce(apiError(503, 'Service Unavailable'))
      .mockResolvedValueOnce({ movementId: 7, balance: { batchId: 'b-1', doses: 54, rowVersion: 4 } });
    const store = useStockStore();
    expect(await store.submitMovement(UNIT, wastage)).toEqual({
      kind: 'failed',
      message: null,
      retryable: true,
    });
    // "Försök igen"
    expect(await store.retryMovement()).toMatchObject({ kind: 'failed', retryable: true });
    // …or "Registrera" again with the same form (keys in another order are the same body)
    const { reason, ...rest } = wastage;
    expect(await store.submitMovement(UNIT, { reason, ...rest })).toMatchObject({ kind: 'done' });
    const keys = move.mock.calls.map((c) => c[2]);
    expect(new Set(keys).size).toBe(1);
    expect(store.retryable).toBeNull();
  });

  it('a different body, or the next submission after a success, gets a new key', async () => {
    const move = vi
      .spyOn(stockApi, 'move')
      .mockRejectedValueOnce(new NetworkError(new TypeError('offline')))
      .mockResolvedValue({ movementId: 7, balance: { batchId: 'b-1', doses: 54, rowVersion: 4 } });
    const store = useStockStore();
    await store.submitMovement(UNIT, wastage);
    await store.submitMovement(UNIT, { ...wastage, doses: 5 });
    await store.submitMovement(UNIT, { ...wastage, doses: 5 });
    const keys = move.mock.calls.map((c) => c[2]);
    expect(new Set(keys).size).toBe(3);
  });

  it('two managers, one batch: the loser sees the current balance and re-applies against it in one step', async () => {
    const move = vi
      .spyOn(stockApi, 'move')
      .mockRejectedValueOnce(
        apiError(409, 'Saldot har ändrats', {
          code: 'STALE_ROW_VERSION',
          current: { batchId: 'b-1', doses: 48, rowVersion: 5 },
        }),
      )
      .mockResolvedValueOnce({ movementId: 8, balance: { batchId: 'b-1', doses: 42, rowVersion: 6 } });
    const store = useStockStore();
    const outcome = await store.submitMovement(UNIT, wastage);
    expect(outcome).toMatchObject({ kind: 'conflict', current: { doses: 48, rowVersion: 5 } });
    expect(store.retryable).toBeNull();
    if (outcome.kind !== 'conflict') throw new Error('expected a conflict');

    expect(await store.reapply(outcome)).toMatchObject({ kind: 'done', result: { balance: { doses: 42 } } });
    const [first, second] = move.mock.calls;
    expect(second![1]).toEqual({ ...wastage, expectedRowVersion: 5 });
    // a new body is a new submission: a new key, or the server would refuse the reused one
    expect(second![2]).not.toBe(first![2]);
  });

  it('below zero (422) gives the current balance and the reason, and is not retried', async () => {
    vi.spyOn(stockApi, 'move').mockRejectedValue(
      apiError(422, 'Saldot kan inte bli negativt', {
        code: 'BELOW_ZERO',
        current: { batchId: 'b-1', doses: 4, rowVersion: 7 },
      }),
    );
    const store = useStockStore();
    expect(await store.submitMovement(UNIT, wastage)).toEqual({
      kind: 'rule',
      code: 'BELOW_ZERO',
      current: { batchId: 'b-1', doses: 4, rowVersion: 7 },
      message: 'Saldot kan inte bli negativt',
    });
    expect(store.retryable).toBeNull();
  });

  it('puts a 400 next to the field it names', async () => {
    vi.spyOn(stockApi, 'move').mockRejectedValueOnce(
      apiError(400, 'doses must be a positive whole number', { field: 'doses' }),
    );
    expect(await useStockStore().submitMovement(UNIT, wastage)).toEqual({
      kind: 'invalid',
      field: 'amount',
      message: 'doses must be a positive whole number',
    });
    vi.spyOn(stockApi, 'move').mockRejectedValueOnce(apiError(400, ['newBatch.batchNumber is too long']));
    expect(await useStockStore().submitMovement(UNIT, wastage)).toMatchObject({ field: 'newBatchNumber' });
  });

  it('a 409 without a balance (same key still running) is retried with the same key', async () => {
    const move = vi
      .spyOn(stockApi, 'move')
      .mockRejectedValueOnce(apiError(409, 'in progress', { code: 'IDEMPOTENCY_IN_PROGRESS' }))
      .mockResolvedValueOnce({ movementId: 7, balance: { batchId: 'b-1', doses: 54, rowVersion: 4 } });
    const store = useStockStore();
    expect(await store.submitMovement(UNIT, wastage)).toMatchObject({ kind: 'failed', retryable: true });
    await store.retryMovement();
    expect(move.mock.calls[1]![2]).toBe(move.mock.calls[0]![2]);
  });

  it('a forbidden movement is a plain failure', async () => {
    vi.spyOn(stockApi, 'move').mockRejectedValue(apiError(403, 'Inte din enhet'));
    expect(await useStockStore().submitMovement(UNIT, wastage)).toEqual({
      kind: 'failed',
      message: 'Inte din enhet',
      retryable: false,
    });
  });
});

import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stockApi } from '../api/stock';
import { moved, overviewRow, REGION } from '../test/stock-fixtures';
import { REFRESH_DEBOUNCE_MS } from './stock';
import { useStockOverviewStore } from './stockOverview';

const regionEvent = (version: number) => ({ ...moved(version, []), regionId: REGION });

describe('stock overview store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  function ready() {
    const store = useStockOverviewStore();
    store.begin(REGION);
    store.receiveSnapshot(5, { version: 5, rows: [overviewRow()] });
    return store;
  }

  it('a movement anywhere in the region refetches the overview once, debounced', async () => {
    const overview = vi
      .spyOn(stockApi, 'overview')
      .mockResolvedValue({ version: 7, rows: [overviewRow({ doses: 66 })] });
    const store = ready();
    store.receiveChange(regionEvent(6));
    store.receiveChange(regionEvent(7));
    expect(store.syncing).toBe(true);
    await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS);
    expect(overview).toHaveBeenCalledOnce();
    expect(overview).toHaveBeenCalledWith(REGION);
    expect(store).toMatchObject({ version: 7, syncing: false });
    expect(store.rows[0]!.doses).toBe(66);
    expect(store.highlighted[`${overviewRow().unitId}:${overviewRow().productId}`]).toBe(true);
  });

  it('never shows an older overview, and asks again when a replica lags behind the events', async () => {
    const overview = vi
      .spyOn(stockApi, 'overview')
      .mockResolvedValueOnce({ version: 4, rows: [] })
      .mockResolvedValueOnce({ version: 6, rows: [overviewRow({ doses: 1 })] })
      .mockResolvedValueOnce({ version: 8, rows: [overviewRow({ doses: 2 })] });
    const store = ready();
    store.receiveChange(regionEvent(8));
    await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS);
    expect(store.version).toBe(5);
    expect(store.rows).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS);
    expect(store.version).toBe(6);
    expect(store.syncing).toBe(true);
    await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS);
    expect(store).toMatchObject({ version: 8, syncing: false });
    expect(overview).toHaveBeenCalledTimes(3);
  });

  it('ignores events already in the rows and events of another region', async () => {
    const overview = vi.spyOn(stockApi, 'overview');
    const store = ready();
    store.receiveChange(regionEvent(5));
    store.receiveChange({ ...regionEvent(9), regionId: 'other' });
    await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS);
    expect(overview).not.toHaveBeenCalled();
  });
});

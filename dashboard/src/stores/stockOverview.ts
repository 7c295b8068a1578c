import { debouncedRefresh } from '../lib/debounced-refresh';
import type { OverviewAggregate, OverviewRow } from '@stock-api';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { stockApi, type StockOverview } from '../api/stock';
import type { RegionStockChanged } from '../realtime/stock-state';
import { REFRESH_DEBOUNCE_MS, REFRESH_MAX_WAIT_MS, type StockLiveError } from './stock';
import { HIGHLIGHT_MS } from './timebook';
import { timedHighlights } from '../lib/timed-highlights';

export function overviewRowKey(row: Pick<OverviewRow, 'unitId' | 'productId'>): string {
  return `${row.unitId}:${row.productId}`;
}

/** `careProvider:<id>:<product>` or `region:<id>:<product>`: never the same as a unit row's key. */
export function aggregateKey(a: Pick<OverviewAggregate, 'level' | 'key' | 'productId'>): string {
  return `${a.level}:${a.key}:${a.productId}`;
}

/**
 * The region's stock overview (R26), live. Every `stock.changed` of the region is a signal to
 * refetch (rows are aggregates the event does not carry); versions only decide which answer
 * may replace what is shown: never one older than the rows on screen.
 */
export const useStockOverviewStore = defineStore('stockOverview', () => {
  const regionId = ref<string | null>(null);
  const version = ref<number | null>(null);
  const rows = shallowRef<OverviewRow[]>([]);
  /** The same figures summed per care provider and for the whole region (they come with the rows). */
  const careProviders = shallowRef<OverviewAggregate[]>([]);
  const region = shallowRef<OverviewAggregate[]>([]);
  const loaded = ref(false);
  const error = ref<StockLiveError | null>(null);
  /** A newer version is known (from an event) than the rows show: a refetch is under way. */
  const syncing = ref(false);
  const { highlighted, mark, clear: clearHighlights } = timedHighlights(HIGHLIGHT_MS);

  /** The newest version any event has told us of. */
  let latestSeen: number | null = null;
  const refresher = debouncedRefresh(() => void refresh(), REFRESH_DEBOUNCE_MS, REFRESH_MAX_WAIT_MS);

  const status = computed<'idle' | 'loading' | 'ready' | 'error'>(() => {
    if (loaded.value) return 'ready';
    if (error.value) return 'error';
    return regionId.value ? 'loading' : 'idle';
  });

  function begin(forRegion: string): void {
    regionId.value = forRegion;
    version.value = null;
    rows.value = [];
    careProviders.value = [];
    region.value = [];
    loaded.value = false;
    error.value = null;
    syncing.value = true;
    latestSeen = null;
    clearRefresh();
    clearHighlights();
  }

  function beginResync(): void {
    syncing.value = true;
  }

  /** The subscribe ack's snapshot or a refetch. Returns false when it was older than the rows shown. */
  function receiveSnapshot(v: number, snapshot: StockOverview): boolean {
    if (version.value !== null && v < version.value) {
      if (latestSeen !== null && latestSeen > version.value) scheduleRefresh();
      return false;
    }
    const nextCareProviders = snapshot.careProviders ?? [];
    const nextRegion = snapshot.region ?? [];
    if (loaded.value) {
      highlightChanged(rows.value, snapshot.rows, overviewRowKey);
      highlightChanged(
        [...careProviders.value, ...region.value],
        [...nextCareProviders, ...nextRegion],
        aggregateKey,
      );
    }
    version.value = v;
    rows.value = snapshot.rows;
    careProviders.value = nextCareProviders;
    region.value = nextRegion;
    loaded.value = true;
    error.value = null;
    // A replica that has not caught up with the events we saw: ask again shortly.
    if (latestSeen !== null && v < latestSeen) scheduleRefresh();
    else syncing.value = false;
    return true;
  }

  /** A movement somewhere in the region. */
  function receiveChange(event: RegionStockChanged): void {
    if (event.regionId !== regionId.value) return;
    if (version.value !== null && event.version <= version.value) return;
    latestSeen = Math.max(latestSeen ?? event.version, event.version);
    syncing.value = true;
    scheduleRefresh();
  }

  function fail(reason: StockLiveError): void {
    error.value = reason;
  }

  function scheduleRefresh(): void {
    refresher.schedule();
  }

  function clearRefresh(): void {
    refresher.clear();
  }

  async function refresh(): Promise<void> {
    const forRegion = regionId.value;
    if (!forRegion) return;
    try {
      const overview = await stockApi.overview(forRegion);
      if (regionId.value === forRegion) receiveSnapshot(overview.version, overview);
    } catch {
      // Keep the rows shown; the next event (or a reconnect) asks again.
    }
  }

  function highlightChanged<R extends { doses: number; expiringDoses: number }>(
    before: R[],
    after: R[],
    keyOf: (r: R) => string,
  ): void {
    const previous = new Map(before.map((r) => [keyOf(r), r]));
    for (const row of after) {
      const key = keyOf(row);
      const old = previous.get(key);
      if (old && old.doses === row.doses && old.expiringDoses === row.expiringDoses) continue;
      mark(key);
    }
  }

  function $reset(): void {
    regionId.value = null;
    version.value = null;
    rows.value = [];
    careProviders.value = [];
    region.value = [];
    loaded.value = false;
    error.value = null;
    syncing.value = false;
    latestSeen = null;
    clearRefresh();
    clearHighlights();
  }

  return {
    regionId,
    version,
    rows,
    careProviders,
    region,
    loaded,
    error,
    syncing,
    highlighted,
    status,
    begin,
    beginResync,
    receiveSnapshot,
    receiveChange,
    fail,
    refresh,
    $reset,
  };
});

import type { CoverageChanged } from '@events';
import type { CoverageDaily, CoverageDropout, CoverageFilters, CoverageRow } from '@coverage-api';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { coverageApi } from '../api/coverage';
import { applyCoverageRows, touchesDaily } from '../lib/coverage';
import { addDays, todayInStockholm } from '../lib/dates';
import { debouncedRefresh } from '../lib/debounced-refresh';
import { REFRESH_DEBOUNCE_MS, REFRESH_MAX_WAIT_MS, type StockLiveError } from './stock';
import { HIGHLIGHT_MS } from './timebook';
import { timedHighlights } from '../lib/timed-highlights';

export type CoverageLiveError = StockLiveError;

/** How far back the doses-per-day line goes. */
export const DAILY_DAYS = 180;

/**
 * The region's coverage (R29), live. The figures come over REST; each `coverage.changed` carries
 * the changed rows with absolute figures, which are applied in place when the event is the next
 * version. A gap, a resync request, a key not on screen or a moved doses-per-day cell make a
 * (debounced) fresh read; versions decide which answer may replace what is shown.
 */
export const useCoverageStore = defineStore('coverage', () => {
  const regionId = ref<string | null>(null);
  const dose = ref(1);
  const productKey = ref('*');
  const version = ref<number | null>(null);
  const filters = shallowRef<CoverageFilters | null>(null);
  const municipalities = shallowRef<CoverageRow[]>([]);
  const ageGroups = shallowRef<CoverageRow[]>([]);
  const region = shallowRef<CoverageRow | null>(null);
  const daily = shallowRef<CoverageDaily | null>(null);
  const dropout = shallowRef<CoverageDropout | null>(null);
  const dosesToday = ref<number | null>(null);
  const loaded = ref(false);
  const error = ref<CoverageLiveError | null>(null);
  const syncing = ref(false);
  const highlights = timedHighlights(HIGHLIGHT_MS);
  const highlighted = highlights.highlighted;

  let latestSeen: number | null = null;
  let generation = 0;
  /** The next answer is for another dose or product: not a change to highlight. */
  let filterChanged = false;
  const refresher = debouncedRefresh(() => void refresh(), REFRESH_DEBOUNCE_MS, REFRESH_MAX_WAIT_MS);

  const status = computed<'idle' | 'loading' | 'ready' | 'error'>(() => {
    if (loaded.value) return 'ready';
    if (error.value) return 'error';
    return regionId.value ? 'loading' : 'idle';
  });

  const areaOf = (productId: string) => filters.value?.products.find((p) => p.productKey === productId)?.area;

  function begin(forRegion: string): void {
    $reset();
    regionId.value = forRegion;
    syncing.value = true;
  }

  function beginResync(): void {
    syncing.value = true;
  }

  /** The subscribe ack: the topic's version and today's dose count; the figures are read over REST. */
  function receiveSnapshot(v: number, snapshot: { dosesToday: number }): void {
    latestSeen = Math.max(latestSeen ?? v, v);
    if (version.value === null || v > version.value) dosesToday.value = snapshot.dosesToday;
    void refresh();
  }

  function setFilter(next: { dose?: number; productKey?: string }): void {
    if (next.dose !== undefined) dose.value = next.dose;
    if (next.productKey !== undefined) productKey.value = next.productKey;
    loaded.value = loaded.value && false;
    void refresh();
  }

  /** Everything the view shows, for the current filter; an answer older than the screen is dropped. */
  async function refresh(): Promise<void> {
    const forRegion = regionId.value;
    if (!forRegion) return;
    const mine = ++generation;
    syncing.value = true;
    const to = todayInStockholm();
    try {
      const [f, m, a, r, d, o] = await Promise.all([
        filters.value ? Promise.resolve(filters.value) : coverageApi.filters(forRegion),
        coverageApi.byGroup(forRegion, 'municipality', dose.value, productKey.value),
        coverageApi.byGroup(forRegion, 'ageGroup', dose.value, productKey.value),
        coverageApi.byGroup(forRegion, 'region', dose.value, productKey.value),
        coverageApi.daily(forRegion, productKey.value, addDays(to, -(DAILY_DAYS - 1)), to),
        coverageApi.dropout(forRegion),
      ]);
      if (mine !== generation || regionId.value !== forRegion) return;
      const v = Math.min(m.version, a.version, r.version, d.version, o.version);
      if (loaded.value && version.value !== null && v < version.value) {
        refresher.schedule();
        return;
      }
      if (loaded.value && !filterChanged) {
        highlightChanged('municipality', municipalities.value, m.rows);
        highlightChanged('ageGroup', ageGroups.value, a.rows);
      }
      filterChanged = false;
      filters.value = f;
      municipalities.value = m.rows;
      ageGroups.value = a.rows;
      region.value = r.rows[0] ?? null;
      daily.value = d;
      dropout.value = o;
      const today = d.days.at(-1);
      if (today && productKey.value === '*') dosesToday.value = today.doses;
      version.value = v;
      loaded.value = true;
      error.value = null;
      if (latestSeen !== null && v < latestSeen) refresher.schedule();
      else syncing.value = false;
    } catch {
      if (mine !== generation) return;
      if (!loaded.value) error.value = 'unavailable';
      syncing.value = false;
    }
  }

  /** A live event: applied in place when it is the next version, else a fresh read. */
  function receiveChange(event: CoverageChanged): void {
    if (event.regionId !== regionId.value) return;
    if (version.value !== null && event.version <= version.value) return;
    latestSeen = Math.max(latestSeen ?? event.version, event.version);
    dosesToday.value = event.dosesToday;
    if (!loaded.value || version.value === null || event.version !== version.value + 1 || event.resync) {
      syncing.value = true;
      refresher.schedule();
      return;
    }
    const filter = { dose: dose.value, productKey: productKey.value };
    const m = applyCoverageRows(municipalities.value, event, 'municipality', filter);
    const a = applyCoverageRows(ageGroups.value, event, 'ageGroup', filter);
    // the event names the region row with key '' (one row per region); the REST row with the region's id
    const current = region.value;
    const regionRows = current
      ? { rows: event.rows.filter((x) => x.groupBy === 'region').map((x) => ({ ...x, key: current.key })) }
      : null;
    const r = current && regionRows ? applyCoverageRows([current], regionRows, 'region', filter) : null;
    municipalities.value = m.rows;
    ageGroups.value = a.rows;
    if (r) region.value = r.rows[0] ?? null;
    mark('municipality', m.changed);
    mark('ageGroup', a.changed);
    if (dropout.value && event.dropout.length > 0) {
      const byKey = new Map(event.dropout.map((d) => [d.productKey, d]));
      dropout.value = {
        ...dropout.value,
        version: event.version,
        rows: dropout.value.rows.map((row) => {
          const d = byKey.get(row.productKey);
          return d ? { ...row, due: d.due, open: d.open, dropout: d.due > 0 ? d.open / d.due : null } : row;
        }),
      };
    }
    version.value = event.version;
    if (m.unknown || a.unknown || touchesDaily(event, productKey.value, areaOf)) {
      // the doses-per-day line sums cells the event names one by one: read it again
      syncing.value = true;
      refresher.schedule();
    }
  }

  function fail(reason: CoverageLiveError): void {
    error.value = reason;
  }

  function mark(group: string, keys: string[]): void {
    for (const k of keys) highlights.mark(`${group}:${k}`);
  }

  function highlightChanged(group: string, before: CoverageRow[], after: CoverageRow[]): void {
    const old = new Map(before.map((r) => [r.key, r]));
    mark(
      group,
      after.filter((r) => old.has(r.key) && old.get(r.key)!.vaccinated !== r.vaccinated).map((r) => r.key),
    );
  }

  function $reset(): void {
    generation++;
    regionId.value = null;
    version.value = null;
    filters.value = null;
    municipalities.value = [];
    ageGroups.value = [];
    region.value = null;
    daily.value = null;
    dropout.value = null;
    dosesToday.value = null;
    loaded.value = false;
    error.value = null;
    syncing.value = false;
    latestSeen = null;
    refresher.clear();
    highlights.clear();
  }

  return {
    regionId,
    dose,
    productKey,
    version,
    filters,
    municipalities,
    ageGroups,
    region,
    daily,
    dropout,
    dosesToday,
    loaded,
    error,
    syncing,
    highlighted,
    status,
    begin,
    beginResync,
    receiveSnapshot,
    setFilter,
    refresh,
    receiveChange,
    fail,
    $reset,
  };
});

import type { CoverageChanged } from '@events';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coverageApi } from '../api/coverage';
import { useCoverageStore } from './coverage';
import { REFRESH_DEBOUNCE_MS } from './stock';

const REGION = 'r1';
const muni = (vaccinated: number) => ({
  key: '0680',
  label: 'Jönköping',
  population: 100,
  vaccinated,
  coverage: vaccinated / 100,
});

function mockApi(version: number, vaccinated = 10) {
  vi.spyOn(coverageApi, 'filters').mockResolvedValue({
    products: [{ productKey: '*', label: 'Alla produkter', kind: 'any' }],
    maxDose: 2,
  });
  const byGroup = vi.spyOn(coverageApi, 'byGroup').mockImplementation(async (_r, groupBy, dose, product) => ({
    version,
    regionId: REGION,
    groupBy,
    dose,
    productKey: product,
    sex: null,
    rows:
      groupBy === 'ageGroup'
        ? [{ key: '80+', label: '80+ år', population: 10, vaccinated: 1, coverage: 0.1 }]
        : [muni(vaccinated)],
  }));
  const daily = vi.spyOn(coverageApi, 'daily').mockResolvedValue({
    version,
    regionId: REGION,
    productKey: '*',
    dose: null,
    before: 0,
    days: [{ date: '2026-11-22', doses: 3, cumulative: 3 }],
  });
  vi.spyOn(coverageApi, 'dropout').mockResolvedValue({ version, regionId: REGION, rows: [] });
  return { byGroup, daily };
}

const event = (
  version: number,
  rows: CoverageChanged['rows'],
  extra: Partial<CoverageChanged> = {},
): CoverageChanged => ({
  topic: 'coverage',
  regionId: REGION,
  version,
  cause: 'vaccination.insert',
  date: '2026-11-22',
  dosesToday: 4,
  rows,
  daily: [],
  dropout: [],
  resync: false,
  at: '2026-11-22T10:00:00Z',
  ...extra,
});

const row = (vaccinated: number) => ({
  groupBy: 'municipality',
  key: '0680',
  productKey: '*',
  dose: 1,
  vaccinated,
  population: 100,
});

describe('coverage store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  async function ready(version = 5) {
    const api = mockApi(version);
    const store = useCoverageStore();
    store.begin(REGION);
    store.receiveSnapshot(version, { dosesToday: 3 });
    await vi.advanceTimersByTimeAsync(0);
    expect(store.status).toBe('ready');
    return { store, api };
  }

  it('the next version moves the municipality row in place, with no new read', async () => {
    const { store, api } = await ready();
    api.byGroup.mockClear();
    store.receiveChange(
      event(6, [
        row(11),
        { groupBy: 'region', key: '', productKey: '*', dose: 1, vaccinated: 11, population: 100 },
      ]),
    );
    expect(store.municipalities[0]).toMatchObject({ vaccinated: 11, coverage: 0.11 });
    expect(store.region).toMatchObject({ key: '0680', vaccinated: 11 });
    expect(store.dosesToday).toBe(4);
    expect(store.highlighted['municipality:0680']).toBe(true);
    expect(store.version).toBe(6);
    await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS * 10);
    expect(api.byGroup).not.toHaveBeenCalled();
  });

  it('rows of another dose or product leave the chart as it is', async () => {
    const { store } = await ready();
    store.receiveChange(
      event(6, [
        { ...row(99), dose: 2 },
        { ...row(98), productKey: 'p1' },
      ]),
    );
    expect(store.municipalities[0]!.vaccinated).toBe(10);
  });

  it('a gap in the versions reads everything again', async () => {
    const { store, api } = await ready();
    api.byGroup.mockClear();
    mockApi(8, 12);
    store.receiveChange(event(8, [row(12)]));
    expect(store.municipalities[0]!.vaccinated).toBe(10);
    expect(store.syncing).toBe(true);
    await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS * 10);
    expect(store).toMatchObject({ version: 8, syncing: false });
    expect(store.municipalities[0]!.vaccinated).toBe(12);
  });

  it('a dose on the day moves the doses-per-day line through a fresh read', async () => {
    const { store, api } = await ready();
    api.daily.mockClear();
    store.receiveChange(
      event(6, [], { daily: [{ date: '2026-11-22', productId: 'p1', dose: 1, doses: 4 }] }),
    );
    await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS * 10);
    expect(coverageApi.daily).toHaveBeenCalled();
  });

  it('ignores versions already shown and other regions', async () => {
    const { store } = await ready();
    store.receiveChange(event(5, [row(50)]));
    store.receiveChange({ ...event(6, [row(60)]), regionId: 'other' });
    expect(store.municipalities[0]!.vaccinated).toBe(10);
  });
});

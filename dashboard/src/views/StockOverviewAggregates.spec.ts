import type { OverviewAggregate } from '@stock-api';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { createAppI18n } from '../i18n';
import { useAuthStore } from '../stores/auth';
import { useStockOverviewStore } from '../stores/stockOverview';
import { overviewRow, sessionAs } from '../test/stock-fixtures';
import StockOverviewView from './StockOverviewView.vue';

vi.mock('../realtime/socket', () => ({
  followStockOverview: vi.fn(),
  unfollowStockOverview: vi.fn(),
  retryStockOverview: vi.fn(),
}));
vi.mock('../lib/xlsx', async (original) => ({
  ...(await original<typeof import('../lib/xlsx')>()),
  downloadXlsx: vi.fn(async () => undefined),
}));

import { downloadXlsx } from '../lib/xlsx';

function aggregate(over: Partial<OverviewAggregate> = {}): OverviewAggregate {
  return {
    level: 'careProvider',
    key: 'cp-region',
    name: 'Region Jönköpings län',
    productId: 'p-comirnaty',
    productName: 'Comirnaty JN.1',
    units: 2,
    doses: 72,
    averageDailyUse: 6.4,
    daysOfSupply: 11.25,
    bookedNext7Days: 40,
    coversNext7Days: true,
    expiringDoses: 12,
    wastedLast28Days: 3,
    wastageRate: 0.0163,
    ...over,
  };
}

const rows = [
  overviewRow(),
  overviewRow({ productId: 'p-flu', productName: 'Vaxigrip Tetra', doses: 0, coversNext7Days: false }),
  overviewRow({
    unitId: 'unit-2',
    unitName: 'Capio Huskvarna',
    careProviderId: 'cp-capio',
    careProviderName: 'Capio',
  }),
];
const careProviders = [
  aggregate(),
  aggregate({
    productId: 'p-flu',
    productName: 'Vaxigrip Tetra',
    doses: 0,
    bookedNext7Days: 15,
    coversNext7Days: false,
    daysOfSupply: 0,
  }),
  aggregate({ key: 'cp-capio', name: 'Capio', units: 1, doses: 300, daysOfSupply: null }),
];
const region = [
  aggregate({ level: 'region', key: 'r', name: 'Regionen', units: 3, doses: 372 }),
  aggregate({
    level: 'region',
    key: 'r',
    name: 'Regionen',
    productId: 'p-flu',
    productName: 'Vaxigrip Tetra',
    doses: 0,
    bookedNext7Days: 15,
    coversNext7Days: false,
  }),
];

async function mountView(query = '') {
  const pinia = createPinia();
  setActivePinia(pinia);
  useAuthStore().session = sessionAs('SMITTSKYDD', { unitId: 'u-sm', unitName: 'Regionalt smittskydd' });
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/saldo/oversikt', name: 'stockOverview', component: StockOverviewView },
      { path: '/saldo', name: 'stock', component: { render: () => null } },
    ],
  });
  await router.push(`/saldo/oversikt${query}`);
  await router.isReady();
  const wrapper = mount(StockOverviewView, {
    global: { plugins: [pinia, createAppI18n('sv'), router] },
    attachTo: document.body,
  });
  const store = useStockOverviewStore();
  store.begin('r');
  store.receiveSnapshot(4, { version: 4, rows, careProviders, region });
  await flushPromises();
  return { wrapper, store };
}

describe('region overview per care provider and for the region', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('shows the sums per care provider and for the region, coverage in words', async () => {
    const { wrapper } = await mountView();
    const cp = wrapper.get('[data-testid="overview-care-providers"]');
    expect(cp.get('h2').text()).toBe('Per vårdgivare');
    // by name, then product
    expect(cp.findAll('tbody tr').map((r) => r.attributes('data-testid'))).toEqual([
      'overview-cp-cp-capio-p-comirnaty',
      'overview-cp-cp-region-p-comirnaty',
      'overview-cp-cp-region-p-flu',
    ]);
    const flu = wrapper.get('[data-testid="overview-cp-cp-region-p-flu"]');
    expect(flu.attributes('data-covers')).toBe('false');
    expect(flu.text()).toContain('Nej');
    expect(flu.text()).toContain('15 doser saknas');
    expect(wrapper.get('[data-testid="overview-cp-cp-capio-p-comirnaty"]').text()).toContain(
      'Ingen förbrukning',
    );

    const total = wrapper.get('[data-testid="overview-region-p-comirnaty"]');
    expect(total.attributes('data-doses')).toBe('372');
    expect(total.text()).toContain('Ja');
    expect(total.text()).toMatch(/1,6\s%/); // sv-SE: a no-break space before %
    expect(total.text()).toContain('12 doser');
    // the columns, with the number of units
    expect(wrapper.get('[data-testid="overview-region"] thead').text()).toContain('Enheter');
  });

  it('the product filter applies to the sums too', async () => {
    const { wrapper } = await mountView('?product=p-flu');
    expect(
      wrapper.findAll('[data-testid^="overview-region-p-"]').map((r) => r.attributes('data-testid')),
    ).toEqual(['overview-region-p-flu']);
    expect(wrapper.findAll('[data-testid^="overview-cp-"]')).toHaveLength(1);
  });

  it('live: a refetch moves the sums and highlights what changed', async () => {
    const { wrapper, store } = await mountView();
    store.receiveSnapshot(5, {
      version: 5,
      rows,
      careProviders,
      region: [{ ...region[0]!, doses: 366 }, region[1]!],
    });
    await flushPromises();
    const total = wrapper.get('[data-testid="overview-region-p-comirnaty"]');
    expect(total.attributes('data-doses')).toBe('366');
    expect(total.classes()).toContain('row--changed');
    expect(wrapper.get('[data-testid="overview-region-p-flu"]').classes()).not.toContain('row--changed');
  });

  it('exports Excel next to CSV: the rows shown plus the care providers and the region', async () => {
    const { wrapper } = await mountView('?careProvider=cp-capio');
    await wrapper.get('[data-testid="export-xlsx"]').trigger('click');
    await flushPromises();
    const [file, sheets] = vi.mocked(downloadXlsx).mock.calls[0]!;
    expect(file).toMatch(/^saldooversikt-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(sheets.map((s) => [s.sheet, s.data.length - 1])).toEqual([
      ['Enheter', 1],
      ['Vårdgivare', 1],
      ['Region', 2],
    ]);
    expect(sheets[0]!.data[1]![0]).toMatchObject({ value: 'Capio Huskvarna' });
    expect(wrapper.get('[data-testid="announcement"]').text()).toBe(`Excel-filen ${file} är sparad.`);
    expect(wrapper.find('[data-testid="export-csv"]').exists()).toBe(true);
  });

  it('says so when the export fails', async () => {
    vi.mocked(downloadXlsx).mockRejectedValueOnce(new Error('chunk failed'));
    const { wrapper } = await mountView();
    await wrapper.get('[data-testid="export-xlsx"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="announcement"]').text()).toBe('Exporten misslyckades. Försök igen.');
    expect(wrapper.get('[data-testid="export-xlsx"]').attributes('disabled')).toBeUndefined();
  });
});

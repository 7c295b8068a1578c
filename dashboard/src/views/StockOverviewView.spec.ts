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
vi.mock('../lib/csv', async (original) => ({
  ...(await original<typeof import('../lib/csv')>()),
  downloadText: vi.fn(),
}));

import { downloadText } from '../lib/csv';
import { followStockOverview } from '../realtime/socket';

const rows = [
  overviewRow(),
  overviewRow({
    productId: 'p-flu',
    productName: 'Vaxigrip Tetra',
    doses: 0,
    coversNext7Days: false,
    bookedNext7Days: 15,
    daysOfSupply: 0,
  }),
  overviewRow({
    unitId: 'unit-2',
    unitName: 'Capio Huskvarna',
    careProviderId: 'cp-capio',
    careProviderName: 'Capio',
    doses: 300,
    daysOfSupply: null,
  }),
];

async function mountView(query = '') {
  const pinia = createPinia();
  setActivePinia(pinia);
  useAuthStore().session = sessionAs('SMITTSKYDD', {
    unitId: 'u-sm',
    unitName: 'Regionalt smittskydd',
    regionId: 'r',
  });
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
  store.receiveSnapshot(4, { version: 4, rows });
  await flushPromises();
  return { wrapper, router };
}

describe('region stock overview', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('follows the region and shows a row per unit and product, coverage in words', async () => {
    const { wrapper } = await mountView();
    expect(followStockOverview).toHaveBeenCalledWith('r');
    const flu = wrapper.get('[data-testid="overview-row-unit-1-p-flu"]');
    expect(flu.attributes('data-doses')).toBe('0');
    expect(flu.text()).toContain('Nej');
    expect(flu.text()).toContain('15 doser saknas');
    expect(wrapper.get('[data-testid="overview-row-unit-2-p-comirnaty"]').text()).toContain(
      'Ingen förbrukning',
    );
    // sorted by days of supply, shortest first, by default
    const ids = wrapper.findAll('[data-testid^="overview-row-"]').map((r) => r.attributes('data-testid'));
    expect(ids[0]).toBe('overview-row-unit-1-p-flu');
    expect(wrapper.get('th[aria-sort="ascending"]').text()).toContain('Räcker (dagar)');
  });

  it('filters by care provider through the URL and exports exactly the rows shown', async () => {
    const { wrapper, router } = await mountView('?careProvider=cp-capio');
    expect(wrapper.findAll('[data-testid^="overview-row-"]')).toHaveLength(1);
    await wrapper.get('[data-testid="export-csv"]').trigger('click');
    const [file, csv] = vi.mocked(downloadText).mock.calls[0]!;
    expect(file).toMatch(/^saldooversikt-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(csv.startsWith('\uFEFFEnhet;Vårdgivare;Produkt;')).toBe(true);
    expect(csv.trim().split('\r\n')).toHaveLength(2);
    expect(csv).toContain('Capio Huskvarna;Capio;Comirnaty JN.1;300');

    await wrapper.get('[data-testid="sort-doses"]').trigger('click');
    await flushPromises();
    expect(router.currentRoute.value.query).toMatchObject({
      careProvider: 'cp-capio',
      sort: 'doses',
      dir: 'asc',
    });
  });
});

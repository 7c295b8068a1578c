import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { ApiError } from '../api/http';
import { jobsApi } from '../api/jobs';
import { productsApi } from '../api/products';
import { stockApi, type LatestReconciliation } from '../api/stock';
import { unitsApi } from '../api/units';
import { createAppI18n } from '../i18n';
import { useAuthStore } from '../stores/auth';
import { useStockStore } from '../stores/stock';
import { OTHER_UNIT, products, sessionAs, UNIT, units, unitStock } from '../test/stock-fixtures';
import StockView from './StockView.vue';

vi.mock('../realtime/socket', () => ({
  followStock: vi.fn(),
  unfollowStock: vi.fn(),
  retryStock: vi.fn(),
}));
for (const chart of ['StockBalanceChart', 'ConsumptionChart', 'WastageChart']) {
  vi.doMock(`../components/charts/${chart}.vue`, () => ({ default: { render: () => null } }));
}

const report: LatestReconciliation = {
  unitId: UNIT,
  periodFrom: '2025-03-03',
  periodTo: '2025-03-03',
  createdAt: '2025-03-04T02:10:00+01:00',
  report: {
    date: '2025-03-03',
    products: [
      {
        productId: 'p-comirnaty',
        productName: 'Comirnaty JN.1',
        received: 120,
        administered: 40,
        closedVialWastage: 6,
        openVialWastage: 4,
        unexplainedLoss: 3,
        unexplainedGain: 0,
        counts: 1,
        closedVialWastageRate: 0.1304,
        openVialWastageRate: 0.0909,
      },
    ],
  },
};

const notFound = () =>
  new ApiError({ statusCode: 404, error: 'Not Found', message: 'no reconciliation yet' });

async function mountView(role = 'STOCK_MANAGER') {
  const pinia = createPinia();
  setActivePinia(pinia);
  useAuthStore().session = sessionAs(role);
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/saldo', name: 'stock', component: StockView },
      { path: '/saldo/oversikt', name: 'stockOverview', component: { render: () => null } },
    ],
  });
  await router.push('/saldo');
  await router.isReady();
  const wrapper = mount(StockView, {
    global: { plugins: [pinia, createAppI18n('sv'), router] },
    attachTo: document.body,
  });
  const store = useStockStore();
  store.begin(UNIT);
  store.receiveSnapshot(10, unitStock());
  await flushPromises();
  return { wrapper, store };
}

describe('stock view: reconciliation and transfer targets', () => {
  beforeEach(() => {
    vi.spyOn(productsApi, 'list').mockResolvedValue(products);
    vi.spyOn(stockApi, 'history').mockResolvedValue([]);
    vi.spyOn(stockApi, 'get').mockResolvedValue(unitStock());
  });
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('transfers go only to other units of the region that vaccinate, whatever their name', async () => {
    vi.spyOn(stockApi, 'latestReconciliation').mockRejectedValue(notFound());
    vi.spyOn(unitsApi, 'list').mockResolvedValue([
      ...units,
      { ...units[1]!, id: 'u-store', name: 'Regionens centrallager', vaccinates: false },
      { ...units[1]!, id: 'u-nassjo', name: 'Vårdcentralen Nässjö', vaccinates: true },
    ]);
    const { wrapper } = await mountView();
    await wrapper.get('[data-testid="movement-kind-select"]').setValue('TRANSFER_OUT');
    const targets = wrapper
      .findAll('[data-testid="movement-to-unit-select"] option')
      .map((o) => o.attributes('value'));
    expect(targets).toEqual(['', OTHER_UNIT, 'u-nassjo']);
  });

  it('before the first run: says there is no reconciliation yet', async () => {
    vi.spyOn(unitsApi, 'list').mockResolvedValue(units);
    vi.spyOn(stockApi, 'latestReconciliation').mockRejectedValue(notFound());
    const { wrapper } = await mountView();
    const block = wrapper.get('[data-testid="reconciliation"] [data-testid="reconciliation-report"]');
    expect(block.text()).toContain('Senaste avstämning');
    expect(block.get('[data-testid="reconciliation-report-none"]').text()).toBe(
      'Ingen avstämning har gjorts för enheten ännu. Den görs varje natt.',
    );
  });

  it('a run shows its result, then the new report: per product received, given, wastage with rates, loss', async () => {
    vi.spyOn(unitsApi, 'list').mockResolvedValue(units);
    const latest = vi
      .spyOn(stockApi, 'latestReconciliation')
      .mockRejectedValueOnce(notFound())
      .mockResolvedValueOnce(report);
    vi.spyOn(stockApi, 'reconcile').mockResolvedValue({ jobId: 'job-1' });
    vi.spyOn(jobsApi, 'get').mockResolvedValue({
      id: 'job-1',
      queue: 'stock',
      state: 'completed',
      progress: { done: 1, total: 1 },
      result: { units: 1, dosesWrittenOff: 12 },
      finishedAt: '2025-03-04T09:20:00+01:00',
    });
    const { wrapper } = await mountView();
    await wrapper.get('[data-testid="reconcile-start"]').trigger('click');
    await flushPromises();

    expect(wrapper.get('[data-testid="reconcile-status"]').attributes('data-phase')).toBe('completed');
    expect(wrapper.get('[data-testid="reconcile-summary"]').text()).toBe(
      '1 enhet avstämd. 12 doser från utgångna batcher skrevs av.',
    );
    expect(latest).toHaveBeenCalledTimes(2);
    expect(latest).toHaveBeenLastCalledWith(UNIT);

    const block = wrapper.get('[data-testid="reconciliation-report"]');
    expect(block.get('[data-testid="reconciliation-report-period"]').text()).toBe(
      'Gäller 2025-03-03. Gjord 4 mars 2025 02:10.',
    );
    const row = block.get('[data-testid="reconciliation-product-p-comirnaty"]');
    expect(row.attributes('data-unexplained-loss')).toBe('3');
    const cells = row.findAll('th, td').map((c) => c.text());
    expect(cells[0]).toBe('Comirnaty JN.1');
    expect(cells[1]).toBe('120 doser');
    expect(cells[2]).toBe('40 doser');
    expect(cells[3]).toContain('6 doser');
    expect(cells[3]).toMatch(/kassationsgrad 13\s%/);
    expect(cells[4]).toMatch(/kassationsgrad 9,1\s%/);
    expect(cells[5]).toContain('3 doser');
    expect(cells[5]).toContain('1 inventering');
    // the loss is marked with an icon as well as colour
    expect(block.find('.loss svg').exists()).toBe(true);
  });

  it('read-only viewers see the latest report too, without the start button', async () => {
    vi.spyOn(unitsApi, 'list').mockResolvedValue(units);
    vi.spyOn(stockApi, 'latestReconciliation').mockResolvedValue(report);
    const { wrapper } = await mountView('NURSE');
    expect(wrapper.find('[data-testid="reconcile-start"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="reconciliation-report"]').text()).toContain('Comirnaty JN.1');
  });
});

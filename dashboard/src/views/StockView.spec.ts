import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { ApiError } from '../api/http';
import { productsApi } from '../api/products';
import { stockApi } from '../api/stock';
import { unitsApi } from '../api/units';
import { createAppI18n } from '../i18n';
import { useAuthStore } from '../stores/auth';
import { useStockStore } from '../stores/stock';
import { moved, OTHER_UNIT, products, sessionAs, UNIT, units, unitStock } from '../test/stock-fixtures';
import StockView from './StockView.vue';

// The view must not touch the socket itself; it only says what to follow.
vi.mock('../realtime/socket', () => ({
  followStock: vi.fn(),
  unfollowStock: vi.fn(),
  retryStock: vi.fn(),
  followStockOverview: vi.fn(),
  unfollowStockOverview: vi.fn(),
}));
// Chart.js needs a real canvas; the charts are not what this test is about.
for (const chart of ['StockBalanceChart', 'ConsumptionChart', 'WastageChart']) {
  vi.doMock(`../components/charts/${chart}.vue`, () => ({ default: { render: () => null } }));
}

import { followStock } from '../realtime/socket';

async function mountView(role = 'STOCK_MANAGER', path = '/saldo') {
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
  await router.push(path);
  await router.isReady();
  const wrapper = mount(StockView, {
    global: { plugins: [pinia, createAppI18n('sv'), router] },
    attachTo: document.body,
  });
  return { wrapper, store: useStockStore() };
}

/** What the socket module does when the subscribe ack arrives. */
async function deliver(store: ReturnType<typeof useStockStore>, unitId = UNIT) {
  store.begin(unitId);
  store.receiveSnapshot(10, unitStock({ unitId }));
  await flushPromises();
}

describe('stock view', () => {
  beforeEach(() => {
    vi.spyOn(productsApi, 'list').mockResolvedValue(products);
    vi.spyOn(unitsApi, 'list').mockResolvedValue(units);
    vi.spyOn(stockApi, 'history').mockResolvedValue([]);
    vi.spyOn(stockApi, 'get').mockResolvedValue(unitStock());
    vi.spyOn(stockApi, 'latestReconciliation').mockRejectedValue(
      new ApiError({ statusCode: 404, error: 'Not Found', message: 'no reconciliation yet' }),
    );
  });
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('follows the own unit and shows each batch with its balance, expiry and status in words', async () => {
    const { wrapper, store } = await mountView();
    expect(followStock).toHaveBeenCalledWith(UNIT);
    await deliver(store);

    const row = wrapper.get('[data-testid="stock-row-b-2"]');
    expect(row.attributes('data-doses')).toBe('12');
    expect(row.attributes('data-row-version')).toBe('3');
    expect(row.text()).toContain('FN-OLD');
    expect(row.text()).toContain('2025-03-10');
    expect(row.text()).toContain('12 doser');
    expect(row.text()).toContain('Utgår snart');
    // a multi-dose product also says how many vials that is
    expect(wrapper.get('[data-testid="stock-row-b-1"]').text()).toContain('≈ 10 flaskor');

    const alerts = wrapper.get('[data-testid="stock-alerts"]').text();
    expect(alerts).toContain('Vaxigrip Tetra: slut i lager.');
    expect(alerts).toContain('Comirnaty JN.1, batch FN-OLD: går ut 2025-03-10, 12 doser kvar.');
    // most urgent first
    expect(alerts.indexOf('Slut i lager')).toBeLessThan(alerts.indexOf('Utgår snart'));
    expect(wrapper.get('[data-testid="stock-product-p-comirnaty"]').text()).toContain('40 doser');
  });

  it('a movement at the unit shows at once', async () => {
    const { wrapper, store } = await mountView();
    await deliver(store);
    store.receiveChange(moved(11, [{ batchId: 'b-1', doses: 54, rowVersion: 4 }]));
    await flushPromises();
    const row = wrapper.get('[data-testid="stock-row-b-1"]');
    expect(row.attributes('data-doses')).toBe('54');
    expect(row.attributes('data-row-version')).toBe('4');
    expect(row.classes()).toContain('row--changed');
  });

  it('nurses see the stock read-only: no forms', async () => {
    const { wrapper, store } = await mountView('NURSE');
    await deliver(store);
    expect(wrapper.find('[data-testid="stock-row-b-1"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="movement-form"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="reconciliation"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="stock-read-only"]').text()).toContain('läsläge');
  });

  it('smittskydd opens another unit from the overview, read-only; without one it is sent to the overview', async () => {
    const { wrapper, store } = await mountView('SMITTSKYDD', `/saldo?unit=${OTHER_UNIT}`);
    expect(followStock).toHaveBeenLastCalledWith(OTHER_UNIT);
    await deliver(store, OTHER_UNIT);
    expect(wrapper.get('h1').text()).toBe('Saldo – Vårdcentralen Huskvarna');
    expect(wrapper.find('[data-testid="movement-form"]').exists()).toBe(false);

    const plain = await mountView('SMITTSKYDD');
    expect(plain.wrapper.find('[data-testid="stock-pick-unit"]').exists()).toBe(true);
  });

  it('checks the form before sending, next to the fields, with labels', async () => {
    const move = vi.spyOn(stockApi, 'move');
    const { wrapper, store } = await mountView();
    await deliver(store);
    await wrapper.get('[data-testid="movement-kind-select"]').setValue('WASTAGE');
    await wrapper.get('[data-testid="movement-batch-select"]').setValue('b-1');
    await wrapper.get('[data-testid="movement-doses-input"]').setValue('2,5');
    await wrapper.get('[data-testid="movement-submit"]').trigger('submit');
    await flushPromises();

    expect(move).not.toHaveBeenCalled();
    const doses = wrapper.get('[data-testid="movement-doses-input"]');
    expect(doses.attributes('aria-invalid')).toBe('true');
    expect(wrapper.get('[data-testid="movement-amount-error"]').text()).toContain('positivt heltal');
    expect(wrapper.get('[data-testid="movement-reason-select"]').attributes('aria-invalid')).toBe('true');
    expect(wrapper.get('label[for="mv-amount"]').text()).toBe('Antal kasserade');
    // the reasons, in Swedish
    const reasons = wrapper.findAll('[data-testid="movement-reason-select"] option').map((o) => o.text());
    expect(reasons).toContain('Öppnad flaska – tidsgräns');
    expect(reasons).toContain('Kylkedjebrott');
  });

  it('someone else changed the batch meanwhile: the conflict says so, and one click re-applies', async () => {
    const move = vi
      .spyOn(stockApi, 'move')
      .mockRejectedValueOnce(
        new ApiError({
          statusCode: 409,
          error: 'Conflict',
          message: 'stale',
          code: 'STALE_ROW_VERSION',
          current: { batchId: 'b-1', doses: 48, rowVersion: 5 },
        }),
      )
      .mockResolvedValueOnce({ movementId: 9, balance: { batchId: 'b-1', doses: 42, rowVersion: 6 } });
    const { wrapper, store } = await mountView();
    await deliver(store);

    await wrapper.get('[data-testid="movement-kind-select"]').setValue('WASTAGE');
    await wrapper.get('[data-testid="movement-batch-select"]').setValue('b-1');
    // the other manager's movement arrives while this one is typing
    store.receiveChange(moved(11, [{ batchId: 'b-1', doses: 48, rowVersion: 5 }]));
    await flushPromises();
    expect(wrapper.get('[data-testid="stock-changed-notice"]').text()).toContain(
      'nu 48 doser (var 60 doser)',
    );

    await wrapper.get('[data-testid="movement-doses-input"]').setValue('6');
    await wrapper.get('[data-testid="movement-reason-select"]').setValue('BROKEN');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(move.mock.calls[0]![1]).toMatchObject({
      kind: 'WASTAGE',
      batchId: 'b-1',
      doses: 6,
      expectedRowVersion: 3,
    });

    const conflict = wrapper.get('[data-testid="stock-conflict"]');
    expect(conflict.attributes('role')).toBe('alert');
    expect(conflict.text()).toContain('Saldot ändrades av någon annan medan du skrev: nu 48 doser.');
    expect(conflict.text()).toContain('Kassera 6 doser från det nya saldot: 42 doser kvar efteråt.');
    expect(document.activeElement).toBe(wrapper.get('[data-testid="stock-reapply"]').element);

    await wrapper.get('[data-testid="stock-reapply"]').trigger('click');
    await flushPromises();
    expect(move.mock.calls[1]![1]).toMatchObject({ expectedRowVersion: 5, doses: 6 });
    expect(move.mock.calls[1]![2]).not.toBe(move.mock.calls[0]![2]);
    expect(wrapper.find('[data-testid="stock-conflict"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="movement-done"]').text()).toBe(
      'Registrerat. Comirnaty JN.1, batch FN-b-1: nu 42 doser.',
    );
  });

  it('a conflict can be cancelled instead', async () => {
    vi.spyOn(stockApi, 'move').mockRejectedValueOnce(
      new ApiError({
        statusCode: 409,
        error: 'Conflict',
        message: 'stale',
        code: 'STALE_ROW_VERSION',
        current: { batchId: 'b-1', doses: 50, rowVersion: 5 },
      }),
    );
    const { wrapper, store } = await mountView();
    await deliver(store);
    await wrapper.get('[data-testid="movement-kind-select"]').setValue('COUNT');
    await wrapper.get('[data-testid="movement-batch-select"]').setValue('b-1');
    await wrapper.get('[data-testid="movement-doses-input"]').setValue('57');
    expect(wrapper.get('[data-testid="count-difference"]').text()).toBe('Differens mot saldot: −3 doser.');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-testid="stock-conflict"]').text()).toContain(
      'Ditt räknade saldo 57 doser ersätter 50 doser (differens +7 doser).',
    );
    await wrapper.get('[data-testid="stock-conflict-cancel"]').trigger('click');
    expect(wrapper.find('[data-testid="stock-conflict"]').exists()).toBe(false);
  });

  it('below zero: shows the balance now and why', async () => {
    vi.spyOn(stockApi, 'move').mockRejectedValueOnce(
      new ApiError({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: 'Batchen har bara 4 doser',
        code: 'BELOW_ZERO',
        current: { batchId: 'b-1', doses: 4, rowVersion: 8 },
      }),
    );
    const { wrapper, store } = await mountView();
    await deliver(store);
    await wrapper.get('[data-testid="movement-kind-select"]').setValue('TRANSFER_OUT');
    await wrapper.get('[data-testid="movement-batch-select"]').setValue('b-1');
    await wrapper.get('[data-testid="movement-doses-input"]').setValue('6');
    // transfer targets: not the own unit, not smittskydd, not another region
    const targets = wrapper.findAll('[data-testid="movement-to-unit-select"] option').map((o) => o.text());
    expect(targets).toEqual(['Välj enhet', 'Vårdcentralen Huskvarna']);
    await wrapper.get('[data-testid="movement-to-unit-select"]').setValue(OTHER_UNIT);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    const rule = wrapper.get('[data-testid="stock-rule"]');
    expect(rule.text()).toContain('Saldot får aldrig bli negativt.');
    expect(rule.text()).toContain('Batchen har nu 4 doser.');
    expect(rule.text()).toContain('Batchen har bara 4 doser');
  });

  it('no answer: "Försök igen" sends the same submission with the same key', async () => {
    const move = vi
      .spyOn(stockApi, 'move')
      .mockRejectedValueOnce(new ApiError({ statusCode: 502, error: 'Bad Gateway', message: '' }))
      .mockResolvedValueOnce({ movementId: 3, balance: { batchId: 'b-1', doses: 180, rowVersion: 4 } });
    const { wrapper, store } = await mountView();
    await deliver(store);
    await wrapper.get('[data-testid="movement-batch-select"]').setValue('b-1');
    await wrapper.get('[data-testid="movement-unit-select"]').setValue('vials');
    await wrapper.get('[data-testid="movement-doses-input"]').setValue('20');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-testid="movement-failed"]').text()).toContain('bokförs inte två gånger');
    await wrapper.get('[data-testid="movement-retry"]').trigger('click');
    await flushPromises();
    expect(move.mock.calls[0]![1]).toMatchObject({ kind: 'RECEIPT', vials: 20 });
    expect(move.mock.calls[1]![2]).toBe(move.mock.calls[0]![2]);
    expect(wrapper.get('[data-testid="movement-done"]').text()).toContain('nu 180 doser');
  });

  it('shows the ledger of a batch', async () => {
    vi.spyOn(stockApi, 'ledger').mockResolvedValue([
      {
        id: 2,
        kind: 'WASTAGE',
        delta: -6,
        balanceAfter: 60,
        reason: 'COLD_CHAIN',
        note: 'Kylskåpet larmade',
        userName: 'Sara Saldo',
        counterpartUnitName: null,
        createdAt: '2025-03-04T08:15:00+01:00',
      },
    ]);
    const { wrapper, store } = await mountView('NURSE');
    await deliver(store);
    await wrapper.get('[data-testid="show-ledger-b-1"]').trigger('click');
    await flushPromises();
    const entry = wrapper.get('[data-testid="ledger-entry-2"]').text();
    expect(entry).toContain('Kassation');
    expect(entry).toContain('−6 doser');
    expect(entry).toContain('Kylkedjebrott');
    expect(entry).toContain('Sara Saldo');
  });
});

import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { ApiError } from '../api/http';
import { journalApi } from '../api/journal';
import { createAppI18n } from '../i18n';
import { controlReport } from '../test/journal-fixtures';
import ControlReportView from './ControlReportView.vue';

async function mountView() {
  setActivePinia(createPinia());
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/kontrollrapport', name: 'controlReport', component: ControlReportView },
      { path: '/patient', name: 'patient', component: { render: () => null } },
    ],
  });
  await router.push('/kontrollrapport');
  await router.isReady();
  const w = mount(ControlReportView, { global: { plugins: [createAppI18n('sv'), router] } });
  await flushPromises();
  return w;
}

describe('control report view', () => {
  beforeEach(() => vi.spyOn(journalApi, 'controlReport').mockResolvedValue(controlReport));
  afterEach(() => vi.restoreAllMocks());

  it('lists each dose with patient, date, unit and what is wrong, linking to the patient', async () => {
    const w = await mountView();
    const hist = w.get('[data-testid="cr-row-v-hist"]');
    expect(hist.text()).toContain('2021-06-01');
    expect(hist.text()).toContain('199001010017');
    expect(hist.text()).toContain('Vaccinationsmottagningen Jönköping');
    expect(hist.text()).toContain('Historisk dos');
    expect(hist.text()).toContain('Given i Tyskland');
    expect(hist.get('a').attributes('href')).toBe('/patient?pnr=199001010017');
    expect(w.get('[data-testid="cr-row-v-res"]').text()).toContain('Ogiltigt id-nummer');
  });

  it('filters by problem, with the count of each', async () => {
    const w = await mountView();
    expect(w.get('[data-testid="cr-only"]').text()).toContain('Historisk dos (1)');
    await w.get('[data-testid="cr-only"]').setValue('INVALID_IDENTITY');
    expect(w.find('[data-testid="cr-row-v-hist"]').exists()).toBe(false);
    expect(w.find('[data-testid="cr-row-v-res"]').exists()).toBe(true);
  });

  it('asks again for the chosen period', async () => {
    const w = await mountView();
    await w.get('[data-testid="cr-from"]').setValue('2021-01-01');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(journalApi.controlReport).toHaveBeenLastCalledWith({ from: '2021-01-01', to: '2026-11-01' });
  });

  it('says when there is nothing to review, and shows an error when the report fails', async () => {
    vi.spyOn(journalApi, 'controlReport').mockResolvedValueOnce({
      ...controlReport,
      entries: [],
      counts: {},
    });
    const w = await mountView();
    expect(w.get('[data-testid="cr-empty"]').text()).toBe('Inga doser att granska för perioden.');
    vi.spyOn(journalApi, 'controlReport').mockRejectedValueOnce(
      new ApiError({ statusCode: 403, error: 'Forbidden', message: 'not allowed' }),
    );
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('[role="alert"]').text()).toBe('not allowed');
  });
});

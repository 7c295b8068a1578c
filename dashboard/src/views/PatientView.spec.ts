import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { ApiError } from '../api/http';
import { journalApi } from '../api/journal';
import { productsApi } from '../api/products';
import { stockApi } from '../api/stock';
import { createAppI18n } from '../i18n';
import { useAuthStore } from '../stores/auth';
import { journal } from '../test/journal-fixtures';
import { sessionAs, unitStock } from '../test/stock-fixtures';
import PatientView from './PatientView.vue';

async function mountView(role: string, query = '?pnr=199001010017') {
  const pinia = createPinia();
  setActivePinia(pinia);
  useAuthStore().session = sessionAs(role);
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/patient', name: 'patient', component: PatientView }],
  });
  await router.push(`/patient${query}`);
  await router.isReady();
  const wrapper = mount(PatientView, { global: { plugins: [pinia, createAppI18n('sv'), router] } });
  await flushPromises();
  return wrapper;
}

describe('patient view', () => {
  beforeEach(() => {
    vi.spyOn(journalApi, 'journal').mockResolvedValue(journal());
    vi.spyOn(productsApi, 'list').mockResolvedValue([
      {
        id: 'p-com',
        name: 'Comirnaty',
        aliases: [],
        atcCode: 'J07BN01',
        dosesPerVial: 6,
        diseaseArea: 'COVID-19',
      },
    ]);
    vi.spyOn(stockApi, 'get').mockResolvedValue(unitStock());
  });
  afterEach(() => vi.restoreAllMocks());

  it('opens the patient from the address and marks historical and voided doses in the history', async () => {
    const w = await mountView('NURSE');
    expect(journalApi.journal).toHaveBeenCalledWith('199001010017');
    expect(w.get('[data-testid="patient-card"]').text()).toContain('Eva Ek');
    expect(w.get('[data-testid="dose-v-hist"]').text()).toContain('Historisk');
    expect(w.get('[data-testid="dose-v-hist"]').text()).toContain('Given i Tyskland');
    expect(w.get('[data-testid="dose-v-void"]').text()).toContain('Makulerad: Fel patient');
    expect(w.get('[data-testid="dose-v1"]').find('[data-testid="tag-voided"]').exists()).toBe(false);
  });

  it('shows the declaration’s flags to the prescriber next to "Signera ordination"', async () => {
    const w = await mountView('PHYSICIAN');
    expect(w.get('[data-testid="declaration-flags"]').text()).toContain('Blödningsrisk');
    expect(w.get('[data-testid="rx-flags"]').text()).toContain('Blödningsrisk');
    expect(w.get('[data-testid="rx-sign"]').text()).toBe('Signera ordination');
  });

  it('a nurse cannot prescribe, and administers by choosing a prescription ("Signera administrering")', async () => {
    const administer = vi.spyOn(journalApi, 'administer').mockResolvedValue({ id: 'v-new' });
    const w = await mountView('NURSE');
    expect(w.find('[data-testid="prescribe-form"]').exists()).toBe(false);
    await w.get('[data-testid="adm-prescription"]').setValue('rx-2');
    await flushPromises();
    expect(w.get('[data-testid="adm-sign"]').text()).toBe('Signera administrering');
    await w.get('[data-testid="administer"] form').trigger('submit');
    await flushPromises();
    expect(administer).toHaveBeenCalledWith(
      expect.objectContaining({
        personalIdentityNumber: '199001010017',
        doseNumber: 2,
        prescriptionId: 'rx-2',
      }),
    );
  });

  it('records consent only after the box is ticked, showing how many doses other providers hold', async () => {
    const record = vi.spyOn(journalApi, 'recordConsent').mockResolvedValue(undefined);
    const w = await mountView('NURSE');
    expect(w.get('[data-testid="consent-count"]').text()).toBe('Sam. journalföring (2)');
    expect(w.get('[data-testid="consent-record"]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid="consent-check"]').setValue(true);
    await w.get('[data-testid="consent-record"]').trigger('click');
    await flushPromises();
    expect(record).toHaveBeenCalledWith('199001010017');
    expect(journalApi.journal).toHaveBeenCalledTimes(2);
  });

  it('voids a dose with a reason and shows the server’s refusal when there is one', async () => {
    vi.spyOn(journalApi, 'voidDose').mockRejectedValue(
      new ApiError({ statusCode: 409, error: 'Conflict', message: 'the vaccination is already voided' }),
    );
    const w = await mountView('NURSE');
    const voidButton = w.findAll('[data-testid="dose-v1"] button').find((b) => b.text() === 'Makulera')!;
    await voidButton.trigger('click');
    await w.get('[data-testid="void-reason"]').setValue('Fel vaccin registrerat');
    await w.get('[data-testid="dose-v1"] form').trigger('submit');
    await flushPromises();
    expect(journalApi.voidDose).toHaveBeenCalledWith('v1', 'Fel vaccin registrerat');
    expect(w.get('[data-testid="journal-error"]').text()).toContain('already voided');
  });

  it('says so when no patient has the number', async () => {
    vi.spyOn(journalApi, 'journal').mockRejectedValue(
      new ApiError({ statusCode: 404, error: 'Not Found', message: 'no patient' }),
    );
    const w = await mountView('NURSE');
    expect(w.get('[data-testid="patient-not-found"]').text()).toBe('Ingen patient med det numret.');
  });

  it('offers printing to nurses and physicians (R9)', async () => {
    const w = await mountView('NURSE_PRESCRIBER');
    expect(w.get('[data-testid="print-history"]').text()).toBe('Skriv ut historik');
    expect(w.get('[data-testid="print-journal"]').text()).toBe('Skriv ut journal');
  });

  it('seals a dose from the citizen view (R5) and marks a sealed one', async () => {
    const seal = vi.spyOn(journalApi, 'sealDose').mockResolvedValue(undefined);
    const w = await mountView('NURSE');
    await w.get('[data-testid="seal-v1"]').trigger('click');
    await flushPromises();
    expect(seal).toHaveBeenCalledWith('v1', true);
    expect(w.get('[data-testid="journal-message"]').text()).toContain('Förseglingen är registrerad');
  });
});

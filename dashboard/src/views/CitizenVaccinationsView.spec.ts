import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { citizenApi } from '../api/journal';
import { createAppI18n } from '../i18n';
import { citizenData } from '../test/journal-fixtures';
import CitizenVaccinationsView from './CitizenVaccinationsView.vue';

function mountView() {
  setActivePinia(createPinia());
  return mount(CitizenVaccinationsView, { global: { plugins: [createAppI18n('sv')] } });
}

describe('Mina vaccinationer', () => {
  beforeEach(() => {
    sessionStorage.clear();
    vi.spyOn(citizenApi, 'devLogin').mockResolvedValue({
      accessToken: 'tok-c',
      patient: { id: 'pat-1', name: 'Eva Ek' },
    });
    vi.spyOn(citizenApi, 'vaccinations').mockResolvedValue(citizenData);
  });
  afterEach(() => vi.restoreAllMocks());

  it('logs in and shows the own doses, the next dose, and each child', async () => {
    const w = mountView();
    await w.get('[data-testid="citizen-pnr"]').setValue('199001010017');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(citizenApi.vaccinations).toHaveBeenCalledWith('tok-c');
    expect(w.get('[data-testid="citizen-dose-cv1"]').text()).toContain('Comirnaty');
    expect(w.get('[data-testid="next-doses"]').text()).toContain('Nästa dos: Comirnaty dos 2 från');
    expect(w.get('[data-testid="citizen-person-child-1"]').text()).toContain('Ola Ek');
    expect(w.get('[data-testid="citizen-person-child-1"]').get('[data-testid="citizen-none"]').text()).toBe(
      'Inga vaccinationer att visa.',
    );
  });

  it('keeps the citizen session on reload and forgets it on logout', async () => {
    sessionStorage.setItem('vaxops.citizen', 'tok-c');
    const w = mountView();
    await flushPromises();
    expect(citizenApi.vaccinations).toHaveBeenCalledWith('tok-c');
    await w.get('[data-testid="citizen-logout"]').trigger('click');
    expect(sessionStorage.getItem('vaxops.citizen')).toBeNull();
    expect(w.find('[data-testid="citizen-pnr"]').exists()).toBe(true);
  });

  it('shows the login error', async () => {
    vi.spyOn(citizenApi, 'devLogin').mockRejectedValue(
      new Error('personalIdentityNumber has a wrong check digit'),
    );
    const w = mountView();
    await w.get('[data-testid="citizen-pnr"]').setValue('199001010018');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('[role="alert"]').text()).toContain('wrong check digit');
  });
});

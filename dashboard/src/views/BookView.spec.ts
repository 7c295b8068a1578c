import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { citizenApi, type CitizenMe, type WebUnit } from '../api/citizen';
import { ApiError } from '../api/http';
import { smsApi } from '../api/sms';
import { createAppI18n } from '../i18n';
import { addDays, todayInStockholm } from '../lib/dates';
import BookView from './BookView.vue';

const today = todayInStockholm();
const day = addDays(today, 2);
const me: CitizenMe = {
  id: 'p1',
  name: 'Anna Andersson',
  personalIdentityNumber: '199001011234',
  identityType: 'PERSONNUMMER',
  phone: '+46701234567',
  webBooking: { allowed: true },
  holdMinutes: 5,
};
const units: WebUnit[] = [
  {
    id: 'u1',
    name: 'Vaccinationsmottagningen Jönköping',
    address: null,
    municipalityCode: '0680',
    municipalityName: 'Jönköping',
    visitTypes: [
      { id: 'vt1', name: 'Covid-19 dos 1', doseNumber: 1, productId: 'p', diseaseArea: 'COVID-19' },
      { id: 'vt2', name: 'Covid-19 dos 2', doseNumber: 2, productId: 'p', diseaseArea: 'COVID-19' },
    ],
  },
  {
    id: 'u3',
    name: 'Vårdcentralen Nässjö',
    address: null,
    municipalityCode: '0682',
    municipalityName: 'Nässjö',
    visitTypes: [
      { id: 'vt9', name: 'Influensavaccination', doseNumber: 1, productId: 'q', diseaseArea: 'INFLUENSA' },
    ],
  },
];
const start = `${day}T08:10:00+01:00`;

function apiError(statusCode: number, extra: Record<string, unknown> = {}) {
  return new ApiError({ statusCode, error: 'x', message: 'm', ...extra });
}

async function mountView(query = '') {
  setActivePinia(createPinia());
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/boka', component: BookView }],
  });
  await router.push(`/boka${query}`);
  await router.isReady();
  const wrapper = mount(BookView, {
    global: { plugins: [createAppI18n('sv'), router] },
    attachTo: document.body,
  });
  await flushPromises();
  return wrapper;
}

beforeEach(() => {
  sessionStorage.clear();
  vi.spyOn(citizenApi, 'devCitizens').mockResolvedValue([]);
  vi.spyOn(citizenApi, 'login').mockResolvedValue({ accessToken: 'tok' });
  vi.spyOn(citizenApi, 'me').mockResolvedValue(me);
  vi.spyOn(citizenApi, 'bookings').mockResolvedValue([]);
  vi.spyOn(citizenApi, 'units').mockResolvedValue(units);
  vi.spyOn(citizenApi, 'days').mockResolvedValue([
    { date: today, open: 10, free: 0 },
    { date: day, open: 12, free: 3 },
  ]);
  vi.spyOn(citizenApi, 'times').mockResolvedValue([
    { slotId: 's1', start, end: `${day}T08:20:00+01:00`, free: 2 },
    { slotId: 's2', start: `${day}T08:20:00+01:00`, end: `${day}T08:30:00+01:00`, free: 1 },
  ]);
  vi.spyOn(citizenApi, 'hold').mockResolvedValue({
    holdId: 'h1',
    slotId: 's1b',
    expiresAt: new Date(Date.now() + 5 * 60_000).toISOString(),
  });
  vi.spyOn(citizenApi, 'release').mockResolvedValue({});
  vi.spyOn(citizenApi, 'book').mockResolvedValue({ id: 'b1', slotId: 's1b', status: 'ACTIVE' });
  vi.spyOn(citizenApi, 'questions').mockResolvedValue([{ diseaseArea: 'COVID-19', questions: [] }]);
  vi.spyOn(citizenApi, 'declare').mockResolvedValue({ id: 'd1', flags: [] });
  vi.spyOn(smsApi, 'preferences').mockResolvedValue({
    smsOptOut: false,
    phone: '+46701234567',
    smsPossible: true,
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  document.body.innerHTML = '';
});

async function loginAndAdmit(w: Awaited<ReturnType<typeof mountView>>) {
  await w.get('[data-testid="citizen-pnr"]').setValue('19900101-1234');
  await w.get('form').trigger('submit');
  await flushPromises();
}

describe('citizen booking page (/boka)', () => {
  it('shows the SMS choice once logged in, and turning SMS off saves the opt-out (R18)', async () => {
    vi.spyOn(citizenApi, 'enterWaitingRoom').mockResolvedValue({
      admitted: true,
      position: 0,
      ratePerSecond: 50,
      estimatedWaitSeconds: 0,
      admittedUntil: null,
    });
    const setPreferences = vi.spyOn(smsApi, 'setPreferences').mockResolvedValue({ smsOptOut: true });
    const w = await mountView();
    expect(w.find('[data-testid="sms-opt-out"]').exists()).toBe(false); // not before login
    await loginAndAdmit(w);
    const box = w.get('[data-testid="sms-opt-out"] input[type="checkbox"]');
    expect((box.element as HTMLInputElement).checked).toBe(true);
    expect(w.text()).toContain('SMS skickas till +46701234567');
    await box.setValue(false);
    await flushPromises();
    expect(setPreferences).toHaveBeenCalledWith('tok', true);
    expect(w.text()).toContain('Du får inga SMS från oss');
  });

  it('logs in, picks unit, day and time, holds it with a countdown, and books the held column', async () => {
    vi.spyOn(citizenApi, 'enterWaitingRoom').mockResolvedValue({
      admitted: true,
      position: 0,
      ratePerSecond: 50,
      estimatedWaitSeconds: 0,
      admittedUntil: null,
    });
    vi.spyOn(citizenApi, 'questions').mockResolvedValue([
      {
        diseaseArea: 'COVID-19',
        questions: [
          { id: 'fever', sv: 'Har du feber i dag?', en: 'Fever today?', flag: 'FEVER' },
          {
            id: 'allergy',
            sv: 'Har du haft en svår allergisk reaktion?',
            en: 'Severe allergy?',
            flag: 'ALLERGY',
          },
        ],
      },
    ]);
    vi.spyOn(citizenApi, 'declare').mockResolvedValue({
      id: 'd1',
      flags: [{ code: 'FEVER', text: 'Feber' }],
    });
    const w = await mountView();
    await loginAndAdmit(w);
    expect(citizenApi.login).toHaveBeenCalledWith('19900101-1234');
    expect(w.text()).toContain('Inloggad som Anna Andersson');

    // search by town narrows the list
    await w.get('[data-testid="unit-search"]').setValue('nässjö');
    expect(w.find('[data-testid="unit-u1"]').exists()).toBe(false);
    await w.get('[data-testid="unit-search"]').setValue('');
    await w.get('[data-testid="unit-u1"]').trigger('click');
    await w.get('[data-testid="visit-type-vt1"]').trigger('click');
    await flushPromises();
    expect(w.get(`[data-testid="day-${today}"]`).attributes('disabled')).toBeDefined();
    expect(w.get(`[data-testid="day-${day}"]`).text()).toContain('3 lediga tider');
    await w.get(`[data-testid="day-${day}"]`).trigger('click');
    await flushPromises();
    await w.get('[data-testid="time-08:10"]').trigger('click');
    await flushPromises();
    expect(citizenApi.hold).toHaveBeenCalledWith('tok', 's1');
    expect(w.get('[data-testid="hold-countdown"]').text()).toMatch(/[45]:\d\d/);
    expect((w.get('[data-testid="citizen-phone"]').element as HTMLInputElement).value).toBe('+46701234567');

    // R19: the health declaration must be answered before confirming
    await w.get('[data-testid="held"] form').trigger('submit');
    await flushPromises();
    expect(citizenApi.book).not.toHaveBeenCalled();
    expect(w.get('[data-testid="book-error"]').text()).toContain('Svara ja eller nej');
    await w.get('[data-testid="q-fever"] input[type="radio"]').setValue(true); // yes
    await w.findAll('[data-testid="q-allergy"] input[type="radio"]')[1]!.setValue(true); // no
    await w.get('[data-testid="held"] form').trigger('submit');
    await flushPromises();
    expect(citizenApi.declare).toHaveBeenCalledWith('tok', {
      diseaseArea: 'COVID-19',
      answers: { fever: true, allergy: false },
      bookingId: 'b1',
    });
    expect(w.get('[data-testid="declaration-flagged"]').text()).toContain('går vaccinatören igenom');
    // the slot actually held (another column at the same time) is the one booked
    expect(citizenApi.book).toHaveBeenCalledWith('tok', {
      slotId: 's1b',
      visitTypeId: 'vt1',
      patient: { personalIdentityNumber: '199001011234', phone: '+46701234567' },
    });
    expect(w.get('[data-testid="booked"]').text()).toContain('Din tid är bokad');
  });

  it('shows each their place in the waiting room and lets them in when it is their turn', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const enter = vi
      .spyOn(citizenApi, 'enterWaitingRoom')
      .mockResolvedValueOnce({
        admitted: false,
        position: 120,
        ratePerSecond: 50,
        estimatedWaitSeconds: 3,
        admittedUntil: null,
      })
      .mockResolvedValueOnce({
        admitted: false,
        position: 20,
        ratePerSecond: 50,
        estimatedWaitSeconds: 1,
        admittedUntil: null,
      })
      .mockResolvedValue({
        admitted: true,
        position: 0,
        ratePerSecond: 50,
        estimatedWaitSeconds: 0,
        admittedUntil: null,
      });
    const w = await mountView();
    await loginAndAdmit(w);
    expect(w.get('[data-testid="waiting-room"]').text()).toContain('Din plats i kön: 120');
    expect(citizenApi.units).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2000);
    expect(w.get('[data-testid="waiting-room"]').text()).toContain('Din plats i kön: 20');
    await vi.advanceTimersByTimeAsync(2000);
    await flushPromises();
    expect(enter).toHaveBeenCalledTimes(3);
    expect(w.find('[data-testid="waiting-room"]').exists()).toBe(false);
    expect(w.find('[data-testid="unit-u1"]').exists()).toBe(true);
  });

  it('R3/R4: a citizen who may not book here is told why and whom to call, and sees no booking steps', async () => {
    vi.spyOn(citizenApi, 'me').mockResolvedValue({
      ...me,
      webBooking: { allowed: false, rule: 'R4', reason: 'RESERVE_NUMBER', message: '…' },
    });
    const enter = vi.spyOn(citizenApi, 'enterWaitingRoom');
    const w = await mountView();
    await loginAndAdmit(w);
    expect(w.get('[data-testid="web-refused"]').text()).toContain('reservnummer');
    expect(w.get('[data-testid="web-refused"]').text()).toContain('Ring vaccinationsmottagningen');
    expect(enter).not.toHaveBeenCalled();
    expect(w.find('[data-testid="unit-u1"]').exists()).toBe(false);
  });

  it('a time taken meanwhile: says so and refreshes the times; a dose not due is explained', async () => {
    vi.spyOn(citizenApi, 'enterWaitingRoom').mockResolvedValue({
      admitted: true,
      position: 0,
      ratePerSecond: 50,
      estimatedWaitSeconds: 0,
      admittedUntil: null,
    });
    vi.spyOn(citizenApi, 'hold').mockRejectedValueOnce(apiError(409, { code: 'SLOT_TAKEN' }));
    const w = await mountView();
    await loginAndAdmit(w);
    await w.get('[data-testid="unit-u1"]').trigger('click');
    await w.get('[data-testid="visit-type-vt2"]').trigger('click');
    await flushPromises();
    await w.get(`[data-testid="day-${day}"]`).trigger('click');
    await flushPromises();
    const timesCalls = vi.mocked(citizenApi.times).mock.calls.length;
    await w.get('[data-testid="time-08:10"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="book-error"]').text()).toContain('hann tas av någon annan');
    expect(vi.mocked(citizenApi.times).mock.calls.length).toBe(timesCalls + 1);

    vi.spyOn(citizenApi, 'book').mockRejectedValueOnce(apiError(422, { reason: 'DOSE_NOT_DUE' }));
    await w.get('[data-testid="time-08:10"]').trigger('click');
    await flushPromises();
    await w.get('[data-testid="held"] form').trigger('submit');
    await flushPromises();
    expect(w.get('[data-testid="book-error"]').text()).toContain('ingen registrering av din tidigare dos');
  });

  it('the SMS link shows the booking without login and cancels it', async () => {
    const booking = {
      id: 'b9',
      status: 'ACTIVE' as const,
      start,
      end: start,
      unitId: 'u1',
      unitName: 'Vaccinationsmottagningen Jönköping',
      unitAddress: null,
      visitTypeId: 'vt1',
      visitTypeName: 'Covid-19 dos 1',
      doseNumber: 1,
      rebookedFromId: null,
      cancelledAt: null,
      cancelReason: null,
    };
    const link = vi
      .spyOn(citizenApi, 'link')
      .mockResolvedValueOnce({ booking })
      .mockResolvedValueOnce({ booking: { ...booking, status: 'CANCELLED' } });
    const cancel = vi.spyOn(citizenApi, 'cancelByLink').mockResolvedValue({});
    const w = await mountView('?ombokning=b9.sig');
    expect(link).toHaveBeenCalledWith('b9.sig');
    expect(w.get('[data-testid="booking-link"]').text()).toContain('Covid-19 dos 1');
    await w.get('[data-testid="link-cancel"]').trigger('click');
    expect(cancel).not.toHaveBeenCalled(); // asks first
    await w.get('[data-testid="link-cancel-confirm"]').trigger('click');
    await flushPromises();
    expect(cancel).toHaveBeenCalledWith('b9.sig');
    expect(w.get('[data-testid="booking-link"]').text()).toContain('Tiden är avbokad');
    expect(w.find('[data-testid="link-cancel"]').exists()).toBe(false);
  });

  it('a forged or broken link says so', async () => {
    vi.spyOn(citizenApi, 'link').mockRejectedValue(apiError(404, { field: 'token' }));
    const w = await mountView('?ombokning=x.y');
    expect(w.get('[data-testid="booking-link"]').text()).toContain('Länken fungerar inte');
  });
});

import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { bookingsApi } from '../api/bookings';
import { ApiError } from '../api/http';
import { unitsApi } from '../api/units';
import { createAppI18n } from '../i18n';
import { useAuthStore } from '../stores/auth';
import { HIGHLIGHT_MS, useTimebookStore } from '../stores/timebook';
import { booked, DATE, session, slot, snapshot, UNIT, visitTypes } from '../test/fixtures';
import TimebookView from './TimebookView.vue';

// The view must not touch the socket itself; it only says what to follow.
vi.mock('../realtime/socket', () => ({
  followTimebook: vi.fn(),
  unfollowTimebook: vi.fn(),
  retryTimebook: vi.fn(),
  followJobs: vi.fn(),
  unfollowJobs: vi.fn(),
}));
// Chart.js needs a real canvas; the chart has its own place, not this test.
vi.mock('../components/charts/AvailabilityChart.vue', () => ({
  __esModule: true,
  default: { render: () => null },
}));

import { followTimebook } from '../realtime/socket';

async function mountView() {
  const pinia = createPinia();
  setActivePinia(pinia);
  useAuthStore().session = structuredClone(session);
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/tidbok', name: 'timebook', component: TimebookView }],
  });
  await router.push(`/tidbok?date=${DATE}`);
  await router.isReady();
  const wrapper = mount(TimebookView, {
    global: { plugins: [pinia, createAppI18n('sv'), router] },
    attachTo: document.body,
  });
  const store = useTimebookStore();
  return { wrapper, store, router };
}

/** What the socket module does when the subscribe ack arrives. */
function deliverSnapshot(store: ReturnType<typeof useTimebookStore>, version = 10) {
  store.begin(UNIT, DATE);
  store.receiveSnapshot(version, structuredClone(snapshot));
}

describe('timebook day view', () => {
  beforeEach(() => {
    vi.spyOn(unitsApi, 'visitTypes').mockResolvedValue(visitTypes);
  });
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('follows the active unit and the day in the URL', async () => {
    await mountView();
    expect(followTimebook).toHaveBeenCalledWith(UNIT, DATE);
  });

  it('shows a loading state until the snapshot arrives', async () => {
    const { wrapper, store } = await mountView();
    store.begin(UNIT, DATE); // what followTimebook does before the ack
    await flushPromises();
    expect(wrapper.get('[data-testid="timebook-loading"]').text()).toBe('Väntar på anslutning till servern…');
    expect(wrapper.get('[data-testid="count-free"]').text()).toBe('–');
  });

  it('renders every slot with its status in words, not only colour', async () => {
    const { wrapper, store } = await mountView();
    deliverSnapshot(store);
    await flushPromises();

    const cell = (id: string) => wrapper.get(`[data-testid="slot-${id}"]`);
    expect(cell('s-free').attributes('data-status')).toBe('FREE');
    expect(cell('s-free').text()).toContain('Ledig');
    expect(cell('s-booked').attributes('data-status')).toBe('BOOKED');
    expect(cell('s-booked').text()).toContain('Bokad');
    expect(cell('s-held').text()).toContain('Hålls');
    expect(cell('s-blocked').text()).toContain('Blockerad');
    expect(cell('s-blocked').text()).toContain('Personalmöte');
    // each status has its own icon too
    expect(cell('s-free').find('svg').exists()).toBe(true);

    // grouped by resource, columns across
    expect(wrapper.get('[data-testid="resource-SKOTERSKA"]').text()).toContain('Kolumn 2');
    expect(wrapper.get('[data-testid="resource-LAKARE"]').text()).toContain('Läkare');

    expect(wrapper.get('[data-testid="count-opened"]').text()).toBe('5');
    expect(wrapper.get('[data-testid="count-free"]').text()).toBe('2');
    expect(wrapper.get('[data-testid="count-held"]').text()).toBe('1');
  });

  it('only free and booked cells are buttons', async () => {
    const { wrapper, store } = await mountView();
    deliverSnapshot(store);
    await flushPromises();
    expect(wrapper.get('[data-testid="slot-s-free"]').element.tagName).toBe('BUTTON');
    expect(wrapper.get('[data-testid="slot-s-booked"]').element.tagName).toBe('BUTTON');
    expect(wrapper.get('[data-testid="slot-s-held"]').element.tagName).toBe('DIV');
    expect(wrapper.get('[data-testid="slot-s-blocked"]').element.tagName).toBe('DIV');
  });

  it('says so when no slots are opened that day', async () => {
    const { wrapper, store } = await mountView();
    store.begin(UNIT, DATE);
    store.receiveSnapshot(1, { ...snapshot, slots: [] });
    await flushPromises();
    expect(wrapper.get('[data-testid="timebook-empty"]').text()).toBe('Inga tider öppnade den här dagen');
  });

  it('clicking a free slot opens the booking dialog with the visit types that fit', async () => {
    const { wrapper, store } = await mountView();
    deliverSnapshot(store);
    await flushPromises();

    await wrapper.get('[data-testid="slot-s-free"]').trigger('click');
    const dialog = wrapper.get('[data-testid="booking-dialog"]');
    expect((dialog.element as HTMLDialogElement).open).toBe(true);
    expect(dialog.text()).toContain('kl. 09:00');

    // Tuesday, nurse slot: not the Wed–Fri type, not the physician's
    const options = dialog.findAll('[data-testid="visit-type-select"] option').map((o) => o.text());
    expect(options).toEqual(['Välj besökstyp', 'Covid-19 dos 1']);
    // the only choice is preselected
    expect((dialog.get('[data-testid="visit-type-select"]').element as HTMLSelectElement).value).toBe(
      'vt-covid',
    );
    expect(dialog.get('label[for="booking-pnr"]').text()).toBe('Personnummer');
  });

  it('checks the personnummer shape before sending', async () => {
    const create = vi.spyOn(bookingsApi, 'create');
    const { wrapper, store } = await mountView();
    deliverSnapshot(store);
    await flushPromises();
    await wrapper.get('[data-testid="slot-s-free"]').trigger('click');

    await wrapper.get('[data-testid="pnr-input"]').setValue('12345');
    await wrapper.get('form').trigger('submit');
    expect(wrapper.get('[data-testid="pnr-error"]').text()).toContain('10 eller 12 siffror');
    expect(wrapper.get('[data-testid="pnr-input"]').attributes('aria-invalid')).toBe('true');
    expect(create).not.toHaveBeenCalled();
  });

  it('books with the typed number and closes the dialog', async () => {
    const create = vi
      .spyOn(bookingsApi, 'create')
      .mockResolvedValue({ id: 'bk-9', slotId: 's-free', status: 'BOOKED' });
    const { wrapper, store } = await mountView();
    deliverSnapshot(store);
    await flushPromises();
    await wrapper.get('[data-testid="slot-s-free"]').trigger('click');

    await wrapper.get('[data-testid="pnr-input"]').setValue('121212-1212');
    await wrapper.get('[data-testid="phone-input"]').setValue('070-123 45 67');
    await wrapper.get('form').trigger('submit');
    await flushPromises();

    expect(create).toHaveBeenCalledWith(
      {
        slotId: 's-free',
        visitTypeId: 'vt-covid',
        patient: { personalIdentityNumber: '121212-1212', phone: '070-123 45 67' },
      },
      expect.any(String), // the Idempotency-Key
    );
    expect(wrapper.find('[data-testid="booking-dialog"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="announcement"]').text()).toContain('09:00');
  });

  it('shows the server’s message next to the field it names', async () => {
    vi.spyOn(bookingsApi, 'create').mockRejectedValue(
      new ApiError({
        statusCode: 400,
        error: 'Bad Request',
        message: ['patient.personalIdentityNumber: fel kontrollsiffra'],
      }),
    );
    const { wrapper, store } = await mountView();
    deliverSnapshot(store);
    await flushPromises();
    await wrapper.get('[data-testid="slot-s-free"]').trigger('click');
    await wrapper.get('[data-testid="pnr-input"]').setValue('19121212-1213');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-testid="pnr-error"]').text()).toContain('fel kontrollsiffra');
  });

  it('when someone else got the slot first, offers the alternatives and books the chosen one', async () => {
    const alternative = slot('s-alt', '09:30', 'FREE', { column: 2 });
    const create = vi
      .spyOn(bookingsApi, 'create')
      .mockRejectedValueOnce(
        new ApiError({
          statusCode: 409,
          error: 'Conflict',
          message: 'taken',
          code: 'SLOT_TAKEN',
          alternatives: [alternative],
        }),
      )
      .mockResolvedValueOnce({ id: 'bk-2', slotId: 's-alt', status: 'BOOKED' });
    const { wrapper, store } = await mountView();
    deliverSnapshot(store);
    await flushPromises();
    await wrapper.get('[data-testid="slot-s-free"]').trigger('click');
    await wrapper.get('[data-testid="pnr-input"]').setValue('191212121212');
    await wrapper.get('form').trigger('submit');
    await flushPromises();

    const taken = wrapper.get('[data-testid="slot-taken"]');
    expect(taken.text()).toContain('Tiden hann bokas av någon annan');
    expect(taken.text()).toContain('09:30');

    await wrapper.get('[data-testid="alternative-s-alt"]').trigger('click');
    await flushPromises();
    expect(create).toHaveBeenLastCalledWith(
      expect.objectContaining({ slotId: 's-alt', visitTypeId: 'vt-covid' }),
      expect.any(String),
    );
    expect(wrapper.find('[data-testid="booking-dialog"]').exists()).toBe(false);
  });

  it('a booking made elsewhere shows up live and the cell is highlighted for a moment', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { wrapper, store } = await mountView();
      deliverSnapshot(store, 10);
      await flushPromises();

      store.receiveChange(booked(11, 's-free'));
      await flushPromises();
      const cell = wrapper.get('[data-testid="slot-s-free"]');
      expect(cell.attributes('data-status')).toBe('BOOKED');
      expect(cell.classes()).toContain('cell--changed');
      expect(wrapper.get('[data-testid="count-booked"]').text()).toBe('2');
      expect(wrapper.get('[data-testid="count-free"]').text()).toBe('1');

      vi.advanceTimersByTime(HIGHLIGHT_MS + 10);
      await flushPromises();
      expect(wrapper.get('[data-testid="slot-s-free"]').classes()).not.toContain('cell--changed');
    } finally {
      vi.useRealTimers();
    }
  });

  it('a booked slot opens the booking and can be cancelled after confirming', async () => {
    vi.spyOn(bookingsApi, 'get').mockResolvedValue({
      id: 'bk-1',
      slotId: 's-booked',
      status: 'BOOKED',
      visitType: { id: 'vt-covid', name: 'Covid-19 dos 1' },
      patient: { id: 'p1', name: 'Tolvan Tolvansson', personalIdentityNumber: '191212121212' },
      createdAt: '2025-03-01T10:00:00+01:00',
    });
    const cancel = vi.spyOn(bookingsApi, 'cancel').mockResolvedValue({ id: 'bk-1', status: 'CANCELLED' });
    const { wrapper, store } = await mountView();
    deliverSnapshot(store);
    await flushPromises();

    await wrapper.get('[data-testid="slot-s-booked"]').trigger('click');
    await flushPromises();
    const details = wrapper.get('[data-testid="booking-details"]');
    expect(details.text()).toContain('Tolvan Tolvansson');
    expect(details.text()).toContain('19121212-1212');

    await details.get('[data-testid="cancel-booking"]').trigger('click');
    expect(cancel).not.toHaveBeenCalled();
    await wrapper.get('[data-testid="confirm-cancel-booking"]').trigger('click');
    await flushPromises();
    expect(cancel).toHaveBeenCalledWith('bk-1');
    expect(wrapper.find('[data-testid="booking-details"]').exists()).toBe(false);
  });

  it('shows who else is looking at the unit', async () => {
    const { wrapper, store } = await mountView();
    deliverSnapshot(store);
    const { usePresenceStore } = await import('../stores/presence');
    const presence = usePresenceStore();
    presence.begin(UNIT);
    presence.receive(UNIT, 3, [
      { userId: 'user-me', name: 'Anna Bokare', role: 'BOOKING' },
      { userId: 'u2', name: 'Bo Läkare', role: 'PHYSICIAN' },
    ]);
    await flushPromises();
    expect(wrapper.get('[data-testid="presence"]').text()).toBe('Tittar just nu: Bo Läkare (läkare)');
  });
});

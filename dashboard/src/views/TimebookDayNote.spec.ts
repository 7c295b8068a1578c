import type { TimebookChanged } from '@events';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { NetworkError } from '../api/http';
import { timebookApi } from '../api/timebook';
import { unitsApi } from '../api/units';
import { createAppI18n } from '../i18n';
import { useAuthStore } from '../stores/auth';
import { useTimebookStore } from '../stores/timebook';
import { DATE, session, snapshot, UNIT, visitTypes } from '../test/fixtures';
import { sessionAs } from '../test/stock-fixtures';
import TimebookView from './TimebookView.vue';

vi.mock('../realtime/socket', () => ({
  followTimebook: vi.fn(),
  unfollowTimebook: vi.fn(),
  retryTimebook: vi.fn(),
  followJobs: vi.fn(),
  unfollowJobs: vi.fn(),
}));
vi.mock('../components/charts/AvailabilityChart.vue', () => ({
  __esModule: true,
  default: { render: () => null },
}));

async function mountView(s = structuredClone(session)) {
  const pinia = createPinia();
  setActivePinia(pinia);
  useAuthStore().session = s;
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/tidbok', name: 'timebook', component: TimebookView },
      { path: '/tidbok/admin', name: 'timebookAdmin', component: { render: () => null } },
    ],
  });
  await router.push(`/tidbok?date=${DATE}`);
  await router.isReady();
  const wrapper = mount(TimebookView, {
    global: { plugins: [pinia, createAppI18n('sv'), router] },
    attachTo: document.body,
  });
  // what the socket module does with the subscribe ack
  const store = useTimebookStore();
  store.begin(UNIT, DATE);
  store.receiveSnapshot(10, structuredClone(snapshot));
  await flushPromises();
  return { wrapper, store };
}

function event(version: number, cause: string, extra: Record<string, unknown> = {}): TimebookChanged {
  return { topic: 'timebook', unitId: UNIT, version, cause, changes: [], at: `${DATE}T08:00:00Z`, ...extra };
}

describe('the day’s note and web booking on the timebook', () => {
  let days: MockInstance<typeof timebookApi.days>;
  beforeEach(() => {
    vi.spyOn(unitsApi, 'visitTypes').mockResolvedValue(visitTypes);
    days = vi
      .spyOn(timebookApi, 'days')
      .mockResolvedValue([
        { date: DATE, note: 'Vaccinleverans väntas under förmiddagen', webBookingClosed: true },
      ]);
  });
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('everyone who sees the timebook sees the note at the top, and “Webbokning stängd” in words', async () => {
    for (const s of [structuredClone(session), sessionAs('NURSE'), sessionAs('PHYSICIAN')]) {
      const { wrapper } = await mountView(s);
      expect(days).toHaveBeenLastCalledWith(UNIT, DATE, DATE);
      expect(wrapper.get('[data-testid="tb-day-note"]').text()).toBe(
        'Vaccinleverans väntas under förmiddagen',
      );
      expect(wrapper.get('[data-testid="tb-day-info"]').text()).toContain('Dagens anteckning:');
      const badge = wrapper.get('[data-testid="tb-web-closed"]');
      expect(badge.text()).toBe('Webbokning stängd');
      expect(badge.find('svg').exists()).toBe(true);
      wrapper.unmount();
    }
  });

  it('a day without note or closed web booking shows neither', async () => {
    days.mockResolvedValue([]);
    const { wrapper } = await mountView();
    expect(wrapper.find('[data-testid="tb-day-info"]').exists()).toBe(false);
  });

  it('changes live: a day event makes it ask again', async () => {
    const { wrapper, store } = await mountView();
    days.mockResolvedValue([{ date: DATE, note: 'Personalmöte 12–13', webBookingClosed: false }]);
    store.receiveChange(event(11, 'day.updated'));
    await flushPromises();
    expect(wrapper.get('[data-testid="tb-day-note"]').text()).toBe('Personalmöte 12–13');
    expect(wrapper.find('[data-testid="tb-web-closed"]').exists()).toBe(false);
    // slot events do not
    const calls = days.mock.calls.length;
    store.receiveChange(event(12, 'booking.created'));
    await flushPromises();
    expect(days).toHaveBeenCalledTimes(calls);
  });

  it('an event that carries the day is shown as it is', async () => {
    const { wrapper, store } = await mountView();
    const calls = days.mock.calls.length;
    store.receiveChange(
      event(11, 'day.updated', { day: { date: DATE, note: null, webBookingClosed: true } }),
    );
    await flushPromises();
    expect(days).toHaveBeenCalledTimes(calls);
    expect(wrapper.find('[data-testid="tb-day-note"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="tb-web-closed"]').exists()).toBe(true);
  });

  it('after a reconnect or gap the fresh snapshot brings a fresh note too', async () => {
    const { wrapper, store } = await mountView();
    days.mockResolvedValue([{ date: DATE, note: 'Ändrad medan vi var borta', webBookingClosed: false }]);
    store.beginResync();
    store.receiveSnapshot(20, structuredClone(snapshot));
    await flushPromises();
    expect(wrapper.get('[data-testid="tb-day-note"]').text()).toBe('Ändrad medan vi var borta');
  });

  it('a note that cannot be fetched leaves the timebook as it is', async () => {
    days.mockRejectedValue(new NetworkError(new TypeError('offline')));
    const { wrapper } = await mountView();
    expect(wrapper.find('[data-testid="tb-day-info"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="slot-s-free"]').attributes('data-status')).toBe('FREE');
  });

  it('times opened from a template appear: a change naming an unknown slot asks for a fresh snapshot', async () => {
    const { store } = await mountView();
    const opened = event(11, 'slots.opened', {
      changes: [
        {
          slotId: 's-new',
          date: DATE,
          start: `${DATE}T15:00:00+01:00`,
          resource: 'SKOTERSKA',
          column: 1,
          from: 'FREE',
          to: 'FREE',
        },
      ],
    });
    expect(store.receiveChange(opened)).toBe(true);
  });

  it('timebook administrators and administrators get a link to administer this day', async () => {
    for (const role of ['TIMEBOOK_ADMIN', 'ADMIN']) {
      const { wrapper } = await mountView(sessionAs(role));
      const link = wrapper.get('[data-testid="tb-admin-open"]');
      expect(link.text()).toBe('Administrera tidbok');
      expect(link.attributes('href')).toBe(`/tidbok/admin?date=${DATE}`);
      wrapper.unmount();
    }
    const { wrapper } = await mountView(sessionAs('BOOKING'));
    expect(wrapper.find('[data-testid="tb-admin-open"]').exists()).toBe(false);
  });
});

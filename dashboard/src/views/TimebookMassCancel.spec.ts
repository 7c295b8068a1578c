import type { JobProgress, TimebookChanged, TimebookSnapshot } from '@events';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { ApiError } from '../api/http';
import { massCancellationsApi } from '../api/massCancellations';
import { unitsApi } from '../api/units';
import { createAppI18n } from '../i18n';
import { MASS_CANCEL_JOB } from '../realtime/jobs-state';
import { useAuthStore } from '../stores/auth';
import { useJobsStore } from '../stores/jobs';
import { useTimebookStore } from '../stores/timebook';
import { DATE, session, slot, snapshot, UNIT, visitTypes } from '../test/fixtures';
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

import { followJobs } from '../realtime/socket';

const JOB = 'mass-cancel-mc-1';

/** Three active bookings: two covid in the morning, one physician's after lunch. */
const day: TimebookSnapshot = {
  ...snapshot,
  slots: [
    slot('b-0900', '09:00', 'BOOKED', { bookingId: 'bk-1', visitTypeId: 'vt-covid' }),
    slot('b-0910', '09:10', 'BOOKED', { column: 2, bookingId: 'bk-2', visitTypeId: 'vt-covid' }),
    slot('b-1300', '13:00', 'BOOKED', { resource: 'LAKARE', bookingId: 'bk-3', visitTypeId: 'vt-doc' }),
    slot('free', '09:20', 'FREE'),
    slot('held', '09:30', 'HELD', { heldUntil: '2099-01-01T00:00:00Z' }),
  ],
};

async function mountView(s = structuredClone(session)) {
  const pinia = createPinia();
  setActivePinia(pinia);
  useAuthStore().session = s;
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
  // what the socket module does with the subscribe acks
  const timebook = useTimebookStore();
  timebook.begin(UNIT, DATE);
  timebook.receiveSnapshot(10, structuredClone(day));
  const jobs = useJobsStore();
  jobs.begin(UNIT);
  jobs.receiveSnapshot(4, { unitId: UNIT, jobs: [] });
  await flushPromises();
  return { wrapper, timebook, jobs };
}

async function openDialog(wrapper: VueWrapper) {
  await wrapper.get('[data-testid="mass-cancel-open"]').trigger('click');
  // the dialog's code is loaded on the click
  return vi.waitFor(async () => {
    await flushPromises();
    return wrapper.get('[data-testid="mass-cancel-dialog"]');
  });
}

function progress(version: number, done: number, over: Partial<JobProgress> = {}): JobProgress {
  return {
    topic: 'jobs',
    unitId: UNIT,
    version,
    jobId: JOB,
    queue: 'timebook',
    name: MASS_CANCEL_JOB,
    state: 'active',
    progress: { done, total: 2 },
    at: `${DATE}T08:00:00Z`,
    ...over,
  };
}

describe('mass cancellation on the timebook', () => {
  beforeEach(() => {
    vi.spyOn(unitsApi, 'visitTypes').mockResolvedValue(visitTypes);
    // that Tuesday morning, before the first booking: all of them are still to come
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date(`${DATE}T07:00:00+01:00`));
  });
  afterEach(() => {
    vi.useRealTimers();
    document.body.innerHTML = '';
  });

  it('follows the unit’s jobs while the timebook is open', async () => {
    await mountView();
    expect(followJobs).toHaveBeenCalledWith(UNIT);
  });

  it('is offered to booking staff, timebook admins and admins only', async () => {
    for (const role of ['BOOKING', 'TIMEBOOK_ADMIN', 'ADMIN']) {
      const { wrapper } = await mountView(sessionAs(role));
      expect(wrapper.find('[data-testid="mass-cancel-open"]').exists()).toBe(true);
      wrapper.unmount();
    }
    for (const role of ['NURSE', 'PHYSICIAN']) {
      const { wrapper } = await mountView(sessionAs(role));
      expect(wrapper.find('[data-testid="mass-cancel-open"]').exists()).toBe(false);
      wrapper.unmount();
    }
  });

  it('a day that has passed cannot be mass cancelled, and says why', async () => {
    vi.setSystemTime(new Date('2025-03-05T07:00:00+01:00'));
    const { wrapper } = await mountView();
    const open = wrapper.get('[data-testid="mass-cancel-open"]');
    expect(open.attributes('disabled')).toBeDefined();
    expect(open.attributes('aria-describedby')).toBe('mass-cancel-past');
    expect(wrapper.get('#mass-cancel-past').text()).toBe('Bara kommande bokningar kan massavbokas.');
  });

  it('counts the active bookings the range hits, live, and says so on the confirm button', async () => {
    const { wrapper, timebook } = await mountView();
    const dialog = await openDialog(wrapper);
    expect(dialog.text()).toContain('Massavboka tisdag 4 mars 2025');
    const count = () => dialog.get('[data-testid="mass-cancel-count"]');
    const confirm = () => dialog.get('[data-testid="mass-cancel-confirm"]');

    // the whole day: booked only, not the held or the free slot
    expect(count().attributes('data-count')).toBe('3');
    expect(count().text()).toBe('3 aktiva bokningar avbokas och patienterna får sms.');
    expect(confirm().text()).toBe('Avboka 3 tider och skicka SMS');

    await dialog.get('[data-testid="mass-cancel-from"]').setValue('09:05');
    expect(confirm().text()).toBe('Avboka 2 tider och skicka SMS');
    await dialog.get('[data-testid="mass-cancel-to"]').setValue('13:00');
    expect(confirm().text()).toBe('Avboka 1 tid och skicka SMS');
    await dialog.get('[data-testid="mass-cancel-to"]').setValue('');
    await dialog.get('[data-testid="mass-cancel-visit-type"]').setValue('vt-doc');
    expect(count().attributes('data-count')).toBe('1');

    // someone cancels the 13:00 booking meanwhile: the count follows
    timebook.receiveChange(cancelled(11, 'b-1300'));
    await flushPromises();
    expect(count().text()).toBe('Inga aktiva bokningar i det valda intervallet.');
  });

  it('checks the form next to its fields before sending anything', async () => {
    const start = vi.spyOn(massCancellationsApi, 'start');
    const { wrapper } = await mountView();
    const dialog = await openDialog(wrapper);
    const message = dialog.get('[data-testid="mass-cancel-message"]');

    // labelled fields
    expect(dialog.get('label[for="mc-message"]').text()).toBe('Meddelande till patienterna');
    expect(dialog.get('label[for="mc-from"]').text()).toBe('Från (valfritt)');

    await dialog.get('[data-testid="mass-cancel-confirm"]').trigger('click');
    await flushPromises();
    expect(dialog.get('[data-testid="mass-cancel-message-error"]').text()).toContain(
      'Skriv ett meddelande till patienterna.',
    );
    expect(message.attributes('aria-invalid')).toBe('true');
    expect(message.attributes('aria-describedby')).toContain('mc-err-message');
    expect(document.activeElement).toBe(message.element);
    // typing answers the error; the next confirm checks again
    await message.setValue('Hej');
    expect(dialog.find('[data-testid="mass-cancel-message-error"]').exists()).toBe(false);

    await dialog.get('[data-testid="mass-cancel-from"]').setValue('13:00');
    await dialog.get('[data-testid="mass-cancel-to"]').setValue('09:00');
    await message.setValue('x'.repeat(305));
    expect(dialog.get('[data-testid="mass-cancel-message-count"]').text()).toBe('5 tecken för mycket');
    await dialog.get('[data-testid="mass-cancel-confirm"]').trigger('click');
    await flushPromises();
    expect(dialog.get('#mc-err-to').text()).toContain('Till måste vara senare än Från.');
    expect(dialog.get('[data-testid="mass-cancel-message-error"]').text()).toContain('Ta bort 5.');
    expect(start).not.toHaveBeenCalled();
  });

  it('counts characters and previews the SMS as the patients will get it', async () => {
    const { wrapper } = await mountView();
    const dialog = await openDialog(wrapper);
    await dialog.get('[data-testid="mass-cancel-message"]').setValue('Leveransen är försenad.');
    expect(dialog.get('[data-testid="mass-cancel-message-count"]').text()).toBe('23 av 300 tecken');
    expect(dialog.get('[data-testid="mass-cancel-preview"]').text()).toBe(
      'Din tid tis 4 mars 09:00 på Vårdcentralen Centrum är avbokad. Leveransen är försenad. Boka ny tid: <länk>',
    );
    await dialog.get('[data-testid="mass-cancel-from"]').setValue('12:00');
    expect(dialog.get('[data-testid="mass-cancel-preview"]').text()).toContain('Din tid tis 4 mars 13:00');
  });

  it('confirmed: starts it, closes the dialog and shows the progress live until “Klart”', async () => {
    const start = vi
      .spyOn(massCancellationsApi, 'start')
      .mockResolvedValue({ jobId: JOB, massCancellationId: 'mc-1', total: 2 });
    const { wrapper, timebook, jobs } = await mountView();
    const dialog = await openDialog(wrapper);
    await dialog.get('[data-testid="mass-cancel-to"]').setValue('12:00');
    await dialog.get('[data-testid="mass-cancel-message"]').setValue('  Leveransen är försenad.  ');
    await dialog.get('[data-testid="mass-cancel-urgent"]').setValue(true);
    // Enter in a field never starts it
    await dialog.get('form').trigger('submit');
    expect(start).not.toHaveBeenCalled();

    await dialog.get('[data-testid="mass-cancel-confirm"]').trigger('click');
    await flushPromises();
    expect(start).toHaveBeenCalledWith(UNIT, {
      date: DATE,
      to: '12:00',
      message: 'Leveransen är försenad.',
      urgent: true,
    });
    expect(wrapper.find('[data-testid="mass-cancel-dialog"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="announcement"]').text()).toBe(
      'Massavbokningen har startat: 2 tider avbokas.',
    );

    const bar = () => wrapper.get('[data-testid="mass-cancel-progress"]');
    expect(bar().attributes()).toMatchObject({
      role: 'progressbar',
      'aria-valuenow': '0',
      'aria-valuemax': '2',
      'data-done': '0',
      'data-total': '2',
    });

    // the first event: news to the topic's state, so the socket resyncs and the snapshot has it
    expect(jobs.receiveProgress(progress(5, 1))).toBe(true);
    jobs.receiveSnapshot(5, {
      unitId: UNIT,
      jobs: [
        {
          jobId: JOB,
          queue: 'timebook',
          name: MASS_CANCEL_JOB,
          state: 'active',
          progress: { done: 1, total: 2 },
          date: DATE,
          message: 'Leveransen är försenad.',
        },
      ],
    });
    timebook.receiveChange(cancelled(11, 'b-0900'));
    await flushPromises();
    expect(bar().attributes('aria-valuenow')).toBe('1');
    expect(wrapper.get('[data-testid="mass-cancel-progress-text"]').text()).toBe('1 av 2 avbokade');
    expect(wrapper.get('[data-testid="mass-cancel-banner"]').text()).toContain(
      'Massavbokning tisdag 4 mars 2025',
    );
    // the slot turns free through the ordinary timebook event
    expect(wrapper.get('[data-testid="slot-b-0900"]').attributes('data-status')).toBe('FREE');

    jobs.receiveProgress(progress(6, 2));
    jobs.receiveProgress(progress(7, 2, { state: 'completed' }));
    await flushPromises();
    expect(bar().attributes('data-done')).toBe('2');
    expect(wrapper.get('[data-testid="mass-cancel-done"]').text()).toBe('Klart: 2 tider avbokade, SMS köade');
    expect(wrapper.get('[data-testid="mass-cancel-banner"] [role="status"]').text()).toBe(
      'Klart: 2 tider avbokade, SMS köade',
    );

    await wrapper.get('[data-testid="mass-cancel-banner"] button').trigger('click');
    expect(wrapper.find('[data-testid="mass-cancel-banner"]').exists()).toBe(false);
  });

  it('the server names a field: the message goes next to it, and the dialog stays open', async () => {
    vi.spyOn(massCancellationsApi, 'start').mockRejectedValue(
      new ApiError({
        statusCode: 400,
        error: 'Bad Request',
        message: 'message: is too long for an SMS (300 characters at most)',
        field: 'message',
      }),
    );
    const { wrapper } = await mountView();
    const dialog = await openDialog(wrapper);
    await dialog.get('[data-testid="mass-cancel-message"]').setValue('Leveransen är försenad.');
    await dialog.get('[data-testid="mass-cancel-confirm"]').trigger('click');
    await flushPromises();
    expect(dialog.get('[data-testid="mass-cancel-message-error"]').text()).toContain(
      'is too long for an SMS',
    );
    expect(wrapper.find('[data-testid="mass-cancel-progress"]').exists()).toBe(false);
  });

  it('every screen of the unit shows a running mass cancellation, also without the right to start one', async () => {
    const { wrapper, jobs } = await mountView(sessionAs('NURSE'));
    jobs.begin(UNIT);
    jobs.receiveSnapshot(8, {
      unitId: UNIT,
      jobs: [
        {
          jobId: JOB,
          queue: 'timebook',
          name: MASS_CANCEL_JOB,
          state: 'active',
          progress: { done: 3, total: 7 },
          date: '2025-03-05',
          message: 'Leveransen är försenad.',
        },
      ],
    });
    await flushPromises();
    expect(wrapper.get('[data-testid="mass-cancel-progress"]').attributes()).toMatchObject({
      'data-done': '3',
      'data-total': '7',
    });
    expect(wrapper.get('[data-testid="mass-cancel-banner"]').text()).toContain(
      'Massavbokning onsdag 5 mars 2025',
    );
  });
});

function cancelled(version: number, slotId: string): TimebookChanged {
  const s = day.slots.find((x) => x.id === slotId)!;
  return {
    topic: 'timebook',
    unitId: UNIT,
    version,
    cause: 'mass-cancellation',
    at: `${DATE}T08:00:00Z`,
    changes: [
      {
        slotId,
        date: DATE,
        start: s.start,
        resource: s.resource,
        column: s.column,
        from: 'BOOKED',
        to: 'FREE',
        bookingId: s.bookingId,
      },
    ],
  };
}

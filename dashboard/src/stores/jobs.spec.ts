import type { JobProgress } from '@events';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, NetworkError } from '../api/http';
import { massCancellationsApi } from '../api/massCancellations';
import { MASS_CANCEL_JOB, type JobsSnapshot, type UnitJob } from '../realtime/jobs-state';
import { DATE, UNIT } from '../test/fixtures';
import { massCancelFailure, useJobsStore } from './jobs';

const JOB = 'mass-cancel-mc-1';

function job(over: Partial<UnitJob> = {}): UnitJob {
  return {
    jobId: JOB,
    queue: 'timebook',
    name: MASS_CANCEL_JOB,
    state: 'waiting',
    progress: { done: 0, total: 10 },
    date: DATE,
    message: 'Leveransen är försenad.',
    ...over,
  };
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
    progress: { done, total: 10 },
    at: `${DATE}T08:00:00Z`,
    ...over,
  };
}

const snapshot = (jobs: UnitJob[]): JobsSnapshot => ({ unitId: UNIT, jobs });

describe('jobs store: the unit’s mass cancellations, live', () => {
  beforeEach(() => setActivePinia(createPinia()));

  function ready(jobs: UnitJob[] = [job()], version = 5) {
    const store = useJobsStore();
    store.begin(UNIT);
    expect(store.receiveSnapshot(version, snapshot(jobs))).toBe(false);
    return store;
  }

  it('progress events apply in version order; duplicates and older ones are ignored', () => {
    const store = ready();
    expect(store.receiveProgress(progress(6, 3))).toBe(false);
    expect(store.version).toBe(6);
    expect(store.massCancellations[0]).toMatchObject({ state: 'active', progress: { done: 3, total: 10 } });
    // the same event again, and one already in the snapshot
    expect(store.receiveProgress(progress(6, 9))).toBe(false);
    expect(store.receiveProgress(progress(5, 9))).toBe(false);
    expect(store.massCancellations[0]!.progress.done).toBe(3);
    // the day and message from the snapshot stay: events do not repeat them
    expect(store.massCancellations[0]).toMatchObject({ date: DATE, message: 'Leveransen är försenad.' });
  });

  it('a gap asks for a fresh snapshot, which closes it', () => {
    const store = ready();
    expect(store.receiveProgress(progress(8, 7))).toBe(true);
    expect(store.syncing).toBe(true);
    expect(store.massCancellations[0]!.progress.done).toBe(0); // nothing applied across the gap
    expect(
      store.receiveSnapshot(8, snapshot([job({ state: 'active', progress: { done: 7, total: 10 } })])),
    ).toBe(false);
    expect(store).toMatchObject({ version: 8, syncing: false });
    expect(store.massCancellations[0]!.progress.done).toBe(7);
  });

  it('events that arrive before the ack are applied on top of the snapshot', () => {
    const store = useJobsStore();
    store.begin(UNIT);
    expect(store.receiveProgress(progress(6, 2))).toBe(false);
    expect(store.receiveProgress(progress(7, 4))).toBe(false);
    store.receiveSnapshot(5, snapshot([job()]));
    expect(store.version).toBe(7);
    expect(store.massCancellations[0]!.progress.done).toBe(4);
  });

  it('never goes back to an older snapshot (a lagging replica after a reconnect)', () => {
    const store = ready();
    store.receiveProgress(progress(6, 5));
    store.beginResync();
    store.receiveSnapshot(5, snapshot([job()]));
    expect(store.version).toBe(6);
    expect(store.massCancellations[0]!.progress.done).toBe(5);
  });

  it('a mass cancellation the state does not know asks for a snapshot, which brings its day', () => {
    const store = ready([]);
    expect(store.receiveProgress(progress(6, 1))).toBe(true);
    expect(store.massCancellations).toHaveLength(0);
    store.receiveSnapshot(6, snapshot([job({ state: 'active', progress: { done: 1, total: 10 } })]));
    expect(store.massCancellations).toEqual([expect.objectContaining({ jobId: JOB, date: DATE })]);
  });

  it('other kinds of job only move the version, without a resync', () => {
    const store = ready([]);
    expect(store.receiveProgress(progress(6, 1, { jobId: 'other', name: 'stock.reconcile' }))).toBe(false);
    expect(store.version).toBe(6);
    expect(store.massCancellations).toHaveLength(0);
  });

  it('ignores another unit’s events', () => {
    const store = ready();
    expect(store.receiveProgress(progress(6, 3, { unitId: 'unit-9' }))).toBe(false);
    expect(store.version).toBe(5);
  });

  it('a finished one shows only on screens that saw it run, until closed', () => {
    // yesterday's, already done when the screen opened: old news
    const store = ready([job({ jobId: 'old', state: 'completed', progress: { done: 4, total: 4 } }), job()]);
    expect(store.massCancellations.map((j) => j.jobId)).toEqual([JOB]);

    store.receiveProgress(progress(6, 10, { state: 'completed' }));
    expect(store.massCancellations).toEqual([
      expect.objectContaining({ jobId: JOB, state: 'completed', progress: { done: 10, total: 10 } }),
    ]);
    store.dismiss(JOB);
    expect(store.massCancellations).toHaveLength(0);
  });

  it('starting one shows 0 of the server’s total at once, before any event', async () => {
    const start = vi
      .spyOn(massCancellationsApi, 'start')
      .mockResolvedValue({ jobId: 'mass-cancel-mc-2', massCancellationId: 'mc-2', total: 4 });
    const store = ready([job()]);
    // the earlier one was seen running, so its "Klart" is on screen …
    store.receiveProgress(progress(6, 10, { state: 'completed' }));
    expect(store.massCancellations.map((j) => j.state)).toEqual(['completed']);
    const body = { date: DATE, from: '13:00', message: 'Leveransen är försenad.', urgent: false };
    const outcome = await store.startMassCancellation(UNIT, body);

    expect(start).toHaveBeenCalledWith(UNIT, body);
    expect(outcome).toEqual({
      kind: 'started',
      started: { jobId: 'mass-cancel-mc-2', massCancellationId: 'mc-2', total: 4 },
    });
    // … and the new one replaces it
    expect(store.massCancellations).toEqual([
      expect.objectContaining({
        jobId: 'mass-cancel-mc-2',
        state: 'waiting',
        progress: { done: 0, total: 4 },
      }),
    ]);

    // its first event is news to the topic's state: a snapshot brings it in, still shown
    expect(store.receiveProgress(progress(7, 1, { jobId: 'mass-cancel-mc-2' }))).toBe(true);
    store.receiveSnapshot(
      7,
      snapshot([job({ jobId: 'mass-cancel-mc-2', state: 'active', progress: { done: 1, total: 4 } })]),
    );
    expect(store.massCancellations).toEqual([
      expect.objectContaining({ jobId: 'mass-cancel-mc-2', progress: { done: 1, total: 4 } }),
    ]);
    expect(store.submitting).toBe(false);
  });

  it('says which field a 400 names, and tells forbidden from failed', () => {
    const bad = (statusCode: number, extra: Record<string, unknown> = {}) =>
      new ApiError({ statusCode, error: 'x', message: 'to: must be after from', ...extra });
    expect(massCancelFailure(bad(400, { field: 'to' }))).toEqual({
      kind: 'invalid',
      field: 'to',
      message: 'to: must be after from',
    });
    expect(massCancelFailure(bad(400, { field: 'date' }))).toMatchObject({ kind: 'invalid', field: null });
    expect(massCancelFailure(bad(404, { field: 'visitTypeId' }))).toMatchObject({
      kind: 'invalid',
      field: 'visitTypeId',
    });
    expect(massCancelFailure(bad(403))).toMatchObject({ kind: 'forbidden' });
    expect(massCancelFailure(bad(503))).toMatchObject({ kind: 'failed' });
    expect(massCancelFailure(new NetworkError(new TypeError('fetch')))).toEqual({
      kind: 'failed',
      message: null,
    });
  });
});

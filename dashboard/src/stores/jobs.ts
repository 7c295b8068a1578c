import type { JobProgress } from '@events';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { ApiError, NetworkError } from '../api/http';
import { massCancellationsApi } from '../api/massCancellations';
import type { MassCancellationRequest, MassCancellationStarted } from '../api/types';
import type { MassCancelField } from '../lib/mass-cancel';
import {
  applyJobProgress,
  fromJobsSnapshot,
  isRunning,
  MASS_CANCEL_JOB,
  type JobsSnapshot,
  type JobsState,
  type UnitJob,
} from '../realtime/jobs-state';
import {
  beginResync as resyncing,
  createVersioned,
  receiveEvent,
  receiveSnapshot as takeSnapshot,
  type Versioned,
} from '../realtime/versioned-state';

export type JobsError = 'forbidden' | 'invalid' | 'unavailable' | 'timeout';

export type MassCancelOutcome =
  | { kind: 'started'; started: MassCancellationStarted }
  | { kind: 'invalid'; field: MassCancelField | null; message: string }
  | { kind: 'forbidden'; message: string | null }
  | { kind: 'failed'; message: string | null };

type Live = Versioned<JobsState, JobProgress>;

/**
 * The unit's background jobs, live from the `jobs` topic (filled by realtime/socket.ts), and
 * starting a mass cancellation (R17). Every screen of the unit sees a running mass
 * cancellation's progress, whoever started it; its end ("Klart") is shown on the screens that
 * saw it run, until closed.
 */
export const useJobsStore = defineStore('jobs', () => {
  const unitId = ref<string | null>(null);
  const live = shallowRef<Live>(createVersioned());
  const error = ref<JobsError | null>(null);
  /** Started from this screen, until the live state knows them (the 202 may beat the first event). */
  const started = shallowRef<UnitJob[]>([]);
  /** Jobs this screen saw unfinished: their end is worth showing. */
  const watched = ref<Record<string, true>>({});
  const dismissed = ref<Record<string, true>>({});
  const submitting = ref(false);

  const state = computed(() => live.value.state);
  const version = computed(() => live.value.version);
  const syncing = computed(() => live.value.syncing);

  /** Newest first: the ones started here, then the topic's (which is newest first itself). */
  const jobs = computed<UnitJob[]>(() => {
    const known = state.value?.jobs ?? [];
    const ids = new Set(known.map((j) => j.jobId));
    return [...started.value.filter((j) => !ids.has(j.jobId)), ...known];
  });

  /** The mass cancellations to show: running ones, and finished ones this screen saw run. */
  const massCancellations = computed(() =>
    jobs.value.filter(
      (j) =>
        j.name === MASS_CANCEL_JOB &&
        (isRunning(j) || (watched.value[j.jobId] === true && dismissed.value[j.jobId] !== true)),
    ),
  );

  /** A new unit: forget everything about the previous one. */
  function begin(forUnit: string): void {
    unitId.value = forUnit;
    live.value = createVersioned();
    error.value = null;
    started.value = [];
    watched.value = {};
    dismissed.value = {};
  }

  function beginResync(): void {
    live.value = resyncing(live.value);
  }

  /** The subscribe ack's snapshot. Returns true when the caller must resync again. */
  function receiveSnapshot(v: number, snapshot: JobsSnapshot): boolean {
    if (snapshot.unitId !== unitId.value) return false;
    const step = takeSnapshot(live.value, v, fromJobsSnapshot(snapshot), applyJobProgress);
    live.value = step.next;
    error.value = null;
    noteRunning();
    return step.resync;
  }

  /** A `job.progress` event. Returns true when the caller must resync. */
  function receiveProgress(event: JobProgress): boolean {
    if (event.unitId !== unitId.value) return false;
    const step = receiveEvent(live.value, event, applyJobProgress);
    live.value = step.next;
    if (step.changed) noteRunning();
    return step.resync;
  }

  function fail(reason: JobsError): void {
    error.value = reason;
  }

  function noteRunning(): void {
    const next = { ...watched.value };
    let changed = false;
    for (const j of state.value?.jobs ?? []) {
      if (isRunning(j) && !next[j.jobId]) {
        next[j.jobId] = true;
        changed = true;
      }
    }
    if (changed) watched.value = next;
  }

  function dismiss(jobId: string): void {
    dismissed.value = { ...dismissed.value, [jobId]: true };
  }

  /**
   * Starts a mass cancellation. The outcome belongs to the dialog that asked; the progress is
   * the topic's, and the slots turn free through the ordinary timebook events.
   */
  async function startMassCancellation(
    forUnit: string,
    body: MassCancellationRequest,
  ): Promise<MassCancelOutcome> {
    if (submitting.value) return { kind: 'failed', message: null };
    submitting.value = true;
    try {
      const res = await massCancellationsApi.start(forUnit, body);
      if (forUnit === unitId.value) track(res, body);
      return { kind: 'started', started: res };
    } catch (e) {
      return massCancelFailure(e);
    } finally {
      submitting.value = false;
    }
  }

  /** Shows the new job at once (0 of total); what the earlier ones said is old news now. */
  function track(res: MassCancellationStarted, body: MassCancellationRequest): void {
    const job: UnitJob = {
      jobId: res.jobId,
      queue: 'timebook',
      name: MASS_CANCEL_JOB,
      state: 'waiting',
      progress: { done: 0, total: res.total },
      date: body.date,
      message: body.message,
    };
    started.value = [job, ...started.value.filter((j) => j.jobId !== job.jobId)];
    const gone = { ...dismissed.value };
    for (const j of jobs.value) if (!isRunning(j)) gone[j.jobId] = true;
    delete gone[job.jobId];
    dismissed.value = gone;
    watched.value = { ...watched.value, [job.jobId]: true };
  }

  function $reset(): void {
    unitId.value = null;
    live.value = createVersioned();
    error.value = null;
    started.value = [];
    watched.value = {};
    dismissed.value = {};
    submitting.value = false;
  }

  return {
    unitId,
    live,
    error,
    started,
    watched,
    dismissed,
    submitting,
    state,
    version,
    syncing,
    jobs,
    massCancellations,
    begin,
    beginResync,
    receiveSnapshot,
    receiveProgress,
    fail,
    dismiss,
    startMassCancellation,
    $reset,
  };
});

/** What an error answer to a mass cancellation means for the dialog. */
export function massCancelFailure(e: unknown): MassCancelOutcome {
  if (e instanceof NetworkError) return { kind: 'failed', message: null };
  if (!(e instanceof ApiError)) throw e;
  const message = e.messages.join(' ') || null;
  const field = massCancelFieldOf(e.body.field);
  // 404 names the visit type when it is not the unit's; 400 names any field.
  if (e.status === 400 || (e.status === 404 && field))
    return { kind: 'invalid', field, message: message ?? e.message };
  if (e.status === 403) return { kind: 'forbidden', message };
  if (e.status === 401) return { kind: 'failed', message: null };
  return { kind: 'failed', message };
}

/** Which form field a 400 names (its `field` extra, e.g. "to" or "message"). */
function massCancelFieldOf(field: unknown): MassCancelField | null {
  return field === 'from' || field === 'to' || field === 'visitTypeId' || field === 'message' ? field : null;
}

/**
 * A unit's background jobs as the `jobs` topic shows them (R17: mass cancellations), framework-
 * free. The subscribe ack's snapshot lists the unit's mass cancellations of the last day; each
 * `job.progress` event moves one job's state and progress. Versions follow the same rules as the
 * other topics (versioned-state.ts).
 */
import type { JobProgress } from '@events';

export const MASS_CANCEL_JOB = 'timebook.mass-cancel';
/** A mass SMS campaign (issue 6) on the same topic; its snapshot rows carry campaign fields. */
export const SMS_CAMPAIGN_JOB = 'sms.campaign';

export type UnitJobState = JobProgress['state'];

export interface UnitJob {
  jobId: string;
  queue: string;
  name: string;
  state: UnitJobState;
  progress: { done: number; total: number };
  /** the day being cancelled (snapshot only; events do not repeat it) */
  date?: string;
  message?: string;
}

/** The `jobs` subscribe ack's snapshot. */
export interface JobsSnapshot {
  unitId: string;
  jobs: UnitJob[];
}

export interface JobsState {
  unitId: string;
  /** newest first */
  jobs: UnitJob[];
}

export function fromJobsSnapshot(s: JobsSnapshot): JobsState {
  return { unitId: s.unitId, jobs: s.jobs.filter(isUnitJob) };
}

export function isJobsSnapshot(x: unknown): x is JobsSnapshot {
  const s = x as Partial<JobsSnapshot> | null;
  return !!s && typeof s.unitId === 'string' && Array.isArray(s.jobs);
}

function isUnitJob(x: unknown): x is UnitJob {
  const j = x as Partial<UnitJob> | null;
  return (
    !!j &&
    typeof j.jobId === 'string' &&
    typeof j.state === 'string' &&
    !!j.progress &&
    typeof j.progress.done === 'number' &&
    typeof j.progress.total === 'number'
  );
}

export function isRunning(job: Pick<UnitJob, 'state'>): boolean {
  return job.state === 'waiting' || job.state === 'active' || job.state === 'delayed';
}

/**
 * One `job.progress` event. A mass cancellation the state does not know is "does not fit"
 * (undefined): a fresh snapshot brings it with its day and message, as a batch the stock
 * snapshot lacks does. Other kinds of job are not shown here, so they only move the version.
 */
export function applyJobProgress(state: JobsState, event: JobProgress): JobsState | undefined {
  if (event.unitId !== state.unitId) return undefined;
  const i = state.jobs.findIndex((j) => j.jobId === event.jobId);
  if (i < 0) return event.name === MASS_CANCEL_JOB || event.name === SMS_CAMPAIGN_JOB ? undefined : state;
  const jobs = [...state.jobs];
  jobs[i] = { ...jobs[i]!, state: event.state, progress: { ...event.progress } };
  return { ...state, jobs };
}

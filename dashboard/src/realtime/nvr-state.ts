/**
 * A region's NVR export runs as its `jobs` topic shows them (R28), framework-free. The subscribe
 * ack's snapshot lists the region's latest runs with their state and progress; each
 * `job.progress` event moves one run (or brings a new one). Versions follow versioned-state.ts.
 */
import type { JobProgress } from '@events';

export const NVR_EXPORT_JOB = 'nvr.export';

export interface NvrJob {
  exportId: string;
  jobId: string | null;
  state: JobProgress['state'];
  progress: { done: number; total: number };
}

export interface NvrJobsSnapshot {
  regionId: string;
  jobs: NvrJob[];
}

export interface NvrJobsState {
  regionId: string;
  /** newest first */
  jobs: NvrJob[];
}

export function isNvrJobsSnapshot(x: unknown): x is NvrJobsSnapshot {
  const s = x as Partial<NvrJobsSnapshot> | null;
  return !!s && typeof s.regionId === 'string' && Array.isArray(s.jobs);
}

function isNvrJob(x: unknown): x is NvrJob {
  const j = x as Partial<NvrJob> | null;
  return (
    !!j &&
    typeof j.exportId === 'string' &&
    typeof j.state === 'string' &&
    !!j.progress &&
    typeof j.progress.done === 'number' &&
    typeof j.progress.total === 'number'
  );
}

export function fromNvrJobsSnapshot(s: NvrJobsSnapshot): NvrJobsState {
  return { regionId: s.regionId, jobs: s.jobs.filter(isNvrJob) };
}

/** An event of the region's topic: NVR runs move or appear; anything else only moves the version. */
export function applyNvrProgress(state: NvrJobsState, event: JobProgress): NvrJobsState | undefined {
  if (event.regionId !== state.regionId) return undefined;
  if (event.name !== NVR_EXPORT_JOB || !event.exportId) return state;
  const job: NvrJob = {
    exportId: event.exportId,
    jobId: event.jobId ?? null,
    state: event.state,
    progress: { ...event.progress },
  };
  const i = state.jobs.findIndex((j) => j.exportId === event.exportId);
  if (i < 0) return { ...state, jobs: [job, ...state.jobs] };
  const jobs = [...state.jobs];
  jobs[i] = job;
  return { ...state, jobs };
}

export function isFinished(state: JobProgress['state']): boolean {
  return state === 'completed' || state === 'failed';
}

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { ApiError } from '../api/http';
import { jobsApi } from '../api/jobs';
import { isReconciliationResult, stockApi, type ReconciliationResult } from '../api/stock';
import type { JobStatus } from '../api/types';

export const POLL_MS = 1000;
/** Polls that may fail in a row (network blips) before we stop and say so. */
const MAX_POLL_FAILURES = 5;

export type ReconciliationPhase = 'idle' | 'starting' | 'running' | 'completed' | 'failed';

/**
 * Reconciliation on demand (R27): start the job, then poll its progress every second until it
 * is completed or failed. One at a time per screen.
 */
export const useReconciliationStore = defineStore('reconciliation', () => {
  const job = ref<JobStatus | null>(null);
  const phase = ref<ReconciliationPhase>('idle');
  /** What went wrong, as the server said it (or null for "no answer"). */
  const errorMessage = ref<string | null>(null);
  /** The unit it runs for; null for the whole region. */
  const scopeUnitId = ref<string | null>(null);

  let timer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;
  let run = 0;

  const running = computed(() => phase.value === 'starting' || phase.value === 'running');
  /** What the completed job reports: units reconciled and doses of expired batches written off. */
  const result = computed<ReconciliationResult | null>(() => {
    const r = job.value?.result;
    return phase.value === 'completed' && isReconciliationResult(r) ? r : null;
  });

  async function start(unitId?: string): Promise<void> {
    if (running.value) return;
    stopPolling();
    const mine = ++run;
    phase.value = 'starting';
    job.value = null;
    errorMessage.value = null;
    scopeUnitId.value = unitId ?? null;
    failures = 0;
    try {
      const { jobId } = await stockApi.reconcile(unitId);
      if (mine !== run) return;
      phase.value = 'running';
      job.value = { id: jobId, queue: '', state: 'waiting', progress: { done: 0, total: 0 } };
      await poll(jobId, mine);
    } catch (e) {
      if (mine !== run) return;
      phase.value = 'failed';
      errorMessage.value = e instanceof ApiError ? e.messages.join(' ') || null : null;
    }
  }

  async function poll(jobId: string, mine: number): Promise<void> {
    try {
      const status = await jobsApi.get(jobId);
      if (mine !== run) return;
      failures = 0;
      job.value = status;
      if (status.state === 'completed') {
        phase.value = 'completed';
        return;
      }
      if (status.state === 'failed') {
        phase.value = 'failed';
        errorMessage.value = status.failedReason ?? null;
        return;
      }
    } catch (e) {
      if (mine !== run) return;
      if (++failures >= MAX_POLL_FAILURES || (e instanceof ApiError && e.status < 500)) {
        phase.value = 'failed';
        errorMessage.value = e instanceof ApiError ? e.messages.join(' ') || null : null;
        return;
      }
    }
    timer = setTimeout(() => {
      timer = null;
      void poll(jobId, mine);
    }, POLL_MS);
  }

  function stopPolling(): void {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  function $reset(): void {
    run++;
    stopPolling();
    job.value = null;
    phase.value = 'idle';
    errorMessage.value = null;
    scopeUnitId.value = null;
    failures = 0;
  }

  return { job, phase, errorMessage, scopeUnitId, running, result, start, $reset };
});

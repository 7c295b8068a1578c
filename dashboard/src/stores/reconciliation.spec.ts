import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jobsApi } from '../api/jobs';
import { stockApi } from '../api/stock';
import { POLL_MS, useReconciliationStore } from './reconciliation';

const job = (state: 'waiting' | 'active' | 'completed' | 'failed', done: number, total = 3) => ({
  id: 'job-1',
  queue: 'stock',
  state,
  progress: { done, total },
});

describe('reconciliation on demand', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('starts the job and polls its progress every second until it completes', async () => {
    const reconcile = vi.spyOn(stockApi, 'reconcile').mockResolvedValue({ jobId: 'job-1' });
    const get = vi
      .spyOn(jobsApi, 'get')
      .mockResolvedValueOnce(job('active', 1))
      .mockResolvedValueOnce(job('active', 2))
      .mockResolvedValueOnce(job('completed', 3));
    const store = useReconciliationStore();
    await store.start('unit-1');
    expect(reconcile).toHaveBeenCalledWith('unit-1');
    expect(store).toMatchObject({ phase: 'running', job: { progress: { done: 1 } } });
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(store.job?.progress.done).toBe(2);
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(store.phase).toBe('completed');
    await vi.advanceTimersByTimeAsync(POLL_MS * 3);
    expect(get).toHaveBeenCalledTimes(3);
  });

  it('says why a job failed, and stops polling when the screen goes away', async () => {
    vi.spyOn(stockApi, 'reconcile').mockResolvedValue({ jobId: 'job-1' });
    const get = vi
      .spyOn(jobsApi, 'get')
      .mockResolvedValueOnce(job('active', 0))
      .mockResolvedValueOnce({ ...job('failed', 1), failedReason: 'database timeout' });
    const store = useReconciliationStore();
    await store.start();
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(store).toMatchObject({ phase: 'failed', errorMessage: 'database timeout' });

    get.mockResolvedValue(job('active', 1));
    await store.start();
    store.$reset();
    await vi.advanceTimersByTimeAsync(POLL_MS * 3);
    expect(get).toHaveBeenCalledTimes(3);
  });
});

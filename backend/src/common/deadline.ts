/**
 * Waits for `work` at most `ms` milliseconds. Resolves true when it settled in time (fulfilled
 * or rejected alike), false when the time ran out; never rejects. For shutdown steps that must
 * not hang the process (BullMQ's `Worker.close()` can wait forever for a Redis connection that
 * is reconnecting: taskforcesh/bullmq#2430, #4656).
 */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A refetch after a burst of live events: waits for `debounceMs` of quiet, but never longer
 * than `maxWaitMs` after the first ask (a steady stream still refreshes).
 */
export function debouncedRefresh(run: () => void, debounceMs: number, maxWaitMs: number) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let waitingSince: number | null = null;

  function schedule(): void {
    const now = Date.now();
    waitingSince ??= now;
    if (timer) {
      if (now - waitingSince >= maxWaitMs) return;
      clearTimeout(timer);
    }
    const delay = Math.min(debounceMs, maxWaitMs - (now - waitingSince));
    timer = setTimeout(
      () => {
        timer = null;
        waitingSince = null;
        run();
      },
      Math.max(0, delay),
    );
  }

  function clear(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    waitingSince = null;
  }

  return { schedule, clear };
}

import { ref } from 'vue';

/**
 * Keys (a slot, a table row) that just changed, each highlighted for `ms` after its last change:
 * what the timebook, the stock overview and the coverage tables show when a live event lands.
 */
export function timedHighlights(ms: number) {
  const highlighted = ref<Record<string, true>>({});
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  function mark(key: string): void {
    highlighted.value = { ...highlighted.value, [key]: true };
    const timer = timers.get(key);
    if (timer) clearTimeout(timer);
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        const { [key]: _gone, ...rest } = highlighted.value;
        highlighted.value = rest;
      }, ms),
    );
  }

  function clear(): void {
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
    highlighted.value = {};
  }

  return { highlighted, mark, clear };
}

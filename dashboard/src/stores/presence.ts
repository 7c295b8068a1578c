import type { PresenceViewer } from '@events';
import { defineStore } from 'pinia';
import { ref } from 'vue';

/**
 * Who is looking at a unit's timebook. Every presence event carries the whole list, so a missed
 * event needs no resync: the newest version simply wins.
 */
export const usePresenceStore = defineStore('presence', () => {
  const unitId = ref<string | null>(null);
  const version = ref<number | null>(null);
  const viewers = ref<PresenceViewer[]>([]);

  function begin(forUnit: string): void {
    if (unitId.value === forUnit) return;
    unitId.value = forUnit;
    version.value = null;
    viewers.value = [];
  }

  /** From the subscribe ack or a `presence.changed` event. */
  function receive(forUnit: string, v: number, list: PresenceViewer[]): void {
    if (forUnit !== unitId.value) return;
    if (version.value !== null && v < version.value) return;
    version.value = v;
    viewers.value = Array.isArray(list) ? list : [];
  }

  /** After a reconnect: accept the next snapshot whatever its version. */
  function forgetVersion(): void {
    version.value = null;
  }

  function $reset(): void {
    unitId.value = null;
    version.value = null;
    viewers.value = [];
  }

  return { unitId, version, viewers, begin, receive, forgetVersion, $reset };
});

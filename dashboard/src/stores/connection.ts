import { defineStore } from 'pinia';
import { ref } from 'vue';

/** live: connected; reconnecting: trying (or first connect); offline: no network or given up. */
export type ConnectionState = 'live' | 'reconnecting' | 'offline';

/** Written only by realtime/socket.ts; read by the header's indicator. */
export const useConnectionStore = defineStore('connection', () => {
  const state = ref<ConnectionState>('offline');
  /** Distinguishes the first "Ansluter…" from "Återansluter…". */
  const everConnected = ref(false);

  function set(next: ConnectionState): void {
    state.value = next;
    if (next === 'live') everConnected.value = true;
  }

  function $reset(): void {
    state.value = 'offline';
    everConnected.value = false;
  }

  return { state, everConnected, set, $reset };
});

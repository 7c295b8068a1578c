import type { JobProgress } from '@events';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { ApiError, NetworkError } from '../api/http';
import { nvrApi, type NvrFile, type NvrRun } from '../api/nvr';
import {
  applyNvrProgress,
  fromNvrJobsSnapshot,
  isFinished,
  type NvrJob,
  type NvrJobsSnapshot,
  type NvrJobsState,
} from '../realtime/nvr-state';
import {
  beginResync as resyncing,
  createVersioned,
  receiveEvent,
  receiveSnapshot as takeSnapshot,
  type Versioned,
} from '../realtime/versioned-state';

export type NvrLoadError = 'forbidden' | 'failed';
export type NvrLiveError = 'forbidden' | 'invalid' | 'unavailable' | 'timeout';

type Live = Versioned<NvrJobsState, JobProgress>;

/**
 * The region's NVR export runs (R28): the list and one opened run from the API, their progress
 * live from the region's `jobs` topic (filled by realtime/socket.ts). A run that finishes is
 * read again, so its counts, files and errors appear without a reload.
 */
export const useNvrStore = defineStore('nvr', () => {
  const regionId = ref<string | null>(null);
  const runs = ref<NvrRun[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const loadError = ref<NvrLoadError | null>(null);
  const selected = ref<NvrRun | null>(null);
  const starting = ref(false);
  const startMessage = ref<{ kind: 'started' | 'alreadyRunning' | 'failed'; text?: string } | null>(null);
  const downloadError = ref<string | null>(null);
  const live = shallowRef<Live>(createVersioned());
  const liveError = ref<NvrLiveError | null>(null);

  /** Live progress by run id (the topic's; the list's own figures until it speaks). */
  const progressOf = computed(() => {
    const m = new Map<string, NvrJob>();
    for (const j of live.value.state?.jobs ?? []) m.set(j.exportId, j);
    return m;
  });

  function begin(forRegion: string): void {
    regionId.value = forRegion;
    runs.value = [];
    loaded.value = false;
    loadError.value = null;
    selected.value = null;
    startMessage.value = null;
    live.value = createVersioned();
    liveError.value = null;
  }

  /** Reads the region's runs (`forRegion`: the page's region, begun here if the socket has not). */
  async function load(forRegion?: string): Promise<void> {
    if (forRegion && forRegion !== regionId.value) begin(forRegion);
    const region = regionId.value;
    if (!region) return;
    loading.value = true;
    try {
      const res = await nvrApi.list(region);
      if (region !== regionId.value) return;
      runs.value = res.runs;
      loaded.value = true;
      loadError.value = null;
      if (selected.value) {
        const fresh = res.runs.find((r) => r.id === selected.value!.id);
        if (fresh && fresh.status !== selected.value.status) await open(fresh.id);
      }
    } catch (e) {
      loadError.value = e instanceof ApiError && e.status === 403 ? 'forbidden' : 'failed';
      if (!(e instanceof ApiError) && !(e instanceof NetworkError)) throw e;
    } finally {
      loading.value = false;
    }
  }

  async function open(id: string): Promise<void> {
    try {
      selected.value = await nvrApi.get(id);
    } catch (e) {
      if (!(e instanceof ApiError) && !(e instanceof NetworkError)) throw e;
      loadError.value = 'failed';
    }
  }

  function close(): void {
    selected.value = null;
  }

  async function start(): Promise<void> {
    const region = regionId.value;
    if (!region || starting.value) return;
    starting.value = true;
    startMessage.value = null;
    try {
      const res = await nvrApi.start(region);
      startMessage.value = { kind: res.alreadyRunning ? 'alreadyRunning' : 'started' };
      await load();
    } catch (e) {
      if (!(e instanceof ApiError) && !(e instanceof NetworkError)) throw e;
      startMessage.value = { kind: 'failed', text: e instanceof ApiError ? e.messages.join(' ') : undefined };
    } finally {
      starting.value = false;
    }
  }

  /** Downloads through a short-lived signed link, so the browser streams the file itself. */
  async function download(run: NvrRun, file: NvrFile): Promise<void> {
    downloadError.value = null;
    try {
      const { url } = await nvrApi.link(run.id, file.name);
      window.location.assign(url);
    } catch (e) {
      if (!(e instanceof ApiError) && !(e instanceof NetworkError)) throw e;
      downloadError.value = e instanceof ApiError ? e.messages.join(' ') || e.message : 'network';
    }
  }

  function beginResync(): void {
    live.value = resyncing(live.value);
  }

  /** The subscribe ack's snapshot. Returns true when the caller must resync again. */
  function receiveSnapshot(v: number, snapshot: NvrJobsSnapshot): boolean {
    if (snapshot.regionId !== regionId.value) return false;
    const step = takeSnapshot(live.value, v, fromNvrJobsSnapshot(snapshot), applyNvrProgress);
    live.value = step.next;
    liveError.value = null;
    return step.resync;
  }

  /** A `job.progress` event of the region. Returns true when the caller must resync. */
  function receiveProgress(event: JobProgress): boolean {
    if (event.regionId !== regionId.value) return false;
    const before = event.exportId ? progressOf.value.get(event.exportId)?.state : undefined;
    const step = receiveEvent(live.value, event, applyNvrProgress);
    live.value = step.next;
    // a run appeared or finished: its row (counts, files, errors) is worth reading again
    if (step.changed && event.exportId && (before === undefined || isFinished(event.state))) void load();
    return step.resync;
  }

  function fail(reason: NvrLiveError): void {
    liveError.value = reason;
  }

  function $reset(): void {
    regionId.value = null;
    runs.value = [];
    loaded.value = false;
    loading.value = false;
    loadError.value = null;
    selected.value = null;
    starting.value = false;
    startMessage.value = null;
    downloadError.value = null;
    live.value = createVersioned();
    liveError.value = null;
  }

  return {
    regionId,
    runs,
    loaded,
    loading,
    loadError,
    selected,
    starting,
    startMessage,
    downloadError,
    live,
    liveError,
    progressOf,
    begin,
    load,
    open,
    close,
    start,
    download,
    beginResync,
    receiveSnapshot,
    receiveProgress,
    fail,
    $reset,
  };
});

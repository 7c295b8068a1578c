import type { DayCounts, SlotView, TimebookChanged, TimebookSnapshot } from '@events';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import { timebookApi } from '../api/timebook';
import { unitsApi } from '../api/units';
import type { TimebookDay, VisitType } from '../api/types';
import {
  applyTimebookChange,
  dayOfEvent,
  effectiveDays,
  fromSnapshot,
  nextHoldExpiry,
  type TimebookState,
} from '../realtime/timebook-state';
import {
  beginResync as resyncing,
  createVersioned,
  receiveEvent,
  receiveSnapshot as takeSnapshot,
  type Versioned,
} from '../realtime/versioned-state';
import { timedHighlights } from '../lib/timed-highlights';

export type TimebookError = 'forbidden' | 'invalid' | 'unavailable' | 'timeout';

/** How long a slot that just changed stays highlighted. */
export const HIGHLIGHT_MS = 2500;
const MAX_TIMER_MS = 2 ** 31 - 1;

type Live = Versioned<TimebookState, TimebookChanged>;

/**
 * The timebook day on screen. Filled by realtime/socket.ts (snapshot and events); the view only
 * reads it. Visit types come over REST since they are not part of the live protocol.
 */
export const useTimebookStore = defineStore('timebook', () => {
  const unitId = ref<string | null>(null);
  const date = ref<string | null>(null);
  // Replaced wholesale on every step (immutable updates), so a shallow ref is enough.
  const live = shallowRef<Live>(createVersioned());
  const error = ref<TimebookError | null>(null);
  /** Wall clock for lapsing holds; advanced exactly when the next known hold lapses. */
  const now = ref(Date.now());
  const { highlighted, mark, clear: clearHighlights } = timedHighlights(HIGHLIGHT_MS);

  const visitTypes = ref<VisitType[]>([]);
  const visitTypesUnitId = ref<string | null>(null);
  const visitTypesError = ref(false);

  /** The shown day's note and web booking (R15, R16), over REST; kept when a reload fails. */
  const day = ref<TimebookDay | null>(null);
  const dayKey = ref<string | null>(null);

  const state = computed(() => live.value.state);
  const version = computed(() => live.value.version);
  const slots = computed<SlotView[]>(() => state.value?.slots ?? []);
  const days = computed<DayCounts[]>(() => (state.value ? effectiveDays(state.value, now.value) : []));
  const dayCounts = computed<DayCounts | null>(() => days.value.find((d) => d.date === date.value) ?? null);
  /** Data is on screen but a resync is under way (after a gap or reconnect). */
  const syncing = computed(() => live.value.syncing);
  const status = computed<'idle' | 'loading' | 'ready' | 'error'>(() => {
    if (state.value) return 'ready';
    if (error.value) return 'error';
    return unitId.value ? 'loading' : 'idle';
  });

  let holdTimer: ReturnType<typeof setTimeout> | null = null;

  /** A new unit/day subscription: forget everything about the previous one. */
  function begin(forUnit: string, forDate: string): void {
    unitId.value = forUnit;
    date.value = forDate;
    if (dayKey.value !== keyOf(forUnit, forDate)) {
      day.value = null;
      dayKey.value = null;
    }
    live.value = createVersioned();
    error.value = null;
    clearHighlights();
    now.value = Date.now();
  }

  /** Re-subscribing (gap or reconnect): keep showing what we have until a snapshot arrives. */
  function beginResync(): void {
    live.value = resyncing(live.value);
  }

  /** The subscribe ack's snapshot. Returns true when the caller must resync again. */
  function receiveSnapshot(version: number, snapshot: TimebookSnapshot): boolean {
    if (snapshot.unitId !== unitId.value || snapshot.date !== date.value) return false;
    // A snapshot after a reconnect or gap: a day note changed meanwhile came with no slot event.
    if (live.value.state) reloadDay();
    const step = takeSnapshot(live.value, version, fromSnapshot(snapshot), applyTimebookChange);
    live.value = step.next;
    error.value = null;
    now.value = Date.now();
    return step.resync;
  }

  /** A `timebook.changed` event. Returns true when the caller must resync. */
  function receiveChange(event: TimebookChanged): boolean {
    if (event.unitId !== unitId.value) return false;
    const before = live.value.state;
    const step = receiveEvent(live.value, event, applyTimebookChange);
    live.value = step.next;
    if (step.changed && before && step.next.state) highlightChanged(before.slots, step.next.state.slots);
    if (step.changed && date.value) {
      const d = dayOfEvent(event, date.value);
      if (d === 'reload') reloadDay();
      else if (d) day.value = d;
    }
    return step.resync;
  }

  /** The day's note and web booking; a day without either is absent from the answer. */
  async function loadDay(forUnit: string, forDate: string): Promise<void> {
    const key = keyOf(forUnit, forDate);
    if (dayKey.value !== key) day.value = null;
    dayKey.value = key;
    try {
      const days = await timebookApi.days(forUnit, forDate, forDate);
      if (dayKey.value !== key) return;
      day.value = days.find((d) => d.date === forDate) ?? {
        date: forDate,
        note: null,
        webBookingClosed: false,
      };
    } catch {
      // A note is a nicety next to the slots: keep what we had; the next change or resync asks again.
    }
  }

  function reloadDay(): void {
    if (unitId.value && date.value && dayKey.value === keyOf(unitId.value, date.value))
      void loadDay(unitId.value, date.value);
  }

  function fail(reason: TimebookError): void {
    error.value = reason;
  }

  async function loadVisitTypes(forUnit: string): Promise<void> {
    if (visitTypesUnitId.value === forUnit && !visitTypesError.value) return;
    visitTypesUnitId.value = forUnit;
    visitTypesError.value = false;
    visitTypes.value = [];
    try {
      const list = await unitsApi.visitTypes(forUnit);
      if (visitTypesUnitId.value === forUnit) visitTypes.value = list;
    } catch {
      if (visitTypesUnitId.value === forUnit) visitTypesError.value = true;
    }
  }

  function isHighlighted(slotId: string): boolean {
    return highlighted.value[slotId] === true;
  }

  /** Slot objects are reused when unchanged, so identity tells which ones an event touched. */
  function highlightChanged(before: SlotView[], after: SlotView[]): void {
    const previous = new Set(before);
    for (const slot of after) if (!previous.has(slot)) mark(slot.id);
  }

  // Re-render when the next known hold lapses: one timer, no polling.
  function scheduleHoldTick(): void {
    if (holdTimer) clearTimeout(holdTimer);
    holdTimer = null;
    const s = live.value.state;
    const at = s ? nextHoldExpiry(s, Date.now()) : null;
    if (at === null) return;
    holdTimer = setTimeout(
      () => {
        now.value = Date.now();
        scheduleHoldTick();
      },
      // A little late rather than early, so the hold has surely lapsed when we look; and
      // within setTimeout's 32-bit range, which would otherwise fire at once, in a loop.
      Math.min(at - Date.now() + 20, MAX_TIMER_MS),
    );
  }
  watch(state, scheduleHoldTick);

  function $reset(): void {
    unitId.value = null;
    date.value = null;
    live.value = createVersioned();
    error.value = null;
    clearHighlights();
    if (holdTimer) clearTimeout(holdTimer);
    holdTimer = null;
    visitTypes.value = [];
    visitTypesUnitId.value = null;
    visitTypesError.value = false;
    day.value = null;
    dayKey.value = null;
  }

  return {
    unitId,
    date,
    live,
    error,
    now,
    highlighted,
    visitTypes,
    visitTypesUnitId,
    visitTypesError,
    day,
    dayKey,
    state,
    version,
    slots,
    days,
    dayCounts,
    syncing,
    status,
    begin,
    beginResync,
    receiveSnapshot,
    receiveChange,
    fail,
    loadVisitTypes,
    loadDay,
    isHighlighted,
    $reset,
  };
});

function keyOf(unit: string, date: string): string {
  return `${unit}|${date}`;
}

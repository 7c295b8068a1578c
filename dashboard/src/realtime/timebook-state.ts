/**
 * The timebook of one unit and one day as the dashboard holds it, and how a `timebook.changed`
 * event moves it. Pure functions: the store keeps the result, the specs test it without Vue.
 */
import type { DayCounts, SlotChange, SlotStatus, SlotView, TimebookChanged, TimebookSnapshot } from '@events';
import type { TimebookDay } from '../api/types';

export interface KnownHold {
  date: string;
  heldUntil: string;
}

export interface TimebookState {
  unitId: string;
  /** The day shown in the grid. */
  date: string;
  slots: SlotView[];
  /** Counts as the server keeps them (stored status), for `date` and the following days. */
  days: DayCounts[];
  /**
   * Holds we know the end of, by slot id. A hold lapses by itself (R14) and the server may tell
   * us later or never, so the dashboard counts a hold whose time has passed as free. Tracking
   * them here lets the displayed figures stay right whether or not `hold.expired` ever arrives.
   */
  holds: Readonly<Record<string, KnownHold>>;
}

const COUNT_KEY: Record<SlotStatus, keyof Omit<DayCounts, 'date' | 'opened'>> = {
  FREE: 'free',
  HELD: 'held',
  BOOKED: 'booked',
  BLOCKED: 'blocked',
};

export function fromSnapshot(snapshot: TimebookSnapshot): TimebookState {
  const holds: Record<string, KnownHold> = {};
  for (const slot of snapshot.slots) {
    if (slot.status === 'HELD' && slot.heldUntil) {
      holds[slot.id] = { date: snapshot.date, heldUntil: slot.heldUntil };
    }
  }
  return {
    unitId: snapshot.unitId,
    date: snapshot.date,
    slots: sortSlots(snapshot.slots),
    days: [...snapshot.days].sort((a, b) => a.date.localeCompare(b.date)),
    holds,
  };
}

/**
 * Applies one event. Returns undefined when a change names a slot of the shown day that we do
 * not have (it was opened after our snapshot): only a fresh snapshot can fill that in.
 */
export function applyTimebookChange(state: TimebookState, event: TimebookChanged): TimebookState | undefined {
  if (event.unitId !== state.unitId) return state;
  let slots = state.slots;
  let days = state.days;
  const holds: Record<string, KnownHold> = { ...state.holds };

  for (const change of event.changes) {
    if (change.date === state.date) {
      const index = slots.findIndex((s) => s.id === change.slotId);
      if (index === -1) return undefined;
      if (slots === state.slots) slots = [...slots];
      slots[index] = applyToSlot(slots[index]!, change);
    }
    days = adjustCounts(days, change);
    if (change.to === 'HELD' && change.heldUntil) {
      holds[change.slotId] = { date: change.date, heldUntil: change.heldUntil };
    } else {
      delete holds[change.slotId];
    }
  }
  return { ...state, slots, days, holds };
}

function applyToSlot(slot: SlotView, change: SlotChange): SlotView {
  // Fields that belong to the old status go with it: a cancelled slot has no booking, etc.
  const next: SlotView = {
    id: slot.id,
    start: slot.start,
    end: slot.end,
    resource: slot.resource,
    column: slot.column,
    status: change.to,
  };
  if (change.to === 'BOOKED') {
    if (change.bookingId) next.bookingId = change.bookingId;
    if (change.visitTypeId) next.visitTypeId = change.visitTypeId;
  }
  if (change.to === 'HELD') {
    if (change.heldUntil) next.heldUntil = change.heldUntil;
    if (change.visitTypeId) next.visitTypeId = change.visitTypeId;
  }
  // A block's note explains the block; a day note may stay on other statuses if the server sends it.
  if (change.note !== undefined) next.note = change.note;
  else if (change.to === slot.status && slot.note !== undefined) next.note = slot.note;
  return next;
}

function adjustCounts(days: DayCounts[], change: SlotChange): DayCounts[] {
  if (change.from === change.to) return days;
  const index = days.findIndex((d) => d.date === change.date);
  if (index === -1) return days;
  const day = days[index]!;
  const from = COUNT_KEY[change.from];
  const to = COUNT_KEY[change.to];
  const next = [...days];
  next[index] = { ...day, [from]: Math.max(0, day[from] - 1), [to]: day[to] + 1 };
  return next;
}

/** What a slot is for the user right now: a hold whose time has passed is free again. */
export function effectiveStatus(slot: SlotView, now: number): SlotStatus {
  if (slot.status === 'HELD' && slot.heldUntil && Date.parse(slot.heldUntil) <= now) return 'FREE';
  return slot.status;
}

/** The day counts with lapsed holds counted as free. */
export function effectiveDays(state: TimebookState, now: number): DayCounts[] {
  const lapsed = new Map<string, number>();
  for (const hold of Object.values(state.holds)) {
    if (Date.parse(hold.heldUntil) <= now) lapsed.set(hold.date, (lapsed.get(hold.date) ?? 0) + 1);
  }
  if (lapsed.size === 0) return state.days;
  return state.days.map((day) => {
    const n = Math.min(lapsed.get(day.date) ?? 0, day.held);
    return n === 0 ? day : { ...day, held: day.held - n, free: day.free + n };
  });
}

/** The next instant at which a known hold lapses, to re-render exactly then. */
export function nextHoldExpiry(state: TimebookState, now: number): number | null {
  let next: number | null = null;
  for (const hold of Object.values(state.holds)) {
    const t = Date.parse(hold.heldUntil);
    if (t > now && (next === null || t < next)) next = t;
  }
  return next;
}

function sortSlots(slots: SlotView[]): SlotView[] {
  return [...slots].sort(
    (a, b) =>
      Date.parse(a.start) - Date.parse(b.start) ||
      a.resource.localeCompare(b.resource) ||
      a.column - b.column,
  );
}

/**
 * What a `timebook.changed` event says about the shown day's note and web booking (R15, R16):
 * the day itself when the event carries it, 'reload' when its cause is a day change without it
 * (`day.updated`), null when it is about slots only.
 */
export function dayOfEvent(event: TimebookChanged, date: string): TimebookDay | 'reload' | null {
  const day = (event as TimebookChanged & { day?: unknown }).day;
  if (isTimebookDay(day)) return day.date === date ? day : null;
  return event.cause.startsWith('day.') ? 'reload' : null;
}

export function isTimebookDay(x: unknown): x is TimebookDay {
  const d = x as Partial<TimebookDay> | null;
  return (
    !!d &&
    typeof d.date === 'string' &&
    (d.note === null || d.note === undefined || typeof d.note === 'string') &&
    (d.webBookingClosed === undefined || typeof d.webBookingClosed === 'boolean')
  );
}

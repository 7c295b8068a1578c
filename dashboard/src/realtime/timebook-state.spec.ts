import type { SlotChange, SlotView, TimebookChanged, TimebookSnapshot } from '@events';
import { describe, expect, it } from 'vitest';
import {
  applyTimebookChange,
  effectiveDays,
  effectiveStatus,
  fromSnapshot,
  nextHoldExpiry,
} from './timebook-state';

const DATE = '2025-03-04';
const NEXT = '2025-03-05';

function slot(
  id: string,
  start: string,
  status: SlotView['status'],
  extra: Partial<SlotView> = {},
): SlotView {
  return {
    id,
    start,
    end: start.replace(':00+', ':10+'),
    resource: 'SKOTERSKA',
    column: 1,
    status,
    ...extra,
  };
}

const snapshot: TimebookSnapshot = {
  unitId: 'u1',
  date: DATE,
  slots: [
    slot('b', `${DATE}T09:10:00+01:00`, 'BOOKED', { bookingId: 'bk1' }),
    slot('a', `${DATE}T09:00:00+01:00`, 'FREE'),
    slot('c', `${DATE}T09:20:00+01:00`, 'BLOCKED', { note: 'Lunch' }),
  ],
  days: [
    { date: NEXT, opened: 10, booked: 0, held: 0, blocked: 0, free: 10 },
    { date: DATE, opened: 3, booked: 1, held: 0, blocked: 1, free: 1 },
  ],
};

function change(c: Partial<SlotChange> & Pick<SlotChange, 'slotId' | 'from' | 'to'>): SlotChange {
  return { date: DATE, start: `${DATE}T09:00:00+01:00`, resource: 'SKOTERSKA', column: 1, ...c };
}
function event(version: number, changes: SlotChange[], cause = 'booking.created'): TimebookChanged {
  return { topic: 'timebook', unitId: 'u1', version, cause, changes, at: '2025-03-04T08:00:00Z' };
}

describe('timebook state', () => {
  it('orders slots by time and days by date', () => {
    const s = fromSnapshot(snapshot);
    expect(s.slots.map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(s.days.map((d) => d.date)).toEqual([DATE, NEXT]);
  });

  it('a booking on the shown day updates the slot and moves one count from free to booked', () => {
    const s = fromSnapshot(snapshot);
    const next = applyTimebookChange(
      s,
      event(2, [change({ slotId: 'a', from: 'FREE', to: 'BOOKED', bookingId: 'bk2', visitTypeId: 'vt1' })]),
    )!;
    expect(next.slots[0]).toMatchObject({ id: 'a', status: 'BOOKED', bookingId: 'bk2', visitTypeId: 'vt1' });
    expect(next.days[0]).toMatchObject({ booked: 2, free: 0, opened: 3 });
    // untouched slots keep their identity (the grid highlights by identity)
    expect(next.slots[1]).toBe(s.slots[1]);
  });

  it('a cancellation clears the booking from the slot', () => {
    const next = applyTimebookChange(
      fromSnapshot(snapshot),
      event(2, [change({ slotId: 'b', from: 'BOOKED', to: 'FREE' })], 'booking.cancelled'),
    )!;
    expect(next.slots[1]).toEqual({ ...snapshot.slots[0], status: 'FREE', bookingId: undefined });
    expect(next.slots[1]?.bookingId).toBeUndefined();
    expect(next.days[0]).toMatchObject({ booked: 0, free: 2 });
  });

  it('a change on another day only moves that day’s counts', () => {
    const s = fromSnapshot(snapshot);
    const next = applyTimebookChange(
      s,
      event(2, [change({ slotId: 'x', date: NEXT, from: 'FREE', to: 'BOOKED' })]),
    )!;
    expect(next.slots).toBe(s.slots);
    expect(next.days[1]).toMatchObject({ booked: 1, free: 9 });
    expect(next.days[0]).toBe(s.days[0]);
  });

  it('a change to a slot of the shown day that we do not have cannot be applied (resync)', () => {
    expect(
      applyTimebookChange(
        fromSnapshot(snapshot),
        event(2, [change({ slotId: 'new', from: 'FREE', to: 'BLOCKED' })]),
      ),
    ).toBeUndefined();
  });

  it('counts a hold whose time has passed as free, and stays right when hold.expired arrives later', () => {
    const heldUntil = '2025-03-04T08:05:00Z';
    const before = Date.parse(heldUntil) - 1000;
    const after = Date.parse(heldUntil) + 1000;
    const held = applyTimebookChange(
      fromSnapshot(snapshot),
      event(2, [change({ slotId: 'a', from: 'FREE', to: 'HELD', heldUntil })], 'hold.created'),
    )!;
    expect(effectiveStatus(held.slots[0]!, before)).toBe('HELD');
    expect(effectiveDays(held, before)[0]).toMatchObject({ held: 1, free: 0 });
    expect(nextHoldExpiry(held, before)).toBe(Date.parse(heldUntil));

    // the hold lapses on its own
    expect(effectiveStatus(held.slots[0]!, after)).toBe('FREE');
    expect(effectiveDays(held, after)[0]).toMatchObject({ held: 0, free: 1 });
    expect(nextHoldExpiry(held, after)).toBeNull();

    // the server's hold.expired does not count it twice
    const released = applyTimebookChange(
      held,
      event(3, [change({ slotId: 'a', from: 'HELD', to: 'FREE' })], 'hold.expired'),
    )!;
    expect(effectiveDays(released, after)[0]).toMatchObject({ held: 0, free: 1 });
  });

  it('a FREE slot that still carries an old heldUntil is free', () => {
    expect(
      effectiveStatus(
        slot('z', `${DATE}T10:00:00+01:00`, 'FREE', { heldUntil: '2020-01-01T00:00:00Z' }),
        Date.now(),
      ),
    ).toBe('FREE');
  });

  it('holds in the snapshot are tracked too', () => {
    const heldUntil = '2025-03-04T08:05:00Z';
    const s = fromSnapshot({
      ...snapshot,
      slots: [slot('h', `${DATE}T09:00:00+01:00`, 'HELD', { heldUntil })],
      days: [{ date: DATE, opened: 1, booked: 0, held: 1, blocked: 0, free: 0 }],
    });
    expect(effectiveDays(s, Date.parse(heldUntil) + 1)[0]).toMatchObject({ held: 0, free: 1 });
  });

  it('ignores events for another unit', () => {
    const s = fromSnapshot(snapshot);
    expect(
      applyTimebookChange(s, {
        ...event(2, [change({ slotId: 'a', from: 'FREE', to: 'BOOKED' })]),
        unitId: 'u2',
      }),
    ).toBe(s);
  });
});

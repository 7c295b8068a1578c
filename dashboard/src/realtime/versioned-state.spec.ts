import { describe, expect, it } from 'vitest';
import {
  MAX_BUFFER,
  beginResync,
  createVersioned,
  receiveEvent,
  receiveSnapshot,
  type Apply,
  type Versioned,
} from './versioned-state';

/** A toy state: the list of event versions applied on top of a snapshot label. */
interface S {
  from: string;
  applied: number[];
}
interface E {
  version: number;
}
const apply: Apply<S, E> = (s, e) => ({ ...s, applied: [...s.applied, e.version] });

function live(version: number, label = 'snap'): Versioned<S, E> {
  return receiveSnapshot(createVersioned<S, E>(), version, { from: label, applied: [] }, apply).next;
}
const ev = (version: number): E => ({ version });

describe('versioned live state', () => {
  it('shows the snapshot from the subscribe ack', () => {
    const step = receiveSnapshot(createVersioned<S, E>(), 5, { from: 'snap', applied: [] }, apply);
    expect(step.changed).toBe(true);
    expect(step.resync).toBe(false);
    expect(step.next).toMatchObject({ version: 5, syncing: false, state: { from: 'snap', applied: [] } });
  });

  it('applies events that arrive in order', () => {
    let v = live(5);
    for (const n of [6, 7, 8]) {
      const step = receiveEvent(v, ev(n), apply);
      expect(step).toMatchObject({ changed: true, resync: false });
      v = step.next;
    }
    expect(v.version).toBe(8);
    expect(v.state?.applied).toEqual([6, 7, 8]);
  });

  it('ignores a duplicate event', () => {
    const v = receiveEvent(live(5), ev(6), apply).next;
    const step = receiveEvent(v, ev(6), apply);
    expect(step.changed).toBe(false);
    expect(step.resync).toBe(false);
    expect(step.next).toBe(v);
  });

  it('ignores an event older than the snapshot (already included in it)', () => {
    const v = live(5);
    for (const n of [3, 5]) {
      const step = receiveEvent(v, ev(n), apply);
      expect(step).toMatchObject({ changed: false, resync: false });
      expect(step.next).toBe(v);
    }
  });

  it('asks for a fresh snapshot on a gap, and keeps showing the current state meanwhile', () => {
    const v = live(5);
    const step = receiveEvent(v, ev(7), apply);
    expect(step.resync).toBe(true);
    expect(step.changed).toBe(false);
    expect(step.next.syncing).toBe(true);
    expect(step.next.version).toBe(5);
    expect(step.next.state).toBe(v.state);
  });

  it('replaces the state with the resync snapshot and replays what arrived after it', () => {
    let v = receiveEvent(live(5), ev(7), apply).next; // gap: 6 was missed
    v = receiveEvent(v, ev(8), apply).next; // buffered while resyncing
    const step = receiveSnapshot(v, 7, { from: 'fresh', applied: [] }, apply);
    expect(step).toMatchObject({ changed: true, resync: false });
    expect(step.next).toMatchObject({
      version: 8,
      syncing: false,
      buffer: [],
      state: { from: 'fresh', applied: [8] },
    });
  });

  it('buffers events that arrive before the subscribe ack and applies the newer ones after it', () => {
    let v = createVersioned<S, E>();
    for (const n of [11, 10, 12]) {
      const step = receiveEvent(v, ev(n), apply);
      expect(step).toMatchObject({ changed: false, resync: false });
      v = step.next;
    }
    expect(v.state).toBeNull();
    expect(v.buffer.map((e) => e.version)).toEqual([11, 10, 12]);

    // The snapshot already contains 10; 11 and 12 apply on top, in version order.
    const step = receiveSnapshot(v, 10, { from: 'snap', applied: [] }, apply);
    expect(step.next).toMatchObject({
      version: 12,
      syncing: false,
      buffer: [],
      state: { applied: [11, 12] },
    });
  });

  it('resyncs again when the buffer does not join up with the snapshot', () => {
    let v = createVersioned<S, E>();
    v = receiveEvent(v, ev(13), apply).next;
    const step = receiveSnapshot(v, 10, { from: 'snap', applied: [] }, apply);
    expect(step.resync).toBe(true);
    expect(step.changed).toBe(true); // the snapshot itself is shown
    expect(step.next).toMatchObject({ version: 10, syncing: true });
    expect(step.next.buffer.map((e) => e.version)).toEqual([13]);
  });

  it('ignores a snapshot older than what is already shown', () => {
    let v = live(5);
    v = receiveEvent(v, ev(6), apply).next;
    v = receiveEvent(v, ev(7), apply).next;
    v = beginResync(v); // e.g. after a reconnect
    const step = receiveSnapshot(v, 6, { from: 'lagging replica', applied: [] }, apply);
    expect(step.changed).toBe(false);
    expect(step.resync).toBe(false);
    expect(step.next.version).toBe(7);
    expect(step.next.state).toBe(v.state);
    expect(step.next.syncing).toBe(false);
  });

  it('still replays buffered events on top of the current state when the snapshot is stale', () => {
    let v = beginResync(live(7));
    v = receiveEvent(v, ev(8), apply).next;
    const step = receiveSnapshot(v, 6, { from: 'stale', applied: [] }, apply);
    expect(step).toMatchObject({ changed: true, resync: false });
    expect(step.next).toMatchObject({ version: 8, state: { from: 'snap', applied: [8] } });
  });

  it('takes a snapshot of the same version (the server is the authority)', () => {
    const v = beginResync(live(7, 'old'));
    const step = receiveSnapshot(v, 7, { from: 'same', applied: [] }, apply);
    expect(step.next.state?.from).toBe('same');
    expect(step.next.syncing).toBe(false);
  });

  it('keeps the state on screen while resyncing after a reconnect, buffering live events', () => {
    const v = beginResync(live(5));
    const step = receiveEvent(v, ev(6), apply);
    expect(step).toMatchObject({ changed: false, resync: false });
    expect(step.next.state).toBe(v.state);
    expect(step.next.buffer).toEqual([ev(6)]);
  });

  it('treats an event that does not fit the state like a gap', () => {
    const refuse: Apply<S, E> = () => undefined;
    const v = receiveSnapshot(createVersioned<S, E>(), 5, { from: 'snap', applied: [] }, refuse).next;
    const step = receiveEvent(v, ev(6), refuse);
    expect(step.resync).toBe(true);
    expect(step.next.version).toBe(5);
  });

  it('never mutates its input', () => {
    const v = Object.freeze(live(5));
    expect(() => receiveEvent(v, ev(6), apply)).not.toThrow();
    expect(() => receiveEvent(v, ev(9), apply)).not.toThrow();
    expect(v.version).toBe(5);
  });

  it('bounds the buffer when no ack comes', () => {
    let v = createVersioned<S, E>();
    for (let n = 1; n <= MAX_BUFFER + 10; n++) v = receiveEvent(v, ev(n), apply).next;
    expect(v.buffer).toHaveLength(MAX_BUFFER);
    expect(v.buffer[0]?.version).toBe(11);
  });
});

/**
 * Versioned live state, framework-free: the rules that keep what a user sees in step with the
 * server (architecture.md, "Realtime protocol").
 *
 * - Events that arrive before the subscribe ack are buffered, then replayed on top of the
 *   snapshot, so nothing committed between the snapshot and the first event is lost.
 * - An event with version <= current is a duplicate or already in the snapshot: ignored.
 * - version === current + 1 is applied.
 * - version > current + 1 means we missed something: ask for a fresh snapshot (resync).
 * - A snapshot older than the state already shown is ignored, so the screen never goes back in
 *   time (e.g. a lagging replica answering a resync).
 *
 * Every function returns a new value and never mutates its input; the caller decides what a
 * "resync" means (for socket.io: emit `subscribe` again).
 */

export interface VersionedEvent {
  version: number;
}

export interface Versioned<S, E extends VersionedEvent> {
  /** What the user currently sees; null until the first snapshot. */
  readonly state: S | null;
  /** Version of `state`; null until the first snapshot. */
  readonly version: number | null;
  /** True from (re)subscribing until a snapshot closes every gap: events are buffered. */
  readonly syncing: boolean;
  /** Events waiting for a snapshot, in arrival order. */
  readonly buffer: readonly E[];
}

/**
 * Applies one event. Returning `undefined` says the event does not fit the state (e.g. it names
 * a slot we do not have), which is handled like a gap.
 */
export type Apply<S, E> = (state: S, event: E) => S | undefined;

export interface Step<S, E extends VersionedEvent> {
  next: Versioned<S, E>;
  /** The visible state changed. */
  changed: boolean;
  /** The caller must request a fresh snapshot. */
  resync: boolean;
}

/** Bounds memory if an ack never comes; dropping events only creates a gap, which resyncs. */
export const MAX_BUFFER = 500;

/** A new subscription: nothing shown yet, waiting for the ack. */
export function createVersioned<S, E extends VersionedEvent>(): Versioned<S, E> {
  return { state: null, version: null, syncing: true, buffer: [] };
}

/**
 * We are about to ask for a snapshot again (gap, reconnect, retry). The current state stays on
 * screen until a snapshot at least as new replaces it.
 */
export function beginResync<S, E extends VersionedEvent>(v: Versioned<S, E>): Versioned<S, E> {
  return v.syncing ? v : { ...v, syncing: true };
}

export function receiveEvent<S, E extends VersionedEvent>(
  v: Versioned<S, E>,
  event: E,
  apply: Apply<S, E>,
): Step<S, E> {
  if (v.version !== null && event.version <= v.version) return unchanged(v);

  if (v.syncing || v.state === null || v.version === null) {
    const buffer = [...v.buffer, event];
    return unchanged({ ...v, buffer: buffer.length > MAX_BUFFER ? buffer.slice(-MAX_BUFFER) : buffer });
  }

  if (event.version === v.version + 1) {
    const state = apply(v.state, event);
    if (state !== undefined) {
      return { next: { ...v, state, version: event.version }, changed: true, resync: false };
    }
  }

  // A gap (or an event that does not fit): keep it, it may apply on top of the next snapshot.
  return { next: { ...v, syncing: true, buffer: [event] }, changed: false, resync: true };
}

export function receiveSnapshot<S, E extends VersionedEvent>(
  v: Versioned<S, E>,
  version: number,
  snapshot: S,
  apply: Apply<S, E>,
): Step<S, E> {
  const stale = v.version !== null && version < v.version;
  const base: Versioned<S, E> = stale ? v : { ...v, state: snapshot, version };
  const flushed = flush(base, apply);
  return { ...flushed, changed: flushed.changed || !stale };
}

/** Replays buffered events on top of the state, stopping at the first gap. */
function flush<S, E extends VersionedEvent>(v: Versioned<S, E>, apply: Apply<S, E>): Step<S, E> {
  let { state, version } = v;
  let changed = false;
  const pending = [...v.buffer].sort((a, b) => a.version - b.version);
  let i = 0;
  for (; i < pending.length && state !== null && version !== null; i++) {
    const event = pending[i]!;
    if (event.version <= version) continue;
    if (event.version !== version + 1) break;
    const next = apply(state, event);
    if (next === undefined) break;
    state = next;
    version = event.version;
    changed = true;
  }
  const rest = pending.slice(i).filter((e) => version === null || e.version > version);
  const resync = rest.length > 0;
  return { next: { state, version, syncing: resync, buffer: rest }, changed, resync };
}

function unchanged<S, E extends VersionedEvent>(next: Versioned<S, E>): Step<S, E> {
  return { next, changed: false, resync: false };
}

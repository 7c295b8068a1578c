import type { TimebookSnapshot } from '@events';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useAuthStore } from '../stores/auth';
import { useConnectionStore } from '../stores/connection';
import { usePresenceStore } from '../stores/presence';
import { useTimebookStore } from '../stores/timebook';
import { booked, DATE, session, snapshot, UNIT } from '../test/fixtures';

type Handler = (...args: unknown[]) => void;
interface Emitted {
  event: string;
  req: { topic: string; unitId?: string; regionId?: string; date?: string };
  ack: Handler;
}

/** Just enough of socket.io-client's Socket to drive socket.ts the way a server would. */
class FakeSocket {
  handlers = new Map<string, Handler[]>();
  managerHandlers = new Map<string, Handler[]>();
  emitted: Emitted[] = [];
  connected = false;
  active = false;
  connectCalls = 0;
  io = { on: (event: string, fn: Handler) => this.add(this.managerHandlers, event, fn) };
  constructor(public opts: { auth: (cb: (data: object) => void) => void; transports: string[] }) {}

  on(event: string, fn: Handler) {
    this.add(this.handlers, event, fn);
    return this;
  }
  timeout() {
    return {
      emit: (event: string, req: Emitted['req'], ack: Handler) => this.emitted.push({ event, req, ack }),
    };
  }
  emit(event: string, req: Emitted['req'], ack: Handler) {
    this.emitted.push({ event, req, ack });
  }
  connect() {
    this.active = true;
    this.connectCalls++;
    return this;
  }
  disconnect() {
    const was = this.connected;
    this.connected = false;
    this.active = false;
    if (was) this.fire('disconnect', 'io client disconnect');
    return this;
  }

  // what the server / network does
  serverAccepts() {
    this.connected = true;
    this.fire('connect');
  }
  dropConnection() {
    this.connected = false;
    this.fire('disconnect', 'transport close');
  }
  fire(event: string, ...args: unknown[]) {
    for (const fn of this.handlers.get(event) ?? []) fn(...args);
  }
  presentedToken(): unknown {
    let data: { token?: unknown } = {};
    this.opts.auth((d) => (data = d));
    return data.token;
  }
  subscribes(topic: string) {
    return this.emitted.filter((e) => e.event === 'subscribe' && e.req.topic === topic);
  }
  lastSubscribe(topic: string): Emitted {
    const all = this.subscribes(topic);
    return all[all.length - 1]!;
  }
  private add(map: Map<string, Handler[]>, event: string, fn: Handler) {
    map.set(event, [...(map.get(event) ?? []), fn]);
  }
}

const sockets = vi.hoisted(() => [] as unknown[]);
vi.mock('socket.io-client', () => ({
  io: vi.fn((_ns: string, opts: ConstructorParameters<typeof FakeSocket>[0]) => {
    const s = new FakeSocket(opts);
    sockets.push(s);
    return s;
  }),
}));

import { io } from 'socket.io-client';
import { stockApi } from '../api/stock';
import { REFRESH_DEBOUNCE_MS, useStockStore } from '../stores/stock';
import { useStockOverviewStore } from '../stores/stockOverview';
import { moved, overviewRow, REGION, unitStock } from '../test/stock-fixtures';
import { useJobsStore } from '../stores/jobs';
import { MASS_CANCEL_JOB } from './jobs-state';
import {
  followJobs,
  followStock,
  followStockOverview,
  followTimebook,
  startRealtime,
  unfollowJobs,
  unfollowStockOverview,
  unfollowTimebook,
} from './socket';

const snap = (over: Partial<TimebookSnapshot> = {}): TimebookSnapshot => ({
  ...structuredClone(snapshot),
  ...over,
});
const ok = (version: number, s: unknown) => ({ ok: true, version, snapshot: s });

describe('realtime socket', () => {
  let stop: () => void;
  let socket: FakeSocket;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets.length = 0;
    setActivePinia(createPinia());
    useAuthStore().session = structuredClone(session);
    stop = startRealtime();
    socket = sockets[0] as FakeSocket;
  });
  afterEach(() => {
    stop();
    vi.useRealTimers();
  });

  it('connects to /live over WebSocket with the session token', () => {
    expect(io).toHaveBeenCalledWith('/live', expect.objectContaining({ transports: ['websocket'] }));
    expect(socket.connectCalls).toBe(1);
    expect(socket.presentedToken()).toBe('token-a');
    expect(useConnectionStore().state).toBe('reconnecting');
    socket.serverAccepts();
    expect(useConnectionStore().state).toBe('live');
  });

  it('subscribes once connected, to the timebook day and to presence', () => {
    followTimebook(UNIT, DATE);
    expect(socket.emitted).toHaveLength(0);
    socket.serverAccepts();
    expect(socket.lastSubscribe('timebook').req).toEqual({ topic: 'timebook', unitId: UNIT, date: DATE });
    expect(socket.lastSubscribe('presence').req).toEqual({ topic: 'presence', unitId: UNIT });
  });

  it('events that arrive before the ack are applied on top of the snapshot', () => {
    socket.serverAccepts();
    followTimebook(UNIT, DATE);
    socket.fire('timebook.changed', booked(10, 's-free')); // already in the snapshot
    socket.fire('timebook.changed', booked(11, 's-free', 'bk-11'));
    socket.lastSubscribe('timebook').ack(null, ok(10, snap()));

    const store = useTimebookStore();
    expect(store.version).toBe(11);
    expect(store.slots.find((s) => s.id === 's-free')).toMatchObject({
      status: 'BOOKED',
      bookingId: 'bk-11',
    });
    expect(store.syncing).toBe(false);
  });

  it('a gap asks for a fresh snapshot', () => {
    socket.serverAccepts();
    followTimebook(UNIT, DATE);
    socket.lastSubscribe('timebook').ack(null, ok(10, snap()));
    socket.fire('timebook.changed', booked(12, 's-free'));
    vi.runOnlyPendingTimers();
    expect(socket.subscribes('timebook')).toHaveLength(2);
    expect(useTimebookStore().syncing).toBe(true);

    socket.lastSubscribe('timebook').ack(null, ok(12, snap({ slots: [] })));
    expect(useTimebookStore()).toMatchObject({ version: 12, syncing: false });
  });

  it('after a reconnect it subscribes again and never goes back to an older state', () => {
    socket.serverAccepts();
    followTimebook(UNIT, DATE);
    socket.lastSubscribe('timebook').ack(null, ok(10, snap()));
    socket.fire('timebook.changed', booked(11, 's-free'));

    socket.dropConnection();
    expect(useConnectionStore().state).toBe('reconnecting');
    expect(useTimebookStore().syncing).toBe(true);
    socket.serverAccepts();
    expect(socket.subscribes('timebook')).toHaveLength(2);
    // a replica that has not seen version 11 yet
    socket.lastSubscribe('timebook').ack(null, ok(10, snap()));
    const store = useTimebookStore();
    expect(store.version).toBe(11);
    expect(store.slots.find((s) => s.id === 's-free')?.status).toBe('BOOKED');
  });

  it('ignores the ack of a day the user has already left', () => {
    socket.serverAccepts();
    followTimebook(UNIT, DATE);
    const first = socket.lastSubscribe('timebook');
    followTimebook(UNIT, '2025-03-05');
    expect(
      socket.emitted.some(
        (e) => e.event === 'unsubscribe' && e.req.topic === 'timebook' && e.req.unitId === UNIT,
      ),
    ).toBe(true);
    first.ack(null, ok(10, snap()));
    expect(useTimebookStore()).toMatchObject({ date: '2025-03-05', status: 'loading' });
    // presence is per unit: still subscribed once
    expect(socket.subscribes('presence')).toHaveLength(1);
  });

  it('shows forbidden instead of retrying', () => {
    socket.serverAccepts();
    followTimebook(UNIT, DATE);
    socket.lastSubscribe('timebook').ack(null, { ok: false, error: 'forbidden' });
    vi.runOnlyPendingTimers();
    expect(useTimebookStore()).toMatchObject({ status: 'error', error: 'forbidden' });
    expect(socket.subscribes('timebook')).toHaveLength(1);
  });

  it('an ack that never comes is retried with back-off', () => {
    socket.serverAccepts();
    followTimebook(UNIT, DATE);
    socket.lastSubscribe('timebook').ack(new Error('operation has timed out'));
    expect(useTimebookStore().error).toBe('timeout');
    vi.runOnlyPendingTimers();
    expect(socket.subscribes('timebook')).toHaveLength(2);
    socket.lastSubscribe('timebook').ack(null, ok(3, snap()));
    expect(useTimebookStore()).toMatchObject({ status: 'ready', error: null });
  });

  it('says offline when the browser loses the network, and after several failed attempts', () => {
    socket.serverAccepts();
    window.dispatchEvent(new Event('offline'));
    expect(useConnectionStore().state).toBe('offline');
    socket.dropConnection();
    for (const fn of socket.managerHandlers.get('reconnect_attempt') ?? []) fn(1);
    expect(useConnectionStore().state).toBe('reconnecting');
    for (const fn of socket.managerHandlers.get('reconnect_attempt') ?? []) fn(4);
    expect(useConnectionStore().state).toBe('offline');
    // the attempt's own failure must not flip it back to "reconnecting"
    socket.fire('connect_error', new Error('websocket error'));
    expect(useConnectionStore().state).toBe('offline');
    socket.serverAccepts();
    expect(useConnectionStore().state).toBe('live');
  });

  it('an unauthorized handshake ends the session', () => {
    socket.fire('connect_error', new Error('unauthorized'));
    expect(useAuthStore().isLoggedIn).toBe(false);
    expect(useAuthStore().logoutReason).toBe('expired');
    expect(useConnectionStore().state).toBe('offline');
  });

  it('switching assignment reconnects with the new token and subscribes again', () => {
    socket.serverAccepts();
    followTimebook(UNIT, DATE);
    socket.lastSubscribe('timebook').ack(null, ok(10, snap()));
    const auth = useAuthStore();
    auth.session = { ...auth.session!, accessToken: 'token-b' };
    expect(sockets).toHaveLength(1); // same socket, listeners bound once
    expect(socket.connectCalls).toBe(2);
    expect(socket.presentedToken()).toBe('token-b');
    socket.serverAccepts();
    expect(socket.subscribes('timebook')).toHaveLength(2);
  });

  it('presence: the newest list wins', () => {
    socket.serverAccepts();
    followTimebook(UNIT, DATE);
    socket
      .lastSubscribe('presence')
      .ack(null, ok(4, { viewers: [{ userId: 'a', name: 'A', role: 'NURSE' }] }));
    socket.fire('presence.changed', { topic: 'presence', unitId: UNIT, version: 3, viewers: [] });
    expect(usePresenceStore().viewers).toHaveLength(1);
    socket.fire('presence.changed', { topic: 'presence', unitId: UNIT, version: 5, viewers: [] });
    expect(usePresenceStore().viewers).toHaveLength(0);
  });

  it('leaving the view unsubscribes', () => {
    socket.serverAccepts();
    followTimebook(UNIT, DATE);
    unfollowTimebook();
    const unsubs = socket.emitted.filter((e) => e.event === 'unsubscribe').map((e) => e.req);
    expect(unsubs).toEqual([
      { topic: 'timebook', unitId: UNIT },
      { topic: 'presence', unitId: UNIT },
    ]);
  });

  it('stock: subscribes to the unit, shows the snapshot and applies deltas', () => {
    socket.serverAccepts();
    followStock(UNIT);
    expect(socket.lastSubscribe('stock').req).toEqual({ topic: 'stock', unitId: UNIT });
    socket.lastSubscribe('stock').ack(null, ok(10, unitStock()));
    socket.fire('stock.changed', moved(11, [{ batchId: 'b-1', doses: 54, rowVersion: 4 }]));
    const store = useStockStore();
    expect(store).toMatchObject({ status: 'ready', version: 11 });
    expect(store.balances.find((b) => b.batchId === 'b-1')?.doses).toBe(54);
  });

  it('stock: a delivery of a batch not in the snapshot subscribes again for a fresh one', () => {
    socket.serverAccepts();
    followStock(UNIT);
    socket.lastSubscribe('stock').ack(null, ok(10, unitStock()));
    socket.fire('stock.changed', moved(11, [{ batchId: 'b-new', doses: 300, rowVersion: 1 }]));
    vi.runOnlyPendingTimers();
    expect(socket.subscribes('stock')).toHaveLength(2);
    const snap = unitStock({ version: 11 });
    snap.balances.push({
      ...snap.balances[0]!,
      batchId: 'b-new',
      batchNumber: 'NEW',
      doses: 300,
      rowVersion: 1,
    });
    socket.lastSubscribe('stock').ack(null, ok(11, snap));
    expect(useStockStore().balances.map((b) => b.batchId)).toContain('b-new');
    expect(useStockStore().syncing).toBe(false);
  });

  it('stock: a region event goes to the overview and is never applied as a unit delta', async () => {
    const overview = vi.spyOn(stockApi, 'overview').mockResolvedValue({ version: 3, rows: [overviewRow()] });
    socket.serverAccepts();
    followStock(UNIT);
    followStockOverview(REGION);
    expect(socket.lastSubscribe('stock').req).toEqual({ topic: 'stock', regionId: REGION });
    socket.subscribes('stock')[0]!.ack(null, ok(10, unitStock()));
    socket.lastSubscribe('stock').ack(null, ok(2, { version: 2, rows: [] }));
    expect(useStockOverviewStore()).toMatchObject({ status: 'ready', version: 2 });

    // the region's version 11 would look like the unit's next version: it must not be taken as one
    socket.fire('stock.changed', {
      ...moved(11, [{ batchId: 'b-1', doses: 1, rowVersion: 99 }]),
      regionId: REGION,
    });
    expect(useStockStore().version).toBe(10);
    expect(useStockStore().balances.find((b) => b.batchId === 'b-1')?.doses).toBe(60);
    await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS);
    expect(overview).toHaveBeenCalledWith(REGION);
  });

  it('stock: leaving the overview unsubscribes the region', () => {
    socket.serverAccepts();
    followStockOverview(REGION);
    unfollowStockOverview();
    expect(socket.emitted.filter((e) => e.event === 'unsubscribe').map((e) => e.req)).toEqual([
      { topic: 'stock', regionId: REGION },
    ]);
  });

  it('stock: after a reconnect it subscribes again and never goes back in time', () => {
    socket.serverAccepts();
    followStock(UNIT);
    socket.lastSubscribe('stock').ack(null, ok(10, unitStock()));
    socket.fire('stock.changed', moved(11, [{ batchId: 'b-1', doses: 54, rowVersion: 4 }]));
    socket.dropConnection();
    socket.serverAccepts();
    expect(socket.subscribes('stock')).toHaveLength(2);
    socket.lastSubscribe('stock').ack(null, ok(10, unitStock()));
    expect(useStockStore().version).toBe(11);
    expect(useStockStore().balances.find((b) => b.batchId === 'b-1')?.doses).toBe(54);
  });

  const jobEvent = (version: number, done: number, over: object = {}) => ({
    topic: 'jobs',
    unitId: UNIT,
    version,
    jobId: 'mass-cancel-mc-1',
    queue: 'timebook',
    name: MASS_CANCEL_JOB,
    state: 'active',
    progress: { done, total: 5 },
    at: `${DATE}T08:00:00Z`,
    ...over,
  });
  const jobsSnapshot = (done: number) => ({
    unitId: UNIT,
    jobs: [
      {
        jobId: 'mass-cancel-mc-1',
        queue: 'timebook',
        name: MASS_CANCEL_JOB,
        state: done ? 'active' : 'waiting',
        progress: { done, total: 5 },
        date: DATE,
        message: 'Leveransen är försenad.',
      },
    ],
  });

  it('jobs: subscribes to the unit’s jobs and moves the progress with each event', () => {
    socket.serverAccepts();
    followJobs(UNIT);
    expect(socket.lastSubscribe('jobs').req).toEqual({ topic: 'jobs', unitId: UNIT });
    socket.fire('job.progress', jobEvent(4, 1)); // before the ack: buffered
    socket.lastSubscribe('jobs').ack(null, ok(3, jobsSnapshot(0)));
    socket.fire('job.progress', jobEvent(5, 2));
    socket.fire('job.progress', { ...jobEvent(9, 5), unitId: 'unit-9' }); // another unit's
    const store = useJobsStore();
    expect(store.version).toBe(5);
    expect(store.massCancellations[0]).toMatchObject({ state: 'active', progress: { done: 2, total: 5 } });
    // following the same unit again (another day of the timebook) does not subscribe again
    followJobs(UNIT);
    expect(socket.subscribes('jobs')).toHaveLength(1);
  });

  it('jobs: a gap subscribes again, and the snapshot carries on from there', () => {
    socket.serverAccepts();
    followJobs(UNIT);
    socket.lastSubscribe('jobs').ack(null, ok(3, jobsSnapshot(0)));
    socket.fire('job.progress', jobEvent(6, 4));
    vi.runOnlyPendingTimers();
    expect(socket.subscribes('jobs')).toHaveLength(2);
    socket.lastSubscribe('jobs').ack(null, ok(6, jobsSnapshot(4)));
    socket.fire('job.progress', jobEvent(7, 5, { state: 'completed' }));
    expect(useJobsStore()).toMatchObject({ version: 7, syncing: false });
    expect(useJobsStore().massCancellations[0]).toMatchObject({ state: 'completed', progress: { done: 5 } });
  });

  it('jobs: a snapshot that is not the jobs list is an error, and leaving unsubscribes', () => {
    socket.serverAccepts();
    followJobs(UNIT);
    socket.lastSubscribe('jobs').ack(null, ok(3, { rows: [] }));
    expect(useJobsStore().error).toBe('invalid');
    unfollowJobs();
    expect(socket.emitted.filter((e) => e.event === 'unsubscribe').map((e) => e.req)).toEqual([
      { topic: 'jobs', unitId: UNIT },
    ]);
    expect(useJobsStore().unitId).toBeNull();
  });
});

/**
 * The one socket.io client of the dashboard (namespace `/live`). Listeners are bound once, when
 * the socket is created; they write into stores, and components only read those stores. Views
 * say what they want to watch with `followTimebook`, `followStock`, `followStockOverview` and
 * `followJobs`, never by touching the socket.
 *
 * The socket follows the session: it connects when there is a token, reconnects when the token
 * changes ("Växla uppdrag") and closes at log-out. After every (re)connect the wanted
 * subscriptions are made again, because a new connection starts with no rooms on the server.
 *
 * Each followed thing is a channel: one subscribe request, at most one ack awaited, resyncs with
 * back-off. The stores hold the versioned state; a channel only decides when to ask again.
 */
import {
  LIVE_NAMESPACE,
  type ClientToServerEvents,
  type PresenceViewer,
  type ServerToClientEvents,
  type SubscribeAck,
  type SubscribeRequest,
  type TimebookSnapshot,
} from '@events';
import type { UnitStock } from '@stock-api';
import { io, type Socket } from 'socket.io-client';
import { watch } from 'vue';
import type { StockOverview } from '../api/stock';
import { useAuthStore } from '../stores/auth';
import { useCoverageStore } from '../stores/coverage';
import { useConnectionStore } from '../stores/connection';
import { useJobsStore } from '../stores/jobs';
import { useNvrStore } from '../stores/nvr';
import { usePresenceStore } from '../stores/presence';
import { useStockStore } from '../stores/stock';
import { useStockOverviewStore } from '../stores/stockOverview';
import { useTimebookStore } from '../stores/timebook';
import { isJobsSnapshot } from './jobs-state';
import { isNvrJobsSnapshot } from './nvr-state';
import { isRegionStockEvent } from './stock-state';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** An ack slower than this is treated as lost: ask again. */
export const ACK_TIMEOUT_MS = 8000;
/** After this many failed reconnect attempts the indicator says "Offline" (it keeps trying). */
const OFFLINE_AFTER_ATTEMPTS = 3;
const MAX_RESYNC_DELAY_MS = 10_000;
const SERVER_DISCONNECT_RETRY_MS = 1000;

type LiveError = 'forbidden' | 'invalid' | 'unavailable' | 'timeout';

/** What a channel needs from its store. */
interface ChannelTarget {
  /** Something is on screen (then a failed resync keeps it there instead of an error). */
  hasState(): boolean;
  beginResync(): void;
  fail(reason: LiveError): void;
  /** The ack's snapshot: 'invalid' if it is not the expected shape, 'resync' to ask again. */
  receiveSnapshot(version: number, snapshot: unknown): 'ok' | 'resync' | 'invalid';
  /** A snapshot after a reconnect or gap (not the first one). */
  afterResync?(): void;
}

type ChannelName = 'timebook' | 'stock' | 'stockOverview' | 'jobs' | 'coverage' | 'nvrJobs';

interface Channel {
  name: ChannelName;
  req: SubscribeRequest;
  target: ChannelTarget;
  /** A subscribe is on its way; its ack will flush the buffer, so don't send another. */
  inFlight: boolean;
  /** Consecutive resyncs that did not settle, for back-off. */
  failures: number;
  timer: ReturnType<typeof setTimeout> | null;
}

let socket: LiveSocket | null = null;
let token: string | null = null;
/** Bumped on every connect and disconnect: acks from an earlier connection are ignored. */
let epoch = 0;
const channels = new Map<ChannelName, Channel>();
let presenceUnit: string | null = null;
let presenceTimer: ReturnType<typeof setTimeout> | null = null;
/** Failed reconnect attempts since the last connect, for the indicator. */
let attempts = 0;

/** Starts the realtime layer; call once after Pinia is installed. Returns a stop function. */
export function startRealtime(): () => void {
  const auth = useAuthStore();
  // flush 'sync': the socket must be reconnecting before any view reacts to the new
  // assignment, or a view could subscribe on the old connection with the old token.
  const stop = watch(() => auth.token, setToken, { immediate: true, flush: 'sync' });
  const onOnline = () => {
    if (socket && token && !socket.connected) {
      attempts = 0;
      useConnectionStore().set('reconnecting');
      // Don't wait for the back-off timer: the network is back now.
      socket.connect();
    }
  };
  const onOffline = () => {
    if (token) useConnectionStore().set('offline');
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  return () => {
    stop();
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', onOffline);
    setToken(null);
  };
}

/** Shows one unit's timebook day, live, and who else is looking at that unit. */
export function followTimebook(unitId: string, date: string): void {
  const current = channels.get('timebook');
  if (current && current.req.unitId === unitId && current.req.date === date) return;
  followPresence(unitId);
  useTimebookStore().begin(unitId, date);
  openChannel('timebook', { topic: 'timebook', unitId, date }, timebookTarget());
}

/** Leaving the timebook view. */
export function unfollowTimebook(): void {
  closeChannel('timebook');
  followPresence(null);
  useTimebookStore().$reset();
}

/** "Försök igen" after an error: ask at once, and reconnect if we are not connected. */
export function retryTimebook(): void {
  retryChannel('timebook');
}

/** Shows one unit's stock, live. */
export function followStock(unitId: string): void {
  const current = channels.get('stock');
  if (current && current.req.unitId === unitId) return;
  useStockStore().begin(unitId);
  openChannel('stock', { topic: 'stock', unitId }, stockTarget());
}

export function unfollowStock(): void {
  closeChannel('stock');
  useStockStore().$reset();
}

export function retryStock(): void {
  retryChannel('stock');
}

/** Shows the region's stock overview, live (R26). */
export function followStockOverview(regionId: string): void {
  const current = channels.get('stockOverview');
  if (current && current.req.regionId === regionId) return;
  useStockOverviewStore().begin(regionId);
  openChannel('stockOverview', { topic: 'stock', regionId }, stockOverviewTarget());
}

export function unfollowStockOverview(): void {
  closeChannel('stockOverview');
  useStockOverviewStore().$reset();
}

export function retryStockOverview(): void {
  retryChannel('stockOverview');
}

/** A unit's background jobs (mass cancellations), live: their progress on every screen of the unit. */
export function followJobs(unitId: string): void {
  const current = channels.get('jobs');
  if (current && current.req.unitId === unitId) return;
  useJobsStore().begin(unitId);
  openChannel('jobs', { topic: 'jobs', unitId }, jobsTarget());
}

export function unfollowJobs(): void {
  closeChannel('jobs');
  useJobsStore().$reset();
}

/** Shows the region's coverage (R29), live. */
export function followCoverage(regionId: string): void {
  const current = channels.get('coverage');
  if (current && current.req.regionId === regionId) return;
  useCoverageStore().begin(regionId);
  openChannel('coverage', { topic: 'coverage', regionId }, coverageTarget());
}

export function unfollowCoverage(): void {
  closeChannel('coverage');
  useCoverageStore().$reset();
}

export function retryCoverage(): void {
  retryChannel('coverage');
}

/** A region's NVR export runs (R28), live: their progress while they run. */
export function followNvrExports(regionId: string): void {
  const current = channels.get('nvrJobs');
  if (current && current.req.regionId === regionId) return;
  useNvrStore().begin(regionId);
  openChannel('nvrJobs', { topic: 'jobs', regionId }, nvrJobsTarget());
}

export function unfollowNvrExports(): void {
  closeChannel('nvrJobs');
  useNvrStore().$reset();
}

function setToken(next: string | null): void {
  if (next === token) return;
  token = next;
  const connection = useConnectionStore();
  if (!next) {
    socket?.disconnect();
    socket = null;
    for (const ch of channels.values()) if (ch.timer) clearTimeout(ch.timer);
    channels.clear();
    presenceUnit = null;
    connection.$reset();
    return;
  }
  attempts = 0;
  if (!socket) socket = createSocket();
  else socket.disconnect(); // a new token needs a new handshake; `auth` reads the new one
  connection.set(navigator.onLine === false ? 'offline' : 'reconnecting');
  socket.connect();
}

function createSocket(): LiveSocket {
  const s: LiveSocket = io(LIVE_NAMESPACE, {
    path: '/socket.io',
    // WebSocket only: long-polling would need sticky sessions across API instances.
    transports: ['websocket'],
    autoConnect: false,
    reconnectionDelayMax: 5000,
    // A function, so every (re)connect presents the current token.
    auth: (cb) => cb({ token }),
  });
  const connection = useConnectionStore();

  /** Not connected: "Återansluter…" while it still looks hopeful, "Offline" once it doesn't. */
  const notConnected = () =>
    connection.set(
      navigator.onLine === false || !s.active || attempts > OFFLINE_AFTER_ATTEMPTS
        ? 'offline'
        : 'reconnecting',
    );

  s.on('connect', () => {
    epoch++;
    attempts = 0;
    connection.set('live');
    for (const ch of channels.values()) {
      ch.inFlight = false;
      ch.failures = 0;
      if (ch.timer) clearTimeout(ch.timer);
      ch.timer = null;
      // A reconnect may have missed events: always start again from a snapshot.
      ch.target.beginResync();
      subscribe(ch);
    }
    subscribePresence();
  });

  s.on('disconnect', (reason) => {
    epoch++;
    for (const ch of channels.values()) {
      ch.inFlight = false;
      ch.target.beginResync();
    }
    // Presence versions may restart with a new server connection; viewers are a full list,
    // so the next snapshot can simply replace what we had.
    usePresenceStore().forgetVersion();
    if (reason === 'io server disconnect' && token) {
      // The server dropped us (e.g. token expired) and socket.io will not retry by itself: a
      // fresh handshake either gets in or gets 'unauthorized', which ends the session. The pause
      // keeps a server that keeps closing on us from being hammered.
      connection.set('reconnecting');
      setTimeout(() => {
        if (socket === s && token && !s.connected) s.connect();
      }, SERVER_DISCONNECT_RETRY_MS);
      return;
    }
    notConnected();
  });

  s.on('connect_error', (err) => {
    if (err.message === 'unauthorized') {
      connection.set('offline');
      useAuthStore().logout('expired');
      return;
    }
    notConnected();
  });

  s.io.on('reconnect_attempt', (attempt) => {
    attempts = attempt;
    notConnected();
  });
  s.io.on('reconnect_failed', () => connection.set('offline'));

  s.on('timebook.changed', (event) => {
    const ch = channels.get('timebook');
    if (!ch || event.unitId !== ch.req.unitId) return;
    if (useTimebookStore().receiveChange(event)) resync(ch);
  });

  // One event name for two rooms: a region subscription's events carry `regionId` (and the
  // unit that moved), and their version counts the region's changes, not the unit's.
  s.on('stock.changed', (event) => {
    if (isRegionStockEvent(event)) {
      const ch = channels.get('stockOverview');
      if (ch && event.regionId === ch.req.regionId) useStockOverviewStore().receiveChange(event);
      return;
    }
    const ch = channels.get('stock');
    if (!ch || event.unitId !== ch.req.unitId) return;
    if (useStockStore().receiveChange(event)) resync(ch);
  });

  s.on('coverage.changed', (event) => {
    const ch = channels.get('coverage');
    if (!ch || event.regionId !== ch.req.regionId) return;
    useCoverageStore().receiveChange(event);
  });

  s.on('job.progress', (event) => {
    // a region's jobs room (NVR exports) has its own versions
    if (event.regionId && !event.unitId) {
      const nvr = channels.get('nvrJobs');
      if (nvr && event.regionId === nvr.req.regionId && useNvrStore().receiveProgress(event)) resync(nvr);
      return;
    }
    const ch = channels.get('jobs');
    if (!ch || event.unitId !== ch.req.unitId) return;
    if (useJobsStore().receiveProgress(event)) resync(ch);
  });

  s.on('presence.changed', (event) => {
    usePresenceStore().receive(event.unitId, event.version, event.viewers);
  });

  return s;
}

function openChannel(name: ChannelName, req: SubscribeRequest, target: ChannelTarget): void {
  const previous = channels.get(name);
  if (previous) dropChannel(previous);
  const ch: Channel = { name, req, target, inFlight: false, failures: 0, timer: null };
  channels.set(name, ch);
  subscribe(ch);
}

function closeChannel(name: ChannelName): void {
  const ch = channels.get(name);
  if (ch) dropChannel(ch);
  channels.delete(name);
}

function retryChannel(name: ChannelName): void {
  const ch = channels.get(name);
  if (!ch) return;
  ch.failures = 0;
  if (ch.timer) clearTimeout(ch.timer);
  ch.timer = null;
  if (socket && token && !socket.connected) socket.connect();
  else subscribe(ch);
}

function subscribe(ch: Channel): void {
  const s = socket;
  // Not connected: the 'connect' handler subscribes.
  if (!s?.connected || ch.inFlight) return;
  ch.inFlight = true;
  const sentIn = epoch;
  const resyncing = ch.target.hasState();
  s.timeout(ACK_TIMEOUT_MS).emit('subscribe', ch.req, (err: Error | null, ack: SubscribeAck) => {
    // Superseded by another day/unit or by a new connection: this answer is for nobody.
    if (channels.get(ch.name) !== ch || epoch !== sentIn) return;
    ch.inFlight = false;
    const target = ch.target;
    if (err) {
      if (!target.hasState()) target.fail('timeout');
      resync(ch);
      return;
    }
    if (!ack.ok) {
      if (ack.error === 'unavailable') {
        if (!target.hasState()) target.fail('unavailable');
        resync(ch);
      } else {
        target.fail(ack.error);
      }
      return;
    }
    const result = target.receiveSnapshot(ack.version, ack.snapshot);
    if (result === 'invalid') {
      target.fail('invalid');
      return;
    }
    if (result === 'resync') {
      resync(ch);
      return;
    }
    ch.failures = 0;
    if (resyncing) target.afterResync?.();
  });
}

/** Ask for a fresh snapshot, at once the first time, then backing off. */
function resync(ch: Channel): void {
  ch.target.beginResync();
  if (ch.timer || ch.inFlight) return;
  const delay = ch.failures === 0 ? 0 : Math.min(500 * 2 ** (ch.failures - 1), MAX_RESYNC_DELAY_MS);
  ch.failures++;
  ch.timer = setTimeout(() => {
    ch.timer = null;
    if (channels.get(ch.name) === ch) subscribe(ch);
  }, delay);
}

function dropChannel(ch: Channel): void {
  if (ch.timer) clearTimeout(ch.timer);
  ch.timer = null;
  if (socket?.connected) {
    const { topic, unitId, regionId } = ch.req;
    socket.emit('unsubscribe', { topic, ...(unitId ? { unitId } : { regionId }) }, noop);
  }
}

function timebookTarget(): ChannelTarget {
  const store = useTimebookStore();
  return {
    hasState: () => store.state !== null,
    beginResync: () => store.beginResync(),
    fail: (reason) => store.fail(reason),
    receiveSnapshot: (version, snapshot) => {
      if (!isTimebookSnapshot(snapshot)) return 'invalid';
      return store.receiveSnapshot(version, snapshot) ? 'resync' : 'ok';
    },
  };
}

function stockTarget(): ChannelTarget {
  const store = useStockStore();
  return {
    hasState: () => store.state !== null,
    beginResync: () => store.beginResync(),
    fail: (reason) => store.fail(reason),
    receiveSnapshot: (version, snapshot) => {
      if (!isUnitStock(snapshot)) return 'invalid';
      return store.receiveSnapshot(version, snapshot) ? 'resync' : 'ok';
    },
    afterResync: () => store.afterResync(),
  };
}

function stockOverviewTarget(): ChannelTarget {
  const store = useStockOverviewStore();
  return {
    hasState: () => store.loaded,
    beginResync: () => store.beginResync(),
    fail: (reason) => store.fail(reason),
    receiveSnapshot: (version, snapshot) => {
      if (!isStockOverview(snapshot)) return 'invalid';
      store.receiveSnapshot(version, snapshot);
      return 'ok';
    },
  };
}

function coverageTarget(): ChannelTarget {
  const store = useCoverageStore();
  return {
    hasState: () => store.loaded,
    beginResync: () => store.beginResync(),
    fail: (reason) => store.fail(reason),
    receiveSnapshot: (version, snapshot) => {
      const s = snapshot as { dosesToday?: unknown } | null;
      if (!s || typeof s.dosesToday !== 'number') return 'invalid';
      store.receiveSnapshot(version, { dosesToday: s.dosesToday });
      return 'ok';
    },
  };
}

function jobsTarget(): ChannelTarget {
  const store = useJobsStore();
  return {
    hasState: () => store.state !== null,
    beginResync: () => store.beginResync(),
    fail: (reason) => store.fail(reason),
    receiveSnapshot: (version, snapshot) => {
      if (!isJobsSnapshot(snapshot)) return 'invalid';
      return store.receiveSnapshot(version, snapshot) ? 'resync' : 'ok';
    },
  };
}

function nvrJobsTarget(): ChannelTarget {
  const store = useNvrStore();
  return {
    hasState: () => store.live.state !== null,
    beginResync: () => store.beginResync(),
    fail: (reason) => store.fail(reason),
    receiveSnapshot: (version, snapshot) => {
      if (!isNvrJobsSnapshot(snapshot)) return 'invalid';
      return store.receiveSnapshot(version, snapshot) ? 'resync' : 'ok';
    },
  };
}

function followPresence(unitId: string | null): void {
  if (unitId === presenceUnit) return;
  if (presenceTimer) clearTimeout(presenceTimer);
  presenceTimer = null;
  if (presenceUnit && socket?.connected) {
    socket.emit('unsubscribe', { topic: 'presence', unitId: presenceUnit }, noop);
  }
  presenceUnit = unitId;
  const presence = usePresenceStore();
  if (unitId) {
    presence.begin(unitId);
    subscribePresence();
  } else {
    presence.$reset();
  }
}

function subscribePresence(): void {
  const unitId = presenceUnit;
  const s = socket;
  if (!unitId || !s?.connected) return;
  const sentIn = epoch;
  s.timeout(ACK_TIMEOUT_MS).emit(
    'subscribe',
    { topic: 'presence', unitId },
    (err: Error | null, ack: SubscribeAck) => {
      if (presenceUnit !== unitId || epoch !== sentIn) return;
      if (err || (!ack.ok && ack.error === 'unavailable')) {
        // Presence is a nicety: retry quietly.
        presenceTimer = setTimeout(subscribePresence, 3000);
        return;
      }
      if (!ack.ok) return;
      const viewers = (ack.snapshot as { viewers?: PresenceViewer[] } | null)?.viewers ?? [];
      usePresenceStore().receive(unitId, ack.version, viewers);
    },
  );
}

function isTimebookSnapshot(x: unknown): x is TimebookSnapshot {
  const s = x as Partial<TimebookSnapshot> | null;
  return (
    !!s &&
    typeof s.unitId === 'string' &&
    typeof s.date === 'string' &&
    Array.isArray(s.slots) &&
    Array.isArray(s.days)
  );
}

function isUnitStock(x: unknown): x is UnitStock {
  const s = x as Partial<UnitStock> | null;
  return !!s && typeof s.unitId === 'string' && Array.isArray(s.balances) && Array.isArray(s.products);
}

function isStockOverview(x: unknown): x is StockOverview {
  const s = x as Partial<StockOverview> | null;
  return !!s && Array.isArray(s.rows);
}

function noop(): void {}

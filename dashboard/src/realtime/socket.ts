/**
 * The one socket.io client of the dashboard (namespace `/live`). Listeners are bound once, when
 * the socket is created; they write into stores, and components only read those stores. Views
 * say what they want to watch with `followTimebook`, never by touching the socket.
 *
 * The socket follows the session: it connects when there is a token, reconnects when the token
 * changes ("Växla uppdrag") and closes at log-out. After every (re)connect the wanted
 * subscriptions are made again, because a new connection starts with no rooms on the server.
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
import { io, type Socket } from 'socket.io-client';
import { watch } from 'vue';
import { useAuthStore } from '../stores/auth';
import { useConnectionStore } from '../stores/connection';
import { usePresenceStore } from '../stores/presence';
import { useTimebookStore } from '../stores/timebook';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** An ack slower than this is treated as lost: ask again. */
export const ACK_TIMEOUT_MS = 8000;
/** After this many failed reconnect attempts the indicator says "Offline" (it keeps trying). */
const OFFLINE_AFTER_ATTEMPTS = 3;
const MAX_RESYNC_DELAY_MS = 10_000;
const SERVER_DISCONNECT_RETRY_MS = 1000;

interface TimebookFollow {
  unitId: string;
  date: string;
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
let timebook: TimebookFollow | null = null;
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
  if (timebook && timebook.unitId === unitId && timebook.date === date) return;
  if (timebook) dropTimebook(timebook);
  followPresence(unitId);
  timebook = { unitId, date, inFlight: false, failures: 0, timer: null };
  useTimebookStore().begin(unitId, date);
  subscribeTimebook();
}

/** Leaving the timebook view. */
export function unfollowTimebook(): void {
  if (timebook) dropTimebook(timebook);
  timebook = null;
  followPresence(null);
  useTimebookStore().$reset();
}

/** "Försök igen" after an error: ask at once, and reconnect if we are not connected. */
export function retryTimebook(): void {
  if (!timebook) return;
  timebook.failures = 0;
  if (timebook.timer) clearTimeout(timebook.timer);
  timebook.timer = null;
  if (socket && token && !socket.connected) socket.connect();
  else subscribeTimebook();
}

function setToken(next: string | null): void {
  if (next === token) return;
  token = next;
  const connection = useConnectionStore();
  if (!next) {
    socket?.disconnect();
    socket = null;
    timebook = null;
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
    if (timebook) {
      timebook.inFlight = false;
      timebook.failures = 0;
      if (timebook.timer) clearTimeout(timebook.timer);
      timebook.timer = null;
      // A reconnect may have missed events: always start again from a snapshot.
      useTimebookStore().beginResync();
      subscribeTimebook();
    }
    subscribePresence();
  });

  s.on('disconnect', (reason) => {
    epoch++;
    if (timebook) {
      timebook.inFlight = false;
      useTimebookStore().beginResync();
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
    const f = timebook;
    if (!f || event.unitId !== f.unitId) return;
    if (useTimebookStore().receiveChange(event)) resyncTimebook(f);
  });

  s.on('presence.changed', (event) => {
    usePresenceStore().receive(event.unitId, event.version, event.viewers);
  });

  return s;
}

function subscribeTimebook(): void {
  const f = timebook;
  const s = socket;
  // Not connected: the 'connect' handler subscribes.
  if (!f || !s?.connected || f.inFlight) return;
  f.inFlight = true;
  const sentIn = epoch;
  const req: SubscribeRequest = { topic: 'timebook', unitId: f.unitId, date: f.date };
  s.timeout(ACK_TIMEOUT_MS).emit('subscribe', req, (err: Error | null, ack: SubscribeAck) => {
    // Superseded by another day/unit or by a new connection: this answer is for nobody.
    if (timebook !== f || epoch !== sentIn) return;
    f.inFlight = false;
    const store = useTimebookStore();
    if (err) {
      if (!store.state) store.fail('timeout');
      resyncTimebook(f);
      return;
    }
    if (!ack.ok) {
      if (ack.error === 'unavailable') {
        if (!store.state) store.fail('unavailable');
        resyncTimebook(f);
      } else {
        store.fail(ack.error);
      }
      return;
    }
    if (!isTimebookSnapshot(ack.snapshot)) {
      store.fail('invalid');
      return;
    }
    if (store.receiveSnapshot(ack.version, ack.snapshot)) resyncTimebook(f);
    else f.failures = 0;
  });
}

/** Ask for a fresh snapshot, at once the first time, then backing off. */
function resyncTimebook(f: TimebookFollow): void {
  useTimebookStore().beginResync();
  if (f.timer || f.inFlight) return;
  const delay = f.failures === 0 ? 0 : Math.min(500 * 2 ** (f.failures - 1), MAX_RESYNC_DELAY_MS);
  f.failures++;
  f.timer = setTimeout(() => {
    f.timer = null;
    if (timebook === f) subscribeTimebook();
  }, delay);
}

function dropTimebook(f: TimebookFollow): void {
  if (f.timer) clearTimeout(f.timer);
  f.timer = null;
  if (socket?.connected) socket.emit('unsubscribe', { topic: 'timebook', unitId: f.unitId }, noop);
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

function noop(): void {}

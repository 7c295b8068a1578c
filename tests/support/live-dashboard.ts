import { io } from 'socket.io-client';
import type { TimebookChanged, TimebookSnapshot } from '../../backend/src/realtime/events';
import {
  beginResync,
  createVersioned,
  receiveEvent,
  receiveSnapshot,
  type Versioned,
} from '../../dashboard/src/realtime/versioned-state';
import type { LiveClient } from './harness';

export type Slots = Map<string, string>;
const applyChange = (slots: Slots, e: TimebookChanged): Slots => {
  const next = new Map(slots);
  for (const ch of e.changes) next.set(ch.slotId, ch.to);
  return next;
};

export interface DashboardClient {
  socket: LiveClient;
  live: Versioned<Slots, TimebookChanged>;
  /** snapshots taken (the first subscription and every resync) */
  resynced: number;
  /** resyncs asked for because of a version gap */
  gaps: number;
  /** every live event received, with the time it arrived */
  events: Array<TimebookChanged & { receivedAt: number }>;
}

/**
 * A dashboard-like client of a unit's timebook for a day, with the dashboard's own
 * versioned-state rules (dashboard/src/realtime/versioned-state.ts): subscribes on every
 * (re)connect, buffers events until the ack, replays the newer ones on top of the snapshot,
 * resyncs on a gap. socket.io reconnects it by itself.
 */
export function dashboardClient(url: string, token: string, unitId: string, date: string): DashboardClient {
  const socket = io(`${url}/live`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
  }) as LiveClient;
  const c: DashboardClient = { socket, live: createVersioned(), resynced: 0, gaps: 0, events: [] };
  const resubscribe = () => {
    c.live = beginResync(c.live);
    socket.emit('subscribe', { topic: 'timebook', unitId, date }, (ack) => {
      if (!ack.ok) return;
      const snap = ack.snapshot as TimebookSnapshot;
      const step = receiveSnapshot(
        c.live,
        ack.version,
        new Map(snap.slots.map((s) => [s.id, s.status])),
        applyChange,
      );
      c.live = step.next;
      c.resynced++;
      if (step.resync) {
        c.gaps++;
        resubscribe();
      }
    });
  };
  socket.on('connect', resubscribe);
  socket.on('timebook.changed', (e) => {
    c.events.push({ ...e, receivedAt: Date.now() });
    const step = receiveEvent(c.live, e, applyChange);
    c.live = step.next;
    if (step.resync) {
      c.gaps++;
      resubscribe();
    }
  });
  return c;
}

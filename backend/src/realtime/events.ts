/**
 * The realtime protocol of namespace `/live`, as types. Imported by the gateway and by the
 * dashboard, so that an event's name and payload cannot drift apart. Types only: no runtime
 * imports here (the dashboard bundles this file).
 */

export const LIVE_NAMESPACE = '/live';

export type Topic = 'timebook' | 'stock' | 'coverage' | 'jobs' | 'presence';
export const TOPICS: readonly Topic[] = ['timebook', 'stock', 'coverage', 'jobs', 'presence'];

export type SlotStatus = 'FREE' | 'HELD' | 'BOOKED' | 'BLOCKED';
export type ResourceKind = 'SKOTERSKA' | 'LAKARE';

/** A slot as `GET /api/units/:unitId/slots` and the timebook snapshot show it. */
export interface SlotView {
  id: string;
  start: string; // ISO 8601 with offset
  end: string;
  resource: ResourceKind;
  column: number;
  status: SlotStatus;
  note?: string;
  /** only for the unit's own staff: the active booking on the slot */
  bookingId?: string;
  visitTypeId?: string;
  heldUntil?: string;
}

export interface DayCounts {
  date: string; // YYYY-MM-DD, Europe/Stockholm
  opened: number;
  booked: number;
  held: number;
  blocked: number;
  free: number;
}

export interface SubscribeRequest {
  topic: Topic;
  unitId?: string;
  regionId?: string;
  date?: string;
}

export type SubscribeAck<S = unknown> =
  | { ok: true; version: number; snapshot: S }
  | { ok: false; error: 'forbidden' | 'invalid' | 'unavailable'; message?: string };

export interface TimebookSnapshot {
  unitId: string;
  date: string;
  slots: SlotView[];
  /** the day's counts, and the coming days' (for the availability chart) */
  days: DayCounts[];
}

/** One slot that changed state; clients apply it to the slots list and the day counts. */
export interface SlotChange {
  slotId: string;
  date: string;
  start: string;
  resource: ResourceKind;
  column: number;
  from: SlotStatus;
  to: SlotStatus;
  bookingId?: string;
  visitTypeId?: string;
  heldUntil?: string;
  note?: string;
}

export interface TimebookChanged {
  topic: 'timebook';
  unitId: string;
  version: number;
  /** what happened, e.g. `booking.created`, `booking.cancelled`, `hold.created`, `hold.expired` */
  cause: string;
  changes: SlotChange[];
  at: string; // commit time
}

export interface StockChanged {
  topic: 'stock';
  /** the unit whose stock moved */
  unitId: string;
  /** set on the region room's events (`subscribe { topic: 'stock', regionId }`), whose versions are the region's own */
  regionId?: string;
  version: number;
  cause: string;
  balances: Array<{ batchId: string; doses: number; rowVersion: number }>;
  at: string;
}

/**
 * A region's coverage moved (`subscribe { topic: 'coverage', regionId }`, room
 * `coverage:region:<regionId>`). Fires for every dose given at the region's units and for every
 * dose, void or identity change that moves a figure of a person in the region's register.
 * Figures are absolute (applying one twice is harmless); `resync` asks for a fresh read instead
 * (a bulk change or a rebuild).
 */
export interface CoverageChanged {
  topic: 'coverage';
  regionId: string;
  version: number;
  /** what happened: `vaccination.insert`, `vaccination.update` (a void), `patient.update` (R2), … */
  cause: string;
  /** today (Europe/Stockholm) */
  date: string;
  /** doses given today at the region's units, all products */
  dosesToday: number;
  /** changed coverage rows; groupBy as in `GET /api/coverage` (region, municipality, ageGroup, sex, careProvider, unit) */
  rows: Array<{
    groupBy: string;
    key: string;
    productKey: string;
    dose: number;
    vaccinated: number;
    population: number;
  }>;
  /** changed cells of the doses-per-day series (absolute doses of that day, product and dose) */
  daily: Array<{ date: string; productId: string; dose: number; doses: number }>;
  /** dropout totals (due by today, still open) of the product keys whose dropout changed */
  dropout: Array<{ productKey: string; due: number; open: number }>;
  resync: boolean;
  at: string;
}

export interface JobProgress {
  topic: 'jobs';
  unitId?: string;
  regionId?: string;
  version: number;
  jobId: string;
  queue: string;
  name: string;
  state: 'waiting' | 'active' | 'delayed' | 'completed' | 'failed';
  progress: { done: number; total: number };
  /** an NVR export run's id (R28), on the region's `jobs` topic */
  exportId?: string;
  at: string;
}

export interface PresenceViewer {
  userId: string;
  name: string;
  role: string;
}

export interface PresenceChanged {
  topic: 'presence';
  unitId: string;
  version: number;
  viewers: PresenceViewer[];
}

/** Events the server emits to clients. */
export interface ServerToClientEvents {
  'timebook.changed': (e: TimebookChanged) => void;
  'stock.changed': (e: StockChanged) => void;
  'coverage.changed': (e: CoverageChanged) => void;
  'job.progress': (e: JobProgress) => void;
  'presence.changed': (e: PresenceChanged) => void;
}

/** Events clients send, each answered through the ack callback. */
export interface ClientToServerEvents {
  subscribe: (req: SubscribeRequest, ack: (res: SubscribeAck) => void) => void;
  unsubscribe: (req: SubscribeRequest, ack: (res: { ok: boolean; error?: string }) => void) => void;
}

export type ServerEventName = keyof ServerToClientEvents;

/** The room a topic key lives in; the same string is the outbox topic key and version key. */
export function topicKey(topic: Topic, id: string): string {
  return `${topic}:${id}`;
}

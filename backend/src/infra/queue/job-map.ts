/**
 * Every job the system runs, by name, with its payload. Producers and handlers are typed by
 * this map, so a job cannot be enqueued with the wrong payload or for a handler that is gone.
 * The queue a job runs on is part of its definition.
 */
export interface JobMap {
  /** R14: release holds whose time is up, and push the release live. Scheduled. */
  'timebook.release-expired-holds': Record<string, never>;
  /** R27: reconciliation of one unit, or all units of a region (unitId null), for a day. */
  'stock.reconcile': { regionId: string; unitId: string | null; requestedBy: string | null; date: string };
  /** R17: cancel the bookings of a unit's day or time range, one SMS each; resumable. */
  'timebook.mass-cancel': { massCancellationId: string; unitId: string };
  /** Send one recorded notification. */
  'sms.send': { notificationId: string };
  /** R18: hourly, reminders for the visits of the day after. */
  'sms.reminders': Record<string, never>;
  /** R25: at each unit's day end, doses left in opened vials become open-vial wastage. */
  'stock.close-open-vials': Record<string, never>;
  /** Nightly: every region's units, for the previous day. */
  'stock.reconcile-nightly': Record<string, never>;
}

export type JobName = keyof JobMap;

export const QUEUES = ['timebook', 'sms', 'nvr', 'stock'] as const;
export type QueueName = (typeof QUEUES)[number];

export const JOB_QUEUE: { [K in JobName]: QueueName } = {
  'timebook.release-expired-holds': 'timebook',
  'stock.reconcile': 'stock',
  'stock.close-open-vials': 'stock',
  'timebook.mass-cancel': 'timebook',
  'sms.send': 'sms',
  'sms.reminders': 'sms',
  'stock.reconcile-nightly': 'stock',
};

/** What a handler reports; `skipped` is a success that did nothing (e.g. already done). */
export type JobResult = { status: 'done' | 'skipped'; detail?: Record<string, unknown> };

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
  /** Daily: an SMS to each person whose next dose in a series has fallen due (issue 6). */
  'sms.next-dose-reminders': Record<string, never>;
  /** R25: at each unit's day end, doses left in opened vials become open-vial wastage. */
  'stock.close-open-vials': Record<string, never>;
  /** Nightly: every region's units, for the previous day. */
  'stock.reconcile-nightly': Record<string, never>;
  /** R29: rebuild the coverage counters from scratch and compare (nightly, or asked for a region). */
  'coverage.rebuild': { regionId: string | null; requestedBy: string | null };
  /** R28: one NVR export run (exactly once: see nvr/nvr-exporter.ts). */
  'nvr.export': { exportId: string; regionId: string };
  /** R28: nightly (NVR_EXPORT_CRON, Swedish time), one export run per region. */
  'nvr.export-nightly': Record<string, never>;
  /** Put back a job for all work still open in PostgreSQL (after a Redis restart, at start, every few minutes). */
  'system.recover': Record<string, never>;
  /** Hourly: published outbox events older than two days are deleted. */
  'system.prune-outbox': Record<string, never>;
  /** Enqueue every open message of an SMS campaign (at start and on resume), in pages. */
  'sms.campaign-start': { campaignId: string };
}

export type JobName = keyof JobMap;

export const QUEUES = ['timebook', 'sms', 'nvr', 'stock', 'coverage', 'system'] as const;
export type QueueName = (typeof QUEUES)[number];

export const JOB_QUEUE: { [K in JobName]: QueueName } = {
  'timebook.release-expired-holds': 'timebook',
  'stock.reconcile': 'stock',
  'stock.close-open-vials': 'stock',
  'timebook.mass-cancel': 'timebook',
  'sms.send': 'sms',
  'sms.reminders': 'sms',
  'sms.next-dose-reminders': 'sms',
  'stock.reconcile-nightly': 'stock',
  'coverage.rebuild': 'coverage',
  'nvr.export': 'nvr',
  'nvr.export-nightly': 'nvr',
  'system.recover': 'system',
  'system.prune-outbox': 'system',
  'sms.campaign-start': 'system',
};

/** What a handler reports; `skipped` is a success that did nothing (e.g. already done). */
export type JobResult = { status: 'done' | 'skipped'; detail?: Record<string, unknown> };

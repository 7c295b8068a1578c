import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DatabaseService } from '../infra/database.service';
import { OUTBOX_CHANNEL } from '../infra/outbox/outbox';
import { JobHandler } from '../infra/queue/job-handler.decorator';
import type { JobMap, JobResult } from '../infra/queue/job-map';
import { sql } from '../infra/sql';
import { TimebookService } from './timebook.service';

const BATCH = 50;

/**
 * R17: cancels a day (or range) batch by batch. Each batch is one statement that cancels only
 * bookings still active, so a worker that dies mid-way resumes where it stopped: the job is
 * retried (BullMQ marks it stalled), finds the bookings not yet cancelled, and cancels those.
 * One notification per booking under a unique key; its SMS job has a deterministic id.
 */
@Injectable()
export class MassCancellationProcessor {
  constructor(
    private readonly timebook: TimebookService,
    private readonly db: DatabaseService,
  ) {}

  @JobHandler('timebook.mass-cancel')
  async run(data: JobMap['timebook.mass-cancel'], job: Job): Promise<JobResult> {
    const mc = await this.db.one<{ message: string; created_by_id: string | null; status: string }>(sql`
      SELECT message, created_by_id, status::text FROM mass_cancellation WHERE id = ${data.massCancellationId}`);
    if (!mc) return { status: 'skipped', detail: { reason: 'unknown mass cancellation' } };
    if (mc.status === 'COMPLETED') return { status: 'skipped', detail: { reason: 'already completed' } };
    const actor = { id: mc.created_by_id ?? 'system', assignmentId: null, role: null };
    let cancelled = 0;
    for (;;) {
      const res = await this.timebook.cancelWithNotices(
        data.unitId,
        { massCancellationId: data.massCancellationId, limit: BATCH },
        actor,
        'Massavbokning',
        mc.message,
        job.id ?? null,
      );
      cancelled += res.cancelled;
      if (res.done !== null) await job.updateProgress({ done: res.done, total: res.total ?? res.done });
      if (!res.more) break;
    }
    const done = await this.db.one<{ done: number; total: number }>(sql`
      WITH mc AS (
        UPDATE mass_cancellation SET status = 'COMPLETED', finished_at = now(), total = greatest(total, done)
         WHERE id = ${data.massCancellationId} RETURNING unit_id, done, total
      ), v AS (
        INSERT INTO topic_version (topic_key, version) SELECT 'jobs:' || unit_id, 1 FROM mc
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1 RETURNING topic_key, version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'jobs', v.topic_key, v.version, 'job.progress',
               json_build_object('unitId', mc.unit_id, 'jobId', ${job.id ?? null}::text, 'queue', 'timebook',
                                 'name', 'timebook.mass-cancel', 'state', 'completed',
                                 'progress', json_build_object('done', mc.done, 'total', mc.total))
          FROM v, mc RETURNING id
      )
      SELECT mc.done, mc.total, (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o LIMIT 1) AS notified FROM mc`);
    await job.updateProgress({ done: done?.done ?? cancelled, total: done?.total ?? cancelled });
    return { status: 'done', detail: { cancelled } };
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { DatabaseService } from '../infra/database.service';
import { JobHandler } from '../infra/queue/job-handler.decorator';
import type { JobResult } from '../infra/queue/job-map';
import { QueueRegistry } from '../infra/queue/queue.registry';
import { sql } from '../infra/sql';
import { smsJobId } from './sms-jobs';

const PAGE = 1000;

/**
 * Our Redis keeps nothing on disk: after a restart every queued job is gone. The truth is in
 * PostgreSQL, so this puts back a job for all work still open there — messages not yet sent
 * (PENDING, or SENDING cut off) unless their campaign is paused (a cancelled campaign's are
 * then skipped by the sender), and mass cancellations not finished. Job ids are deterministic, so work that still has its job gets no
 * second one. Runs at worker start, when a worker finds Redis emptied, and every few minutes.
 */
@Injectable()
export class RecoveryProcessor {
  private readonly logger = new Logger(RecoveryProcessor.name);

  constructor(
    private readonly db: DatabaseService,
    private readonly queues: QueueRegistry,
  ) {}

  @JobHandler('system.recover')
  async run(): Promise<JobResult> {
    const res = await this.recover();
    return res.sms + res.massCancellations ? { status: 'done', detail: res } : { status: 'skipped' };
  }

  async recover(): Promise<{ sms: number; massCancellations: number }> {
    const mcs = await this.db.query<{ id: string; unit_id: string }>(sql`
      SELECT id, unit_id FROM mass_cancellation WHERE status IN ('QUEUED', 'RUNNING')`);
    if (mcs.length) {
      await this.queues.queue('timebook').addBulk(
        mcs.map((m) => ({
          name: 'timebook.mass-cancel',
          data: { massCancellationId: m.id, unitId: m.unit_id },
          opts: { jobId: `mass-cancel-${m.id}` },
        })),
      );
    }
    let sms = 0;
    let after = '';
    for (;;) {
      const rows = await this.db.query<{ id: string; job_seq: number }>(sql`
        SELECT n.id, n.job_seq FROM notification n LEFT JOIN sms_campaign c ON c.id = n.campaign_id
         WHERE n.status IN ('PENDING', 'SENDING') AND n.id > ${after}
           AND (c.id IS NULL OR c.status <> 'PAUSED') -- a paused campaign's messages wait for resume
         ORDER BY n.id LIMIT ${PAGE}`);
      if (!rows.length) break;
      await this.queues.queue('sms').addBulk(
        rows.map((r) => ({
          name: 'sms.send',
          data: { notificationId: r.id },
          opts: { jobId: smsJobId(r.id, r.job_seq) },
        })),
      );
      sms += rows.length;
      after = rows[rows.length - 1].id;
      if (rows.length < PAGE) break;
    }
    if (sms || mcs.length)
      this.logger.log({ sms, massCancellations: mcs.length }, 'open work put back on the queues');
    return { sms, massCancellations: mcs.length };
  }
}

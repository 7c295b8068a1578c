import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DatabaseService } from '../infra/database.service';
import { JobHandler } from '../infra/queue/job-handler.decorator';
import type { JobMap, JobResult } from '../infra/queue/job-map';
import { QueueRegistry } from '../infra/queue/queue.registry';
import { sql } from '../infra/sql';
import { NOTIFY_OUTBOX, publishCampaign } from './sms-campaign.sql';
import { smsJobId } from './sms-jobs';

const PAGE = 5000;
const PROGRESS_EVERY_MS = 2000;

/**
 * Mass SMS campaigns: enqueues a campaign's messages in pages (deterministic job ids, so a
 * retried page adds nothing twice), and publishes progress on the unit's `jobs` topic every two
 * seconds while a campaign runs — one event per campaign whose counts moved, not one per SMS,
 * so 100,000 recipients cost a few hundred events. A campaign whose messages are all done (and
 * whose mass cancellation, if any, has finished) is marked COMPLETED.
 */
@Injectable()
export class CampaignsProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CampaignsProcessor.name);
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DatabaseService,
    private readonly queues: QueueRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.runsWorker) return;
    this.timer = setInterval(() => void this.tick(), PROGRESS_EVERY_MS);
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  @JobHandler('sms.campaign-start')
  async start(data: JobMap['sms.campaign-start']): Promise<JobResult> {
    const page = (after: string) =>
      this.db.query<{ id: string; job_seq: number }>(sql`
        SELECT n.id, n.job_seq FROM notification n JOIN sms_campaign c ON c.id = n.campaign_id
         WHERE n.campaign_id = ${data.campaignId} AND c.status = 'RUNNING' AND n.status IN ('PENDING', 'SENDING')
           AND n.id > ${after}
         ORDER BY n.id LIMIT ${PAGE}`);
    let enqueued = 0;
    // the next page is read while this one is added to the queue
    let rows = await page('');
    while (rows.length) {
      const last = rows[rows.length - 1].id;
      const next = rows.length === PAGE ? page(last) : Promise.resolve([]);
      next.catch(() => undefined); // awaited below; a failure then fails the job (retried)
      await this.queues.queue('sms').addBulk(
        rows.map((r) => ({
          name: 'sms.send',
          data: { notificationId: r.id },
          opts: { jobId: smsJobId(r.id, r.job_seq) },
        })),
      );
      enqueued += rows.length;
      rows = await next;
    }
    return { status: 'done', detail: { enqueued } };
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const open = await this.db.query<{ id: string }>(
        sql`SELECT id FROM sms_campaign WHERE finished_at IS NULL AND status IN ('RUNNING', 'PAUSED')`,
      );
      for (const c of open) await this.publish(c.id);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'campaign progress not published');
    } finally {
      this.busy = false;
    }
  }

  /** Counts from the messages themselves; written (and published) only when they moved. */
  async publish(campaignId: string): Promise<void> {
    await this.db.query(sql`
      WITH x AS (
        SELECT count(*) FILTER (WHERE n.status IN ('SENT', 'DELIVERED'))::int AS sent,
               count(*) FILTER (WHERE n.status = 'FAILED')::int AS failed,
               count(*) FILTER (WHERE n.status = 'SKIPPED')::int AS skipped,
               count(*) FILTER (WHERE n.status IN ('PENDING', 'SENDING'))::int AS open,
               count(*)::int AS notices
          FROM notification n WHERE n.campaign_id = ${campaignId}
      ), y AS (
        SELECT sc.id, x.*,
               CASE WHEN sc.mass_cancellation_id IS NULL THEN sc.total ELSE x.notices END AS total,
               sc.status = 'RUNNING' AND x.open = 0
                 AND coalesce((SELECT m.status IN ('COMPLETED', 'FAILED') FROM mass_cancellation m
                                WHERE m.id = sc.mass_cancellation_id), true) AS finished
          FROM sms_campaign sc, x WHERE sc.id = ${campaignId}
      ), c AS (
        UPDATE sms_campaign sc SET sent = y.sent, failed = y.failed, skipped = y.skipped, total = y.total,
               status = CASE WHEN y.finished THEN 'COMPLETED'::"SmsCampaignStatus" ELSE sc.status END,
               finished_at = CASE WHEN y.finished THEN now() ELSE NULL END
          FROM y
         WHERE sc.id = y.id
           AND ((sc.sent, sc.failed, sc.skipped, sc.total) IS DISTINCT FROM (y.sent, y.failed, y.skipped, y.total) OR y.finished)
        RETURNING sc.*
      ) ${publishCampaign()}
      SELECT ${NOTIFY_OUTBOX} AS notified`);
  }
}

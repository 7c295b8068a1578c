import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { createHmac } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DatabaseService } from '../infra/database.service';
import { JobHandler } from '../infra/queue/job-handler.decorator';
import type { JobMap, JobResult } from '../infra/queue/job-map';
import { sql } from '../infra/sql';
import { notBefore } from './quiet-hours';
import { FortySixElksProvider, PermanentSmsError, SmsProvider } from './sms-provider';

/** A send that started longer ago than this was cut off (worker killed) and may be tried again. */
const STALE_SENDING = '2 minutes';

export function deliverySignature(notificationId: string, secret: string): string {
  return createHmac('sha256', secret)
    .update(`sms-delivery:${notificationId}`)
    .digest('base64url')
    .slice(0, 22);
}

/**
 * Sends one recorded notification. The row is claimed (PENDING → SENDING) by a conditional
 * update, so a duplicate or retried job sends nothing twice; SENT is recorded with the
 * provider's id. Reminders and campaigns wait out 20:00–08:00 unless urgent (R18); the answer to
 * what someone just did goes at once. 4xx from the provider is final; 5xx, 429 and timeouts are
 * retried with backoff; final failures stay FAILED for staff to see and retry.
 * Known gap: a worker killed after the provider accepted but before SENT is written leaves the
 * row SENDING; after STALE_SENDING it is sent again (at most one duplicate in that window).
 */
@Injectable()
export class SmsProcessor {
  private readonly logger = new Logger(SmsProcessor.name);
  private readonly provider?: SmsProvider;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DatabaseService,
  ) {
    if (config.SMS_PROVIDER_URL) {
      this.provider = new FortySixElksProvider({
        baseUrl: config.SMS_PROVIDER_URL,
        user: config.SMS_PROVIDER_USER,
        password: config.SMS_PROVIDER_PASSWORD,
        from: config.SMS_FROM,
        timeoutMs: config.SMS_TIMEOUT_MS,
      });
    }
  }

  @JobHandler('sms.send')
  async send(data: JobMap['sms.send'], job: Job, token?: string): Promise<JobResult> {
    const n = await this.db.one<{
      id: string;
      status: string;
      kind: string;
      campaign: boolean;
      urgent: boolean | null;
    }>(sql`
      SELECT n.id, n.status::text, n.kind::text, n.campaign_id IS NOT NULL AS campaign,
             (SELECT urgent FROM mass_cancellation m WHERE m.id = n.campaign_id) AS urgent
        FROM notification n WHERE n.id = ${data.notificationId}`);
    if (!n) return { status: 'skipped', detail: { reason: 'unknown notification' } };
    if (['SENT', 'DELIVERED', 'SKIPPED', 'FAILED'].includes(n.status))
      return { status: 'skipped', detail: { status: n.status } };
    const waits =
      (n.campaign || ['REMINDER', 'NEXT_DOSE_REMINDER', 'CAMPAIGN'].includes(n.kind)) && !n.urgent;
    if (waits) {
      const at = notBefore(new Date());
      if (at.getTime() > Date.now() && token) {
        await job.moveToDelayed(at.getTime(), token);
        throw new DelayedError();
      }
    }
    if (!this.provider) throw new Error('no SMS provider configured (SMS_PROVIDER_URL)');
    const claimed = await this.db.one<{ to_phone: string; body: string }>(sql`
      UPDATE notification SET status = 'SENDING', attempts = attempts + 1, sending_since = now()
       WHERE id = ${n.id}
         AND (status = 'PENDING' OR (status = 'SENDING' AND sending_since < now() - ${STALE_SENDING}::interval))
      RETURNING to_phone, body`);
    if (!claimed) {
      // another worker is sending it right now: let BullMQ retry later and find it SENT
      throw new Error('being sent by another worker');
    }
    const whenDelivered = `${this.config.PUBLIC_URL.replace(/\/$/, '')}/api/sms/delivery/${n.id}?sig=${deliverySignature(n.id, this.config.JWT_SECRET)}`;
    try {
      const res = await this.provider.send({ to: claimed.to_phone, message: claimed.body, whenDelivered });
      await this.db.query(sql`
        UPDATE notification SET status = 'SENT', provider_message_id = ${res.id}, sent_at = now(), sending_since = NULL,
               last_error = NULL
         WHERE id = ${n.id}`);
      return { status: 'done', detail: { providerId: res.id } };
    } catch (err) {
      const message = (err as Error).message;
      const permanent = err instanceof PermanentSmsError;
      await this.db.query(sql`
        UPDATE notification SET status = ${permanent ? 'FAILED' : 'PENDING'}::"NotificationStatus", last_error = ${message},
               sending_since = NULL
         WHERE id = ${n.id} AND status = 'SENDING'`);
      this.logger.warn({ notificationId: n.id, err: message, permanent }, 'SMS not sent');
      if (permanent) throw new UnrecoverableError(message);
      throw err;
    }
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { createHmac } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DatabaseService } from '../infra/database.service';
import { JobHandler } from '../infra/queue/job-handler.decorator';
import type { JobMap, JobResult } from '../infra/queue/job-map';
import { sql } from '../infra/sql';
import { notBefore } from './quiet-hours';
import { SmsClock } from './sms-clock';
import { FortySixElksProvider, PermanentSmsError, SmsProvider } from './sms-provider';

/** Beyond the provider timeout: a send started longer ago than timeout + this cannot still be in flight. */
const STALE_MARGIN_MS = 5_000;
/** Clock skew allowed between us and the provider when searching its history. */
const RECONCILE_MARGIN_MS = 60_000;

export function deliverySignature(notificationId: string, secret: string): string {
  return createHmac('sha256', secret)
    .update(`sms-delivery:${notificationId}`)
    .digest('base64url')
    .slice(0, 22);
}

/** A failure after which the provider may or may not have accepted the message. */
function uncertain(err: unknown): boolean {
  if (err instanceof PermanentSmsError) return false;
  const e = err as Error;
  return e?.name === 'TimeoutError' || e?.name === 'AbortError' || e instanceof TypeError; // fetch: network
}

interface Claimed {
  to_phone: string;
  body: string;
  prev_since: Date | null;
}

/**
 * Sends one recorded notification, exactly once for the recipient:
 * - the row is claimed (PENDING → SENDING, `sending_since` = now) by a conditional update, so a
 *   duplicate or retried job never sends it twice at the same time;
 * - SENT is recorded with the provider's id; a definite refusal (4xx) is FAILED for good, a
 *   definite 5xx/429 goes back to PENDING and is retried with backoff;
 * - a send whose outcome is unknown (worker killed after the provider accepted, a timeout) keeps
 *   its `sending_since`. Once older than the provider timeout plus a margin it cannot still be in
 *   flight: the next attempt first looks for it in the provider's history (same number and text,
 *   created since then, an id we have not recorded) — found: SENT with that id; not found: send.
 * Reminders and campaigns wait out 20:00–08:00 unless urgent (R18); answers to what someone just
 * did go at once. A paused campaign sends nothing (resume re-enqueues); a cancelled one skips.
 * The last attempt's failure is FAILED with the reason: the dead-letter list staff can retry.
 */
@Injectable()
export class SmsProcessor {
  private readonly logger = new Logger(SmsProcessor.name);
  private readonly provider?: SmsProvider;
  readonly staleMs: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DatabaseService,
    private readonly clock: SmsClock,
  ) {
    this.staleMs = config.SMS_TIMEOUT_MS + STALE_MARGIN_MS;
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
    // The common case in one statement: a PENDING message never tried before, whose campaign (if
    // any) runs and which may go now, is claimed at once. Everything else takes the full path.
    if (this.provider) {
      const now = this.clock.now();
      const quiet = notBefore(now).getTime() > now.getTime();
      const fast = await this.db.one<Claimed>(sql`
        UPDATE notification t SET status = 'SENDING', attempts = t.attempts + 1, sending_since = now()
         WHERE t.id = ${data.notificationId} AND t.status = 'PENDING' AND t.sending_since IS NULL
           AND NOT EXISTS (SELECT 1 FROM sms_campaign c WHERE c.id = t.campaign_id AND c.status <> 'RUNNING')
           AND NOT (${quiet}::boolean
                    AND (t.campaign_id IS NOT NULL OR t.kind IN ('REMINDER', 'NEXT_DOSE_REMINDER', 'CAMPAIGN'))
                    AND NOT coalesce((SELECT c.urgent FROM sms_campaign c WHERE c.id = t.campaign_id), false))
        RETURNING t.to_phone, t.body, NULL::timestamptz AS prev_since`);
      if (fast) return this.deliver(data.notificationId, fast, job);
    }
    return this.sendCarefully(data, job, token);
  }

  /** The full path: cancelled or paused campaigns, quiet hours, a send cut off mid-way, duplicates. */
  private async sendCarefully(data: JobMap['sms.send'], job: Job, token?: string): Promise<JobResult> {
    const n = await this.db.one<{
      id: string;
      status: string;
      kind: string;
      campaign: boolean;
      campaign_status: string | null;
      urgent: boolean | null;
      sending_since: Date | null;
    }>(sql`
      SELECT n.id, n.status::text, n.kind::text, n.campaign_id IS NOT NULL AS campaign, c.status::text AS campaign_status,
             c.urgent, n.sending_since
        FROM notification n LEFT JOIN sms_campaign c ON c.id = n.campaign_id
       WHERE n.id = ${data.notificationId}`);
    if (!n) return { status: 'skipped', detail: { reason: 'unknown notification' } };
    if (!['PENDING', 'SENDING'].includes(n.status))
      return { status: 'skipped', detail: { status: n.status } };
    if (n.campaign_status === 'CANCELLED') {
      await this.db.query(sql`
        UPDATE notification SET status = 'SKIPPED', last_error = 'campaign cancelled'
         WHERE id = ${n.id} AND status = 'PENDING'`);
      return { status: 'skipped', detail: { reason: 'campaign cancelled' } };
    }
    // paused: the row stays PENDING; resuming enqueues it again under a new job id
    if (n.campaign_status === 'PAUSED') return { status: 'skipped', detail: { reason: 'campaign paused' } };

    const waits =
      (n.campaign || ['REMINDER', 'NEXT_DOSE_REMINDER', 'CAMPAIGN'].includes(n.kind)) && !n.urgent;
    if (waits) {
      const now = this.clock.now();
      const at = notBefore(now);
      if (at.getTime() > now.getTime()) return this.delay(job, token, at.getTime() - now.getTime());
    }
    if (!this.provider) throw new Error('no SMS provider configured (SMS_PROVIDER_URL)');

    const stale = `${this.staleMs} milliseconds`;
    const claimed = await this.db.one<Claimed>(sql`
      UPDATE notification n SET status = 'SENDING', attempts = n.attempts + 1, sending_since = now()
        FROM (SELECT id, status AS prev_status, sending_since AS prev_since FROM notification
               WHERE id = ${n.id} FOR UPDATE) o
       WHERE n.id = o.id
         AND ((o.prev_status = 'PENDING' AND o.prev_since IS NULL)
              OR (o.prev_status IN ('PENDING', 'SENDING') AND o.prev_since < now() - ${stale}::interval))
      RETURNING n.to_phone, n.body, o.prev_since`);
    if (!claimed) {
      // being sent right now, or a cut-off send that may still be in flight: look again when it cannot be
      const row = await this.db.one<{ status: string; wait_ms: number | null }>(sql`
        SELECT status::text, ceil(extract(epoch FROM sending_since + ${stale}::interval - now()) * 1000)::int AS wait_ms
          FROM notification WHERE id = ${n.id}`);
      if (row && ['PENDING', 'SENDING'].includes(row.status))
        return this.delay(job, token, Math.max(100, (row.wait_ms ?? 0) + 100));
      return { status: 'skipped', detail: { status: row?.status } };
    }

    if (claimed.prev_since) {
      const found = await this.reconcile(n.id, claimed);
      if (found) return { status: 'done', detail: { providerId: found, reconciled: true } };
    }
    return this.deliver(n.id, claimed, job);
  }

  /** Sends a claimed message and records the outcome (SENT, back to PENDING, or FAILED). */
  private async deliver(id: string, claimed: Claimed, job: Job): Promise<JobResult> {
    const whenDelivered = `${this.config.PUBLIC_URL.replace(/\/$/, '')}/api/sms/delivery/${id}?sig=${deliverySignature(id, this.config.JWT_SECRET)}`;
    try {
      const res = await this.provider!.send({ to: claimed.to_phone, message: claimed.body, whenDelivered });
      await this.db.query(sql`
        UPDATE notification SET status = 'SENT', provider_message_id = ${res.id}, sent_at = now(), sending_since = NULL,
               last_error = NULL
         WHERE id = ${id} AND status = 'SENDING'`);
      return { status: 'done', detail: { providerId: res.id } };
    } catch (err) {
      const message = (err as Error).message;
      const permanent = err instanceof PermanentSmsError;
      const unknown = uncertain(err);
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const failed = permanent || last;
      const reason =
        permanent || !last ? message : `gave up after ${job.attemptsMade + 1} attempts: ${message}`;
      // an unknown outcome keeps sending_since: the next attempt looks in the provider's history first
      await this.db.query(sql`
        UPDATE notification SET status = ${failed ? 'FAILED' : 'PENDING'}::"NotificationStatus", last_error = ${reason},
               sending_since = CASE WHEN ${unknown}::boolean THEN sending_since ELSE NULL END
         WHERE id = ${id} AND status = 'SENDING'`);
      this.logger.warn({ notificationId: id, err: message, permanent, unknown }, 'SMS not sent');
      if (permanent) throw new UnrecoverableError(message);
      throw err;
    }
  }

  /**
   * A send cut off mid-way: did the provider take it? Looks for the same number and text created
   * since the cut-off send began (less a margin), under an id no other notification has recorded.
   */
  private async reconcile(id: string, c: Claimed): Promise<string | undefined> {
    const since = new Date(new Date(c.prev_since!).getTime() - RECONCILE_MARGIN_MS);
    let sent;
    try {
      sent = (await this.provider!.sentSince({ to: c.to_phone, since })).filter((m) => m.message === c.body);
    } catch (err) {
      // cannot know: put the uncertainty back as it was, so that no attempt sends blindly
      await this.db.query(sql`
        UPDATE notification SET status = 'PENDING', sending_since = ${c.prev_since}::timestamptz,
               last_error = ${`history: ${(err as Error).message}`}
         WHERE id = ${id} AND status = 'SENDING'`);
      throw err;
    }
    if (!sent.length) return undefined;
    const row = await this.db.one<{ provider_id: string }>(sql`
      WITH candidate AS (
        SELECT x.id, x.created FROM unnest(${sent.map((m) => m.id)}::text[], ${sent.map((m) => m.created.toISOString())}::timestamptz[]) AS x(id, created)
         WHERE NOT EXISTS (SELECT 1 FROM notification o WHERE o.provider_message_id = x.id)
         ORDER BY x.created LIMIT 1
      )
      UPDATE notification n SET status = 'SENT', provider_message_id = candidate.id, sent_at = candidate.created,
             sending_since = NULL, last_error = NULL
        FROM candidate WHERE n.id = ${id} AND n.status = 'SENDING'
      RETURNING candidate.id AS provider_id`);
    if (row)
      this.logger.log({ notificationId: id, providerId: row.provider_id }, 'SMS found sent; not sent again');
    return row?.provider_id;
  }

  private async delay(job: Job, token: string | undefined, ms: number): Promise<JobResult> {
    if (!token) return { status: 'skipped', detail: { reason: 'not yet' } };
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError();
  }
}

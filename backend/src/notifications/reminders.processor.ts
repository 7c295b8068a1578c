import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DatabaseService } from '../infra/database.service';
import { OUTBOX_CHANNEL } from '../infra/outbox/outbox';
import { JobHandler } from '../infra/queue/job-handler.decorator';
import type { JobResult } from '../infra/queue/job-map';
import { sql } from '../infra/sql';

/**
 * R18: a reminder the day before the visit. Hourly, for active bookings starting 20–28 hours
 * ahead, one REMINDER notification per booking under a unique key (so running again, or twice,
 * adds none), with its SMS job riding on an outbox row. Reminders wait out 20:00–08:00.
 */
@Injectable()
export class RemindersProcessor {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DatabaseService,
  ) {}

  @JobHandler('sms.reminders')
  async run(): Promise<JobResult> {
    const created = await this.createReminders('20 hours', '28 hours');
    return created ? { status: 'done', detail: { created } } : { status: 'skipped' };
  }

  /** Creates the reminders for bookings starting within [now + from, now + to). */
  async createReminders(from: string, to: string): Promise<number> {
    const row = await this.db.one<{ created: number }>(sql`
      WITH due AS (
        SELECT b.id, b.patient_id, coalesce(b.phone, p.phone) AS phone, s.starts_at, u.name AS unit_name
          FROM booking b JOIN slot s ON s.id = b.slot_id JOIN patient p ON p.id = b.patient_id JOIN unit u ON u.id = b.unit_id
         WHERE b.status = 'ACTIVE' AND s.starts_at >= now() + ${from}::interval AND s.starts_at < now() + ${to}::interval
           AND coalesce(b.phone, p.phone) IS NOT NULL AND NOT p.protected_identity AND NOT p.sms_opt_out
      ), n AS (
        INSERT INTO notification (dedupe_key, kind, patient_id, booking_id, to_phone, body)
        SELECT 'reminder:' || due.id, 'REMINDER', due.patient_id, due.id, due.phone,
               'Påminnelse: du har en tid i morgon kl. ' || to_char(due.starts_at, 'HH24:MI') || ' på ' || due.unit_name
                 || '. Kan du inte komma? Avboka: ' || ${this.config.PUBLIC_URL.replace(/\/$/, '')}::text || '/boka'
          FROM due
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id
      ), v AS (
        INSERT INTO topic_version (topic_key, version) SELECT 'sms:reminders', 1 WHERE EXISTS (SELECT 1 FROM n)
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING topic_key, version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'jobs', v.topic_key, v.version, 'sms.reminders',
               json_build_object('enqueue', (SELECT json_agg(json_build_object('name', 'sms.send',
                 'data', json_build_object('notificationId', n.id), 'jobId', 'sms-' || n.id)) FROM n))
          FROM v
        RETURNING id
      )
      SELECT (SELECT count(*) FROM n)::int AS created, (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o LIMIT 1) AS notified`);
    return row?.created ?? 0;
  }
}

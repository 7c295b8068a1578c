import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DatabaseService } from '../infra/database.service';
import { OUTBOX_CHANNEL } from '../infra/outbox/outbox';
import { JobHandler } from '../infra/queue/job-handler.decorator';
import type { JobResult } from '../infra/queue/job-map';
import { Sql, sql } from '../infra/sql';

/**
 * R18: a reminder the day before the visit. Hourly, for active bookings starting 20–28 hours
 * ahead, one REMINDER notification per booking under a unique key (so running again, or twice,
 * adds none), with its SMS job riding on an outbox row. Reminders wait out 20:00–08:00. The link
 * in it is the booking's signed link (cancel or rebook without logging in).
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
    return this.withSmsJobs(
      sql`due AS (
        SELECT b.id, b.patient_id, coalesce(b.phone, p.phone) AS phone, s.starts_at, u.name AS unit_name
          FROM booking b JOIN slot s ON s.id = b.slot_id JOIN patient p ON p.id = b.patient_id JOIN unit u ON u.id = b.unit_id
         WHERE b.status = 'ACTIVE' AND s.starts_at >= now() + ${from}::interval AND s.starts_at < now() + ${to}::interval
           AND coalesce(b.phone, p.phone) IS NOT NULL AND NOT p.protected_identity AND NOT p.sms_opt_out
      ), n AS (
        INSERT INTO notification (dedupe_key, kind, patient_id, booking_id, to_phone, body)
        SELECT 'reminder:' || due.id, 'REMINDER', due.patient_id, due.id, due.phone,
               'Påminnelse: du har en tid i morgon kl. ' || to_char(due.starts_at, 'HH24:MI') || ' på ' || due.unit_name
                 || '. Kan du inte komma? Avboka eller boka om: ' || ${this.base()}::text || '/boka?ombokning='
                 || booking_link_token(due.id, ${this.config.JWT_SECRET}::text)
          FROM due
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id
      )`,
      'sms.reminders',
    );
  }

  /**
   * Next-dose reminders (issue 6): once a dose's interval has passed (product.dose_interval_days)
   * and the series has more doses, the person gets one SMS saying the next dose is due — unless a
   * later dose of the same disease area is on record (given here, elsewhere or historical) or a
   * visit for it is already booked. Only doses that fell due within the last `withinDays` days, so
   * that switching the feature on does not message everyone vaccinated years ago. One per dose
   * under a unique key; no phone, protected identity (R3) or an opt-out: none. Like reminders they
   * wait out 20:00–08:00.
   */
  @JobHandler('sms.next-dose-reminders')
  async runNextDose(): Promise<JobResult> {
    const created = await this.createNextDoseReminders();
    return created ? { status: 'done', detail: { created } } : { status: 'skipped' };
  }

  async createNextDoseReminders(withinDays = 14): Promise<number> {
    return this.withSmsJobs(
      sql`due AS (
        SELECT v.id, v.patient_id, v.dose_number, pr.disease_area,
               coalesce(p.phone, (SELECT b.phone FROM booking b
                                   WHERE b.patient_id = p.id AND b.phone IS NOT NULL
                                   ORDER BY b.created_at DESC LIMIT 1)) AS phone
          FROM vaccination v
          JOIN product pr ON pr.id = v.product_id
          JOIN patient p ON p.id = v.patient_id
         WHERE v.status = 'GIVEN'
           AND pr.dose_interval_days IS NOT NULL AND v.dose_number < pr.doses_in_series
           AND v.given_on + pr.dose_interval_days <= (now() AT TIME ZONE 'Europe/Stockholm')::date
           AND v.given_on + pr.dose_interval_days > (now() AT TIME ZONE 'Europe/Stockholm')::date - ${withinDays}::int
           AND NOT p.protected_identity AND NOT p.sms_opt_out
           AND NOT EXISTS (
             SELECT 1 FROM vaccination later JOIN product lp ON lp.id = later.product_id
              WHERE later.patient_id = v.patient_id AND later.status = 'GIVEN'
                AND lp.disease_area = pr.disease_area AND later.dose_number > v.dose_number)
           AND NOT EXISTS (
             SELECT 1 FROM booking b JOIN slot s ON s.id = b.slot_id
               JOIN visit_type vt ON vt.id = b.visit_type_id JOIN product bp ON bp.id = vt.product_id
              WHERE b.patient_id = v.patient_id AND b.status = 'ACTIVE' AND s.starts_at > now()
                AND bp.disease_area = pr.disease_area)
      ), n AS (
        INSERT INTO notification (dedupe_key, kind, patient_id, to_phone, body)
        SELECT 'next-dose:' || due.id, 'NEXT_DOSE_REMINDER', due.patient_id, due.phone,
               'Nu är det dags för dos ' || (due.dose_number + 1) || ' av din vaccination mot '
                 || due.disease_area || '. Boka tid: ' || ${this.base()}::text || '/boka'
          FROM due
         WHERE due.phone IS NOT NULL
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id
      )`,
      'sms.next-dose-reminders',
    );
  }

  /**
   * Runs CTEs that end in \`n\` (the notifications made, RETURNING id) and gives each its SMS job,
   * riding on one outbox row (enqueued after commit, deterministic job ids). Returns how many.
   */
  private async withSmsJobs(ctes: Sql, eventType: string): Promise<number> {
    const row = await this.db.one<{ created: number }>(sql`
      WITH ${ctes}, v AS (
        INSERT INTO topic_version (topic_key, version) SELECT 'sms:reminders', 1 WHERE EXISTS (SELECT 1 FROM n)
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING topic_key, version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'jobs', v.topic_key, v.version, ${eventType}::text,
               json_build_object('enqueue', (SELECT json_agg(json_build_object('name', 'sms.send',
                 'data', json_build_object('notificationId', n.id), 'jobId', 'sms-' || n.id)) FROM n))
          FROM v
        RETURNING id
      )
      SELECT (SELECT count(*) FROM n)::int AS created, (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o LIMIT 1) AS notified`);
    return row?.created ?? 0;
  }

  private base(): string {
    return this.config.PUBLIC_URL.replace(/\/$/, '');
  }
}

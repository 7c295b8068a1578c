import { Injectable } from '@nestjs/common';
import type { CitizenPrincipal, Principal, StaffPrincipal } from '../auth/principal';
import { AppError, badRequest, ErrorCode, notFound, ruleBroken } from '../common/errors';
import { DatabaseService } from '../infra/database.service';
import { OUTBOX_CHANNEL } from '../infra/outbox/outbox';
import { sql } from '../infra/sql';
import { AccessService } from '../organisation/access.service';
import { PatientsService } from '../patients/patients.service';
import { todayInStockholm } from '../timebook/dates';
import type { SmsCampaignDto } from './dto';
import { CAMPAIGN_JSON, campaignJobId, NOTIFY_OUTBOX, publishCampaign } from './sms-campaign.sql';
import { smsJobId } from './sms-jobs';

const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new AppError(ErrorCode.CONFLICT, message, details);

/**
 * What staff and citizens do with SMS: opt-out (R18), the dead-letter list and retry, and mass
 * campaigns (start from chosen bookings; pause, resume, cancel). Every change is one statement,
 * with its audit or outbox row in it.
 */
@Injectable()
export class SmsAdminService {
  constructor(
    private readonly db: DatabaseService,
    private readonly access: AccessService,
    private readonly patients: PatientsService,
  ) {}

  // ------------------------------------------------------------------ opt-out (R18)

  async citizenPreferences(p: CitizenPrincipal) {
    const row = await this.db.one<{
      sms_opt_out: boolean;
      phone: string | null;
      protected_identity: boolean;
    }>(sql`
      SELECT sms_opt_out, phone, protected_identity FROM patient WHERE id = ${p.patientId}`);
    if (!row) throw notFound('no such patient');
    return {
      smsOptOut: row.sms_opt_out,
      phone: row.protected_identity ? null : row.phone,
      // R3: protected identity gets no SMS whatever the choice
      smsPossible: !row.protected_identity,
    };
  }

  async setCitizenPreferences(p: CitizenPrincipal, smsOptOut: boolean) {
    return this.setOptOut(
      p.patientId,
      smsOptOut,
      { userId: null, assignmentId: null, unitId: null, role: null },
      'citizen',
    );
  }

  async setPatientPreferences(p: StaffPrincipal, pnr: string, smsOptOut: boolean) {
    await this.access.unit(p, 'booking.write', p.unitId);
    const patient = await this.patients.get(p, pnr);
    return this.setOptOut(
      patient.id,
      smsOptOut,
      { userId: p.userId, assignmentId: p.assignmentId, unitId: p.unitId, role: p.role },
      'staff',
    );
  }

  /**
   * Opting out also skips the messages not yet sent (reminders, campaigns, confirmations still
   * queued) in the same statement: the choice holds from the moment it is made.
   */
  private async setOptOut(
    patientId: string,
    smsOptOut: boolean,
    actor: { userId: string | null; assignmentId: string | null; unitId: string | null; role: string | null },
    by: 'citizen' | 'staff',
  ) {
    const row = await this.db.one<{ sms_opt_out: boolean; skipped: number }>(sql`
      WITH p AS (
        UPDATE patient SET sms_opt_out = ${smsOptOut} WHERE id = ${patientId} RETURNING id, sms_opt_out
      ), s AS (
        UPDATE notification SET status = 'SKIPPED', last_error = 'opted out of SMS'
         WHERE patient_id = (SELECT id FROM p) AND status = 'PENDING' AND sending_since IS NULL AND (SELECT sms_opt_out FROM p)
        RETURNING 1
      ), a AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${actor.userId}, ${actor.assignmentId}, ${actor.unitId}, ${actor.role}::"Role", p.id, 'patient.sms-preferences',
               json_build_object('smsOptOut', p.sms_opt_out, 'by', ${by}::text)
          FROM p RETURNING 1
      )
      SELECT p.sms_opt_out, (SELECT count(*) FROM s)::int AS skipped, (SELECT count(*) FROM a) AS audited FROM p`);
    if (!row) throw notFound('no such patient');
    return { smsOptOut: row.sms_opt_out, skippedPending: row.skipped };
  }

  // ------------------------------------------------------------------ dead letters

  /** Final failures of the unit's messages, newest first, with the reason. */
  async failed(p: Principal, unitId: string) {
    await this.access.unit(p, 'sms.manage', unitId);
    return this.db.query(sql`
      SELECT n.id, n.kind::text AS kind, n.to_phone AS "toPhone", n.last_error AS reason, n.attempts,
             n.created_at AS "createdAt", n.booking_id AS "bookingId", n.campaign_id AS "campaignId",
             left(n.body, 160) AS body,
             coalesce(nullif(trim(coalesce(pa.first_name, '') || ' ' || coalesce(pa.last_name, '')), ''), NULL) AS "patientName",
             s.starts_at AS "visitAt"
        FROM notification n
        LEFT JOIN booking b ON b.id = n.booking_id
        LEFT JOIN slot s ON s.id = b.slot_id
        LEFT JOIN sms_campaign c ON c.id = n.campaign_id
        LEFT JOIN patient pa ON pa.id = n.patient_id
       WHERE n.status = 'FAILED' AND coalesce(b.unit_id, c.unit_id) = ${unitId}
       ORDER BY n.created_at DESC
       LIMIT 500`);
  }

  /** FAILED → PENDING with a new deterministic job id, enqueued after commit. */
  async retry(p: Principal, notificationId: string) {
    const n = await this.db.one<{ unit_id: string | null; status: string; opted_out: boolean }>(sql`
      SELECT coalesce(b.unit_id, c.unit_id) AS unit_id, n.status::text, coalesce(pa.sms_opt_out OR pa.protected_identity, false) AS opted_out
        FROM notification n LEFT JOIN booking b ON b.id = n.booking_id LEFT JOIN sms_campaign c ON c.id = n.campaign_id
        LEFT JOIN patient pa ON pa.id = n.patient_id
       WHERE n.id = ${notificationId}`);
    if (!n || !n.unit_id) throw notFound('no such message', { field: 'id' });
    await this.access.unit(p, 'sms.manage', n.unit_id);
    if (n.opted_out) throw ruleBroken('the patient does not take SMS (opted out or protected identity)');
    const row = await this.db.one<{ job_seq: number }>(sql`
      WITH n AS (
        UPDATE notification SET status = 'PENDING', job_seq = job_seq + 1, last_error = NULL
         WHERE id = ${notificationId} AND status = 'FAILED'
        RETURNING id, job_seq
      ), v AS (
        INSERT INTO topic_version (topic_key, version) SELECT 'sms:retries', 1 FROM n
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING topic_key, version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'jobs', v.topic_key, v.version, 'sms.retry',
               json_build_object('enqueue', json_build_array(json_build_object('name', 'sms.send',
                 'data', json_build_object('notificationId', n.id),
                 'jobId', 'sms-' || n.id || '-r' || n.job_seq)))
          FROM v, n RETURNING id
      )
      SELECT n.job_seq, (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o LIMIT 1) AS notified FROM n`);
    if (!row)
      throw conflict(`only a failed message can be retried (this one is ${n.status})`, { status: n.status });
    return { id: notificationId, status: 'PENDING', jobId: smsJobId(notificationId, row.job_seq) };
  }

  // ------------------------------------------------------------------ campaigns

  /** A mass SMS to the unit's active bookings of a day (optionally a time range and visit type). */
  async startCampaign(p: StaffPrincipal, unitId: string, dto: SmsCampaignDto) {
    await this.access.unit(p, 'sms.manage', unitId);
    if (dto.date < todayInStockholm())
      throw badRequest('date has passed: only coming visits can be messaged', 'date');
    if (dto.visitTypeId) {
      const vt = await this.db.one(
        sql`SELECT 1 AS ok FROM visit_type WHERE id = ${dto.visitTypeId} AND unit_id = ${unitId}`,
      );
      if (!vt) throw notFound('no such visit type at this unit', { field: 'visitTypeId' });
    }
    const from = dto.from ?? null;
    const to = dto.to ?? null;
    const vt = dto.visitTypeId ?? null;
    const row = await this.db.one<{ id: string; total: number }>(sql`
      WITH targets AS (
        SELECT b.id AS booking_id, b.patient_id, coalesce(b.phone, p.phone) AS phone
          FROM booking b JOIN slot s ON s.id = b.slot_id JOIN patient p ON p.id = b.patient_id
         WHERE b.unit_id = ${unitId} AND b.status = 'ACTIVE' AND s.date = ${dto.date}::date AND s.starts_at > now()
           AND (${from}::text IS NULL OR to_char(s.starts_at, 'HH24:MI') >= ${from})
           AND (${to}::text IS NULL OR to_char(s.starts_at, 'HH24:MI') < ${to})
           AND (${vt}::text IS NULL OR b.visit_type_id = ${vt})
           AND coalesce(b.phone, p.phone) IS NOT NULL AND NOT p.protected_identity AND NOT p.sms_opt_out
      ), c AS (
        INSERT INTO sms_campaign (unit_id, message, urgent, created_by_id, date, from_time, to_time, visit_type_id, total)
        SELECT ${unitId}, ${dto.message}, ${dto.urgent}, ${p.userId}, ${dto.date}::date, ${from}, ${to}, ${vt},
               (SELECT count(*) FROM targets)
        RETURNING *
      ), n AS (
        INSERT INTO notification (dedupe_key, kind, patient_id, booking_id, campaign_id, to_phone, body)
        SELECT 'campaign:' || c.id || ':' || t.booking_id, 'CAMPAIGN', t.patient_id, t.booking_id, c.id, t.phone, c.message
          FROM c, targets t
        RETURNING 1
      ) ${publishCampaign(
        sql`jsonb_build_array(jsonb_build_object('name', 'sms.campaign-start', 'data', jsonb_build_object('campaignId', c.id),
              'jobId', 'sms-campaign-' || c.id))`,
      )}
      SELECT c.id, c.total, (SELECT count(*) FROM n) AS created, ${NOTIFY_OUTBOX} AS notified FROM c`);
    return { campaignId: row!.id, jobId: campaignJobId(row!.id), total: row!.total };
  }

  async campaigns(p: Principal, unitId: string) {
    await this.access.unit(p, 'sms.manage', unitId);
    const row = await this.db.one<{ list: unknown[] }>(sql`
      SELECT coalesce(json_agg(${CAMPAIGN_JSON}::jsonb || jsonb_build_object('createdAt', c.created_at, 'finishedAt', c.finished_at)
                               ORDER BY c.created_at DESC), '[]'::json) AS list
        FROM (SELECT * FROM sms_campaign WHERE unit_id = ${unitId} ORDER BY created_at DESC LIMIT 100) c`);
    return row?.list ?? [];
  }

  async campaign(p: Principal, id: string) {
    const unitId = await this.campaignUnit(p, id);
    const row = await this.db.one<{ c: unknown }>(sql`
      SELECT ${CAMPAIGN_JSON}::jsonb || jsonb_build_object('createdAt', c.created_at, 'finishedAt', c.finished_at) AS c
        FROM sms_campaign c WHERE c.id = ${id} AND c.unit_id = ${unitId}`);
    return row?.c;
  }

  private async campaignUnit(p: Principal, id: string): Promise<string> {
    const c = await this.db.one<{ unit_id: string }>(sql`SELECT unit_id FROM sms_campaign WHERE id = ${id}`);
    if (!c) throw notFound('no such campaign', { field: 'id' });
    await this.access.unit(p, 'sms.manage', c.unit_id);
    return c.unit_id;
  }

  private async current(id: string): Promise<string> {
    const c = await this.db.one<{ status: string }>(
      sql`SELECT status::text FROM sms_campaign WHERE id = ${id}`,
    );
    return c?.status ?? 'unknown';
  }

  /** RUNNING → PAUSED: nothing more is sent; messages stay PENDING until resumed. */
  async pause(p: Principal, id: string) {
    await this.campaignUnit(p, id);
    const row = await this.db.one<{ c: unknown }>(sql`
      WITH c AS (
        UPDATE sms_campaign SET status = 'PAUSED' WHERE id = ${id} AND status = 'RUNNING' RETURNING *
      ) ${publishCampaign()}
      SELECT ${CAMPAIGN_JSON} AS c, ${NOTIFY_OUTBOX} AS notified FROM c`);
    if (!row) throw conflict(`only a running campaign can be paused (this one is ${await this.current(id)})`);
    return row.c;
  }

  /** PAUSED → RUNNING: its open messages get new job ids and are enqueued again (by a job, in pages). */
  async resume(p: Principal, id: string) {
    await this.campaignUnit(p, id);
    const row = await this.db.one<{ c: unknown }>(sql`
      WITH c AS (
        UPDATE sms_campaign SET status = 'RUNNING', resumes = resumes + 1 WHERE id = ${id} AND status = 'PAUSED' RETURNING *
      ), n AS (
        UPDATE notification SET job_seq = job_seq + 1 WHERE campaign_id = (SELECT id FROM c) AND status IN ('PENDING', 'SENDING')
        RETURNING 1
      ) ${publishCampaign(
        sql`jsonb_build_array(jsonb_build_object('name', 'sms.campaign-start', 'data', jsonb_build_object('campaignId', c.id),
              'jobId', 'sms-campaign-' || c.id || '-r' || c.resumes))`,
      )}
      SELECT ${CAMPAIGN_JSON} AS c, (SELECT count(*) FROM n) AS reopened, ${NOTIFY_OUTBOX} AS notified FROM c`);
    if (!row) throw conflict(`only a paused campaign can be resumed (this one is ${await this.current(id)})`);
    return row.c;
  }

  /** Cancel: every message not yet sent is skipped, in one statement; sent ones stay sent. */
  async cancel(p: Principal, id: string) {
    await this.campaignUnit(p, id);
    const row = await this.db.one<{ c: unknown }>(sql`
      WITH s AS (
        UPDATE notification SET status = 'SKIPPED', last_error = 'campaign cancelled'
         WHERE campaign_id = ${id} AND status = 'PENDING' AND sending_since IS NULL
           AND EXISTS (SELECT 1 FROM sms_campaign WHERE id = ${id} AND status IN ('RUNNING', 'PAUSED'))
        RETURNING 1
      ), c AS (
        UPDATE sms_campaign SET status = 'CANCELLED', finished_at = now(), skipped = skipped + (SELECT count(*) FROM s)
         WHERE id = ${id} AND status IN ('RUNNING', 'PAUSED') RETURNING *
      ) ${publishCampaign()}
      SELECT ${CAMPAIGN_JSON} AS c, ${NOTIFY_OUTBOX} AS notified FROM c`);
    if (!row)
      throw conflict(
        `only a running or paused campaign can be cancelled (this one is ${await this.current(id)})`,
      );
    return row.c;
  }
}

import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { AppError, badRequest, ErrorCode, notFound } from '../common/errors';
import { todayInStockholm } from './dates';
import { DatabaseService } from '../infra/database.service';
import { OUTBOX_CHANNEL } from '../infra/outbox/outbox';
import { sql } from '../infra/sql';
import { AccessService } from '../organisation/access.service';
import type { MassCancellationDto } from './dto/mass-cancellation.dto';
import { CAMPAIGN_JSON } from '../notifications/sms-campaign.sql';

@Injectable()
export class MassCancellationService {
  constructor(
    private readonly db: DatabaseService,
    private readonly access: AccessService,
  ) {}

  /** Records the request and starts its job; progress is live on the unit's `jobs` topic. */
  async start(p: Principal, unitId: string, dto: MassCancellationDto) {
    await this.access.unit(p, 'booking.mass-cancel', unitId);
    if (p.kind !== 'staff') throw new AppError(ErrorCode.FORBIDDEN, 'staff only');
    if (dto.date < todayInStockholm())
      throw badRequest('date has passed: only coming bookings can be cancelled', 'date');
    if (dto.visitTypeId) {
      const vt = await this.db.one(
        sql`SELECT 1 AS ok FROM visit_type WHERE id = ${dto.visitTypeId} AND unit_id = ${unitId}`,
      );
      if (!vt) throw notFound('no such visit type at this unit', { field: 'visitTypeId' });
    }
    // The request and its job are one transaction: the job is enqueued from the outbox after
    // commit, so a request can never be recorded without its job (or run twice).
    const mc = await this.db.one<{ id: string; total: number }>(sql`
      WITH mc AS (
        INSERT INTO mass_cancellation (unit_id, date, from_time, to_time, visit_type_id, message, urgent, created_by_id, total)
        SELECT ${unitId}, ${dto.date}::date, ${dto.from ?? null}, ${dto.to ?? null}, ${dto.visitTypeId ?? null}, ${dto.message},
               ${dto.urgent}, ${p.userId},
               (SELECT count(*) FROM booking b JOIN slot s ON s.id = b.slot_id
                 WHERE b.unit_id = ${unitId} AND b.status = 'ACTIVE' AND s.date = ${dto.date}::date AND s.starts_at > now()
                   AND (${dto.from ?? null}::text IS NULL OR to_char(s.starts_at, 'HH24:MI') >= ${dto.from ?? null})
                   AND (${dto.to ?? null}::text IS NULL OR to_char(s.starts_at, 'HH24:MI') < ${dto.to ?? null})
                   AND (${dto.visitTypeId ?? null}::text IS NULL OR b.visit_type_id = ${dto.visitTypeId ?? null}))
        RETURNING id, total
      ), v AS (
        INSERT INTO topic_version (topic_key, version) SELECT ${`jobs:${unitId}`}, 1 FROM mc
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING topic_key, version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'jobs', v.topic_key, v.version, 'job.progress',
               json_build_object('unitId', ${unitId}::text, 'jobId', 'mass-cancel-' || mc.id, 'queue', 'timebook',
                 'name', 'timebook.mass-cancel', 'state', 'waiting',
                 'progress', json_build_object('done', 0, 'total', mc.total),
                 'enqueue', json_build_array(json_build_object('name', 'timebook.mass-cancel',
                   'data', json_build_object('massCancellationId', mc.id, 'unitId', ${unitId}::text),
                   'jobId', 'mass-cancel-' || mc.id)))
          FROM v, mc
        RETURNING id
      )
      SELECT mc.id, mc.total, (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o LIMIT 1) AS notified FROM mc`);
    const jobId = `mass-cancel-${mc!.id}`;
    return { jobId, massCancellationId: mc!.id, total: mc!.total };
  }

  /** The `jobs` topic snapshot: the unit's mass cancellations of the last day, with progress. */
  async running(unitId: string) {
    const row = await this.db.one<{ version: number | null; jobs: unknown[]; campaigns: unknown[] }>(sql`
      SELECT (SELECT version FROM topic_version WHERE topic_key = ${`jobs:${unitId}`}) AS version,
             (SELECT coalesce(json_agg(json_build_object('jobId', 'mass-cancel-' || id, 'queue', 'timebook',
                       'name', 'timebook.mass-cancel', 'state', CASE status WHEN 'COMPLETED' THEN 'completed'
                       WHEN 'FAILED' THEN 'failed' WHEN 'QUEUED' THEN 'waiting' ELSE 'active' END,
                       'progress', json_build_object('done', done, 'total', total), 'date', to_char(date, 'YYYY-MM-DD'),
                       'message', message) ORDER BY created_at DESC), '[]'::json)
                FROM mass_cancellation WHERE unit_id = ${unitId} AND created_at > now() - interval '1 day') AS jobs,
             (SELECT coalesce(json_agg(${CAMPAIGN_JSON} ORDER BY c.created_at DESC), '[]'::json)
                FROM sms_campaign c WHERE c.unit_id = ${unitId}
                 AND (c.finished_at IS NULL OR c.created_at > now() - interval '1 day')) AS campaigns`);
    // SMS campaigns (issue 6) share the unit's `jobs` topic: their progress comes as job.progress too
    return {
      version: row?.version ?? 0,
      snapshot: { unitId, jobs: [...(row?.jobs ?? []), ...(row?.campaigns ?? [])] },
    };
  }

  async get(p: Principal, id: string) {
    const mc = await this.db.one<{ unit_id: string }>(
      sql`SELECT unit_id FROM mass_cancellation WHERE id = ${id}`,
    );
    if (!mc) throw notFound('no such mass cancellation');
    await this.access.unit(p, 'timebook.read', mc.unit_id);
    return this.db.one(sql`
      SELECT id, unit_id AS "unitId", to_char(date, 'YYYY-MM-DD') AS date, from_time AS "from", to_time AS "to",
             visit_type_id AS "visitTypeId", message, status::text AS status, total, done, created_at AS "createdAt",
             finished_at AS "finishedAt", 'mass-cancel-' || id AS "jobId",
             (SELECT count(*)::int FROM notification n WHERE n.campaign_id = mass_cancellation.id) AS "smsQueued"
        FROM mass_cancellation WHERE id = ${id}`);
  }
}

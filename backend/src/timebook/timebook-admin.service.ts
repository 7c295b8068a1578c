import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { notFound } from '../common/errors';
import { DatabaseService } from '../infra/database.service';
import { appendOutbox } from '../infra/outbox/outbox';
import { sql } from '../infra/sql';
import { AccessService } from '../organisation/access.service';
import { localTimeToInstant } from './dates';
import type { BlockDto, DayDto, OpenSlotsDto } from './dto/admin.dto';
import { planSlots } from './slot-template';
import { timebookKey } from './timebook.sql';

/** Above this many new slots, clients are told to reload rather than sent every slot. */
const MAX_CHANGES_IN_EVENT = 300;

/** R10, R15, R16: opening times, blocks with notes, day notes and web booking per day. */
@Injectable()
export class TimebookAdminService {
  constructor(
    private readonly db: DatabaseService,
    private readonly access: AccessService,
  ) {}

  /**
   * Opens the template's slots (slots already there are kept: a template can be applied again).
   * One transaction: the resource's columns grow if needed, the slots, the version and event.
   */
  async openSlots(p: Principal, unitId: string, dto: OpenSlotsDto) {
    await this.access.unit(p, 'timebook.admin', unitId);
    return this.db.tx(async (q) => {
      const [resource] = await q<{ id: string; columns: number }>(sql`
        INSERT INTO timebook_resource (unit_id, kind, name, columns)
        VALUES (${unitId}, ${dto.resource}::"ResourceKind", ${dto.resource === 'LAKARE' ? 'Läkare' : 'Sjuksköterska'},
                ${dto.columns ?? 1})
        ON CONFLICT (unit_id, kind) DO UPDATE SET columns = greatest(timebook_resource.columns, EXCLUDED.columns)
        RETURNING id, columns`);
      const planned = planSlots({ ...dto, columns: dto.columns ?? resource!.columns });
      if (planned.length === 0) return { created: 0, skipped: 0 };
      const created = await q<{ id: string; date: string; starts_at: string; column: number }>(sql`
        INSERT INTO slot (unit_id, resource_id, "column", date, starts_at, ends_at)
        SELECT ${unitId}, ${resource!.id}, c, d::date, s, e
          FROM unnest(${planned.map((x) => x.column)}::int[], ${planned.map((x) => x.date)}::text[],
                      ${planned.map((x) => x.startsAt.toISOString())}::timestamptz[],
                      ${planned.map((x) => x.endsAt.toISOString())}::timestamptz[]) AS t(c, d, s, e)
        ON CONFLICT (resource_id, "column", starts_at) DO NOTHING
        RETURNING id, to_char(date, 'YYYY-MM-DD') AS date, starts_at, "column"`);
      if (created.length > 0) {
        const many = created.length > MAX_CHANGES_IN_EVENT;
        if (many) {
          // Too many to send one by one: skip a version, which makes every client reload (a gap
          // means "resync" in the protocol) instead of fanning out thousands of slot changes.
          await q(sql`
            INSERT INTO topic_version (topic_key, version) VALUES (${timebookKey(unitId)}, 1)
            ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1`);
        }
        await appendOutbox(q, {
          topic: 'timebook',
          topicKey: timebookKey(unitId),
          eventType: 'slots.opened',
          payload: {
            unitId,
            cause: 'slots.opened',
            changes: many
              ? []
              : created.map((s) => ({
                  slotId: s.id,
                  date: s.date,
                  start: s.starts_at,
                  resource: dto.resource,
                  column: s.column,
                  from: 'FREE',
                  to: 'FREE',
                })),
          },
        });
      }
      return { created: created.length, skipped: planned.length - created.length };
    });
  }

  /** R16: blocks free slots in a range (booked ones stay booked, and get blocked if cancelled). */
  async block(p: Principal, unitId: string, dto: BlockDto) {
    await this.access.unit(p, 'timebook.admin', unitId);
    const startsAt = localTimeToInstant(dto.date, dto.from);
    const endsAt = localTimeToInstant(dto.date, dto.to);
    return this.db.tx(async (q) => {
      const [block] = await q<{ id: string }>(sql`
        INSERT INTO timebook_block (unit_id, starts_at, ends_at, note, created_by_id)
        VALUES (${unitId}, ${startsAt.toISOString()}::timestamptz, ${endsAt.toISOString()}::timestamptz, ${dto.note},
                ${p.kind === 'staff' ? p.userId : null})
        RETURNING id`);
      const slots = await q<{
        id: string;
        date: string;
        starts_at: string;
        column: number;
        kind: string;
        status: string;
        was: string;
      }>(sql`
        WITH target AS (
          SELECT s.id, s.status::text AS was FROM slot s JOIN timebook_resource r ON r.id = s.resource_id
           WHERE s.unit_id = ${unitId} AND s.starts_at >= ${startsAt.toISOString()}::timestamptz
             AND s.starts_at < ${endsAt.toISOString()}::timestamptz
             AND (${dto.resource ?? null}::text IS NULL OR r.kind::text = ${dto.resource ?? null})
           FOR UPDATE OF s
        )
        UPDATE slot s SET block_id = ${block!.id},
               status = CASE WHEN s.status = 'FREE' OR (s.status = 'HELD' AND s.held_until <= now())
                             THEN 'BLOCKED'::"SlotStatus" ELSE s.status END,
               hold_id = CASE WHEN s.status = 'HELD' AND s.held_until <= now() THEN NULL ELSE s.hold_id END,
               held_until = CASE WHEN s.status = 'HELD' AND s.held_until <= now() THEN NULL ELSE s.held_until END
          FROM target t, timebook_resource r
         WHERE s.id = t.id AND r.id = s.resource_id
        RETURNING s.id, to_char(s.date, 'YYYY-MM-DD') AS date, s.starts_at, s."column", r.kind::text AS kind,
                  s.status::text AS status, t.was`);
      const changed = slots.filter((s) => s.was !== s.status);
      if (changed.length) {
        await appendOutbox(q, {
          topic: 'timebook',
          topicKey: timebookKey(unitId),
          eventType: 'block.created',
          payload: {
            unitId,
            cause: 'block.created',
            changes: changed.map((s) => ({
              slotId: s.id,
              date: s.date,
              start: s.starts_at,
              resource: s.kind,
              column: s.column,
              from: s.was === 'HELD' ? 'FREE' : s.was,
              to: 'BLOCKED',
              note: dto.note,
            })),
          },
        });
      }
      return {
        id: block!.id,
        blocked: changed.length,
        alreadyBooked: slots.filter((s) => s.status === 'BOOKED').length,
      };
    });
  }

  async blocks(p: Principal, unitId: string, date: string) {
    await this.access.unit(p, 'timebook.read', unitId);
    return this.db.query(sql`
      SELECT b.id, b.starts_at AS start, b.ends_at AS "end", b.note,
             (SELECT count(*)::int FROM slot s WHERE s.block_id = b.id) AS slots,
             (SELECT min(r.kind::text) FROM slot s JOIN timebook_resource r ON r.id = s.resource_id WHERE s.block_id = b.id
               HAVING count(DISTINCT r.kind) = 1) AS resource
        FROM timebook_block b
       WHERE b.unit_id = ${unitId} AND (b.starts_at AT TIME ZONE 'Europe/Stockholm')::date = ${date}::date
       ORDER BY b.starts_at`);
  }

  /** Lifts a block: its blocked slots become free again (booked ones are untouched). */
  async unblock(p: Principal, blockId: string) {
    const block = await this.db.one<{ unit_id: string }>(
      sql`SELECT unit_id FROM timebook_block WHERE id = ${blockId}`,
    );
    if (!block) throw notFound('no such block');
    await this.access.unit(p, 'timebook.admin', block.unit_id);
    return this.db.tx(async (q) => {
      const slots = await q<{
        id: string;
        date: string;
        starts_at: string;
        column: number;
        kind: string;
        status: string;
      }>(sql`
        UPDATE slot s SET block_id = NULL,
               status = CASE WHEN s.status = 'BLOCKED' THEN 'FREE'::"SlotStatus" ELSE s.status END
          FROM timebook_resource r
         WHERE s.block_id = ${blockId} AND r.id = s.resource_id
        RETURNING s.id, to_char(s.date, 'YYYY-MM-DD') AS date, s.starts_at, s."column", r.kind::text AS kind, s.status::text AS status`);
      await q(sql`DELETE FROM timebook_block WHERE id = ${blockId}`);
      const freed = slots.filter((s) => s.status === 'FREE');
      if (freed.length) {
        await appendOutbox(q, {
          topic: 'timebook',
          topicKey: timebookKey(block.unit_id),
          eventType: 'block.removed',
          payload: {
            unitId: block.unit_id,
            cause: 'block.removed',
            changes: freed.map((s) => ({
              slotId: s.id,
              date: s.date,
              start: s.starts_at,
              resource: s.kind,
              column: s.column,
              from: 'BLOCKED',
              to: 'FREE',
            })),
          },
        });
      }
      return { id: blockId, freed: freed.length };
    });
  }

  /** R16 day note; R15 web booking open or closed for the day. */
  async setDay(p: Principal, unitId: string, date: string, dto: DayDto) {
    await this.access.unit(p, 'timebook.admin', unitId);
    return this.db.tx(async (q) => {
      const [day] = await q<{ date: string; note: string | null; webBookingClosed: boolean }>(sql`
        INSERT INTO timebook_day (unit_id, date, note, web_booking_closed)
        VALUES (${unitId}, ${date}::date, ${dto.note ?? null}, ${dto.webBookingClosed ?? false})
        ON CONFLICT (unit_id, date) DO UPDATE SET
          note = CASE WHEN ${dto.note !== undefined}::boolean THEN EXCLUDED.note ELSE timebook_day.note END,
          web_booking_closed = coalesce(${dto.webBookingClosed ?? null}::boolean, timebook_day.web_booking_closed)
        RETURNING to_char(date, 'YYYY-MM-DD') AS date, note, web_booking_closed AS "webBookingClosed"`);
      await appendOutbox(q, {
        topic: 'timebook',
        topicKey: timebookKey(unitId),
        eventType: 'day.updated',
        payload: { unitId, cause: 'day.updated', changes: [], day },
      });
      return day;
    });
  }

  /** R10: the unit's resources and their numbered columns. */
  async resources(p: Principal, unitId: string) {
    await this.access.unit(p, 'timebook.read', unitId);
    return this.db.query(sql`
      SELECT kind::text AS resource, name, columns FROM timebook_resource WHERE unit_id = ${unitId} ORDER BY kind DESC`);
  }

  async days(p: Principal, unitId: string, from: string, to: string) {
    await this.access.unit(p, 'timebook.read', unitId);
    return this.db.query(sql`
      SELECT to_char(date, 'YYYY-MM-DD') AS date, note, web_booking_closed AS "webBookingClosed"
        FROM timebook_day WHERE unit_id = ${unitId} AND date BETWEEN ${from}::date AND ${to}::date ORDER BY date`);
  }
}

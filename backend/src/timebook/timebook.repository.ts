import { Injectable } from '@nestjs/common';
import type { DayCounts, SlotStatus, SlotView } from '../realtime/events';
import { DatabaseService } from '../infra/database.service';
import { OUTBOX_CHANNEL } from '../infra/outbox/outbox';
import { sql } from '../infra/sql';
import { EFFECTIVE_STATUS, SLOT_VIEW_JSON, timebookKey } from './timebook.sql';

export interface BookAttempt {
  slotId: string;
  visitTypeId: string;
  patientId: string;
  phone: string | null;
  /** staff: only slots of this unit; citizens: null (any unit, web-bookable visit types only) */
  unitId: string | null;
  web: boolean;
  actor: { id: string; assignmentId: string | null; role: string | null };
  source: 'STAFF' | 'WEB' | 'SIMULATOR';
}

export interface BookOutcome {
  bookingId: string | null;
  /** the slot as read at the start of the statement (null: no such slot) */
  target: { unit_id: string; status: SlotStatus; starts_at: string; in_past: boolean } | null;
  visitTypeOk: boolean;
  alternatives: SlotView[];
}

/** All SQL of the timebook. Hot paths are single statements (CTEs), atomic without a round trip per step. */
@Injectable()
export class TimebookRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Slots of one day and counts of a range of days, with the topic version, from one snapshot. */
  async snapshot(
    unitId: string,
    date: string | null,
    from: string,
    to: string,
  ): Promise<{ version: number; slots: SlotView[]; days: DayCounts[] }> {
    const row = await this.db.one<{ version: number | null; slots: SlotView[]; days: DayCounts[] }>(sql`
      SELECT
        (SELECT version FROM topic_version WHERE topic_key = ${timebookKey(unitId)}) AS version,
        (SELECT coalesce(json_agg(${SLOT_VIEW_JSON} ORDER BY s.starts_at, r.kind, s."column"), '[]'::json)
           FROM slot s
           JOIN timebook_resource r ON r.id = s.resource_id
           LEFT JOIN timebook_block blk ON blk.id = s.block_id
           LEFT JOIN booking b ON b.slot_id = s.id AND b.status = 'ACTIVE'
          WHERE s.unit_id = ${unitId} AND s.date = ${date}::date) AS slots,
        (SELECT coalesce(json_agg(d ORDER BY d.date), '[]'::json) FROM (
           SELECT to_char(g.day, 'YYYY-MM-DD') AS date,
                  count(s.id)::int AS opened,
                  (count(*) FILTER (WHERE ${EFFECTIVE_STATUS} = 'BOOKED'))::int AS booked,
                  (count(*) FILTER (WHERE ${EFFECTIVE_STATUS} = 'HELD'))::int AS held,
                  (count(*) FILTER (WHERE ${EFFECTIVE_STATUS} = 'BLOCKED'))::int AS blocked,
                  (count(*) FILTER (WHERE ${EFFECTIVE_STATUS} = 'FREE'))::int AS free
             FROM generate_series(${from}::date, ${to}::date, interval '1 day') AS g(day)
             LEFT JOIN slot s ON s.unit_id = ${unitId} AND s.date = g.day::date
            GROUP BY g.day) d) AS days`);
    return { version: row?.version ?? 0, slots: row?.slots ?? [], days: row?.days ?? [] };
  }

  async visitTypes(unitId: string, webOnly: boolean) {
    return this.db.query<{
      id: string;
      name: string;
      resource: string;
      productId: string | null;
      doseNumber: number | null;
      webBookable: boolean;
      allowedWeekdays: number[];
      durationMinutes: number;
    }>(sql`
      SELECT id, name, resource::text AS resource, product_id AS "productId", dose_number AS "doseNumber",
             web_bookable AS "webBookable", allowed_weekdays AS "allowedWeekdays", duration_minutes AS "durationMinutes"
        FROM visit_type
       WHERE unit_id = ${unitId} AND retired_at IS NULL AND (${webOnly}::boolean = false OR web_bookable)
       ORDER BY name`);
  }

  /**
   * R13 in one statement: take the slot if it is free (or held by this actor), insert the booking,
   * bump the unit's timebook version, write the outbox event and the audit row — or, if the slot
   * was lost, return why and the nearest free alternatives. The partial unique index on
   * booking(slot_id) WHERE status = 'ACTIVE' is the guarantee behind the conditional update.
   */
  async book(a: BookAttempt): Promise<BookOutcome> {
    const row = await this.db.one<{
      booking_id: string | null;
      target: BookOutcome['target'];
      vt_ok: boolean;
      alternatives: SlotView[] | null;
    }>(sql`
      WITH target AS (
        SELECT s.id, s.unit_id, s.resource_id, s.date, s.starts_at, r.kind, s.status,
               ${EFFECTIVE_STATUS} AS eff, s.starts_at <= now() AS in_past
          FROM slot s JOIN timebook_resource r ON r.id = s.resource_id
         WHERE s.id = ${a.slotId}
      ), vt AS (
        SELECT v.id, v.allowed_weekdays FROM visit_type v, target t
         WHERE v.id = ${a.visitTypeId} AND v.unit_id = t.unit_id AND v.resource = t.kind AND v.retired_at IS NULL
           AND (cardinality(v.allowed_weekdays) = 0 OR extract(isodow FROM t.date)::int = ANY (v.allowed_weekdays))
           AND (${a.web}::boolean = false OR v.web_bookable)
      ), s AS (
        UPDATE slot SET status = 'BOOKED', hold_id = NULL, held_until = NULL
         WHERE id = ${a.slotId}
           AND (${a.unitId}::text IS NULL OR unit_id = ${a.unitId})
           AND starts_at > now()
           AND EXISTS (SELECT 1 FROM vt)
           AND (status = 'FREE'
                OR (status = 'HELD' AND (held_until <= now()
                    OR hold_id IN (SELECT h.id FROM slot_hold h WHERE h.slot_id = ${a.slotId} AND h.held_by = ${a.actor.id}))))
        RETURNING id, unit_id, date, starts_at, "column"
      ), b AS (
        INSERT INTO booking (slot_id, unit_id, patient_id, visit_type_id, source, phone, booked_by_id)
        SELECT s.id, s.unit_id, ${a.patientId}, ${a.visitTypeId}, ${a.source}::"BookingSource", ${a.phone}, ${a.actor.id} FROM s
        RETURNING id, slot_id, unit_id, visit_type_id
      ), v AS (
        INSERT INTO topic_version (topic_key, version) SELECT 'timebook:' || b.unit_id, 1 FROM b
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'timebook', 'timebook:' || b.unit_id, v.version, 'booking.created',
               json_build_object('unitId', b.unit_id, 'cause', 'booking.created', 'changes', json_build_array(
                 json_build_object('slotId', s.id, 'date', s.date, 'start', s.starts_at, 'resource', t.kind,
                   'column', s."column", 'from', t.eff, 'to', 'BOOKED', 'bookingId', b.id, 'visitTypeId', b.visit_type_id)))
          FROM b, v, s, target t
        RETURNING id
      ), audit AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${a.actor.id}, ${a.actor.assignmentId}, b.unit_id, ${a.actor.role}::"Role", ${a.patientId}, 'booking.create',
               json_build_object('bookingId', b.id, 'slotId', b.slot_id, 'source', ${a.source}::text)
          FROM b
        RETURNING id
      )
      SELECT b.id AS booking_id,
             (SELECT json_build_object('unit_id', t.unit_id, 'status', t.eff, 'starts_at', t.starts_at, 'in_past', t.in_past)
                FROM target t) AS target,
             EXISTS (SELECT 1 FROM vt) AS vt_ok,
             (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o) AS notified,
             (SELECT count(*) FROM audit) AS audited,
             CASE WHEN b.id IS NULL THEN (
               SELECT coalesce(json_agg(alt.view ORDER BY alt.distance), '[]'::json) FROM (
                 SELECT ${SLOT_VIEW_JSON} AS view, abs(extract(epoch FROM s.starts_at - t.starts_at)) AS distance
                   FROM target t
                   JOIN slot s ON s.unit_id = t.unit_id AND s.resource_id = t.resource_id AND s.id <> t.id
                   JOIN timebook_resource r ON r.id = s.resource_id
                   LEFT JOIN timebook_block blk ON blk.id = s.block_id
                   LEFT JOIN booking b ON false
                  WHERE s.starts_at > now()
                    AND s.date BETWEEN t.date - 7 AND t.date + 14
                    AND (s.status = 'FREE' OR (s.status = 'HELD' AND s.held_until <= now()))
                    AND NOT EXISTS (SELECT 1 FROM visit_type v WHERE v.id = ${a.visitTypeId}
                        AND cardinality(v.allowed_weekdays) > 0 AND NOT extract(isodow FROM s.date)::int = ANY (v.allowed_weekdays))
                  ORDER BY distance LIMIT 5) alt)
             END AS alternatives
        FROM (SELECT 1) AS one LEFT JOIN b ON true`);
    return {
      bookingId: row?.booking_id ?? null,
      target: row?.target ?? null,
      visitTypeOk: row?.vt_ok ?? false,
      alternatives: row?.alternatives ?? [],
    };
  }

  async bookingUnit(bookingId: string) {
    return this.db.one<{ unit_id: string; patient_id: string; status: string }>(
      sql`SELECT unit_id, patient_id, status::text FROM booking WHERE id = ${bookingId}`,
    );
  }

  async bookingDetails(bookingId: string) {
    return this.db.one<{
      id: string;
      slotId: string;
      unitId: string;
      status: string;
      createdAt: string;
      start: string;
      visitType: { id: string; name: string };
      patient: {
        id: string;
        personalIdentityNumber: string;
        identityType: string;
        firstName: string | null;
        lastName: string | null;
        protectedIdentity: boolean;
      };
      phone: string | null;
    }>(sql`
      SELECT b.id, b.slot_id AS "slotId", b.unit_id AS "unitId", b.status::text AS status, b.created_at AS "createdAt",
             s.starts_at AS start, b.phone,
             json_build_object('id', v.id, 'name', v.name) AS "visitType",
             json_build_object('id', p.id, 'personalIdentityNumber', p.identity_number, 'identityType', p.identity_type,
                               'firstName', p.first_name, 'lastName', p.last_name,
                               'protectedIdentity', p.protected_identity) AS patient
        FROM booking b JOIN slot s ON s.id = b.slot_id JOIN visit_type v ON v.id = b.visit_type_id
        JOIN patient p ON p.id = b.patient_id
       WHERE b.id = ${bookingId}`);
  }

  /**
   * Cancels an active booking and frees its slot (or returns it to its block), with version,
   * outbox and audit in the same statement. Returns null when there was no active booking.
   */
  async cancel(bookingId: string, actor: BookAttempt['actor'], reason: string | null) {
    return this.db.one<{ id: string; slot_id: string; unit_id: string }>(sql`
      WITH b AS (
        UPDATE booking SET status = 'CANCELLED', cancelled_at = now(), cancelled_by_id = ${actor.id}, cancel_reason = ${reason}
         WHERE id = ${bookingId} AND status = 'ACTIVE'
        RETURNING id, slot_id, unit_id, patient_id
      ), s AS (
        UPDATE slot SET status = CASE WHEN slot.block_id IS NULL THEN 'FREE'::"SlotStatus" ELSE 'BLOCKED'::"SlotStatus" END
          FROM b WHERE slot.id = b.slot_id
        RETURNING slot.id, slot.date, slot.starts_at, slot.resource_id, slot."column", slot.status::text AS status
      ), v AS (
        INSERT INTO topic_version (topic_key, version) SELECT 'timebook:' || b.unit_id, 1 FROM b
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'timebook', 'timebook:' || b.unit_id, v.version, 'booking.cancelled',
               json_build_object('unitId', b.unit_id, 'cause', 'booking.cancelled', 'bookingId', b.id, 'changes', json_build_array(
                 json_build_object('slotId', s.id, 'date', s.date, 'start', s.starts_at,
                   'resource', (SELECT kind FROM timebook_resource WHERE id = s.resource_id),
                   'column', s."column", 'from', 'BOOKED', 'to', s.status)))
          FROM b, v, s
        RETURNING id
      ), audit AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${actor.id}, ${actor.assignmentId}, b.unit_id, ${actor.role}::"Role", b.patient_id, 'booking.cancel',
               json_build_object('bookingId', b.id, 'reason', ${reason}::text)
          FROM b
        RETURNING id
      )
      SELECT b.id, b.slot_id, b.unit_id, (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o) AS notified,
             (SELECT count(*) FROM audit) AS audited
        FROM b`);
  }

  /** R14: hold a free slot for `minutes`; null when it is not free. */
  async hold(slotId: string, heldBy: string, minutes: number, unitId: string | null) {
    return this.db.one<{ hold_id: string; expires_at: string; unit_id: string }>(sql`
      WITH target AS (
        SELECT s.id, ${EFFECTIVE_STATUS} AS eff FROM slot s WHERE s.id = ${slotId}
      ), h AS (
        INSERT INTO slot_hold (slot_id, held_by, expires_at)
        SELECT t.id, ${heldBy}, now() + make_interval(mins => ${minutes}::int) FROM target t WHERE t.eff = 'FREE'
        RETURNING id, slot_id, expires_at
      ), s AS (
        UPDATE slot SET status = 'HELD', hold_id = h.id, held_until = h.expires_at
          FROM h
         WHERE slot.id = h.slot_id AND slot.starts_at > now()
           AND (${unitId}::text IS NULL OR slot.unit_id = ${unitId})
           AND (slot.status = 'FREE' OR (slot.status = 'HELD' AND slot.held_until <= now()))
        RETURNING slot.id, slot.unit_id, slot.date, slot.starts_at, slot.resource_id, slot."column", slot.held_until
      ), v AS (
        INSERT INTO topic_version (topic_key, version) SELECT 'timebook:' || s.unit_id, 1 FROM s
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'timebook', 'timebook:' || s.unit_id, v.version, 'hold.created',
               json_build_object('unitId', s.unit_id, 'cause', 'hold.created', 'changes', json_build_array(
                 json_build_object('slotId', s.id, 'date', s.date, 'start', s.starts_at,
                   'resource', (SELECT kind FROM timebook_resource WHERE id = s.resource_id),
                   'column', s."column", 'from', 'FREE', 'to', 'HELD', 'heldUntil', s.held_until)))
          FROM s, v
        RETURNING id
      )
      SELECT h.id AS hold_id, h.expires_at, s.unit_id, (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o) AS notified
        FROM h JOIN s ON s.id = h.slot_id`);
  }

  /** Releases holds: one (by its holder) or all expired ones. Pushes the release live. */
  async releaseHolds(filter: { holdId: string; heldBy: string } | { expired: true }) {
    const where =
      'holdId' in filter
        ? sql`s.hold_id = ${filter.holdId} AND s.status = 'HELD'
              AND EXISTS (SELECT 1 FROM slot_hold h WHERE h.id = s.hold_id AND h.held_by = ${filter.heldBy})`
        : sql`s.status = 'HELD' AND s.held_until <= now()`;
    const cause = 'holdId' in filter ? 'hold.released' : 'hold.expired';
    return this.db.query<{ unit_id: string; n: number }>(sql`
      WITH s AS (
        UPDATE slot s SET status = 'FREE', hold_id = NULL, held_until = NULL
         WHERE ${where}
        RETURNING s.id, s.unit_id, s.date, s.starts_at, s.resource_id, s."column", s.held_until, s.hold_id
      ), rel AS (
        UPDATE slot_hold SET released_at = now() WHERE id IN (
          SELECT h.id FROM slot_hold h JOIN s ON s.id = h.slot_id WHERE h.released_at IS NULL)
        RETURNING id
      ), per_unit AS (
        SELECT s.unit_id, json_agg(json_build_object('slotId', s.id, 'date', s.date, 'start', s.starts_at,
                 'resource', (SELECT kind FROM timebook_resource WHERE id = s.resource_id),
                 'column', s."column", 'from', 'HELD', 'to', 'FREE') ORDER BY s.starts_at) AS changes, count(*)::int AS n
          FROM s GROUP BY s.unit_id
      ), v AS (
        INSERT INTO topic_version (topic_key, version) SELECT 'timebook:' || unit_id, 1 FROM per_unit
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING topic_key, version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'timebook', v.topic_key, v.version, ${cause},
               json_build_object('unitId', p.unit_id, 'cause', ${cause}::text, 'changes', p.changes)
          FROM per_unit p JOIN v ON v.topic_key = 'timebook:' || p.unit_id
        RETURNING id
      )
      SELECT p.unit_id, p.n, (SELECT count(*) FROM rel) AS released,
             (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o LIMIT 1) AS notified
        FROM per_unit p`);
  }

  async slotUnit(slotId: string) {
    return this.db.one<{ unit_id: string }>(sql`SELECT unit_id FROM slot WHERE id = ${slotId}`);
  }
}

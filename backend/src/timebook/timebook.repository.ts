import type { ParsedIdentity } from '../patients/identity';
import { Injectable } from '@nestjs/common';
import type { DayCounts, SlotStatus, SlotView } from '../realtime/events';
import { DatabaseService } from '../infra/database.service';
import { OUTBOX_CHANNEL } from '../infra/outbox/outbox';
import type { IdempotencyKey } from '../infra/idempotency';
import { raw, Sql, sql } from '../infra/sql';
import { EFFECTIVE_STATUS, SLOT_VIEW_JSON, timebookKey } from './timebook.sql';

export interface BookAttempt {
  slotId: string;
  visitTypeId: string;
  /**
   * A known patient, or a Swedish identity number to find or register in the same statement
   * (registered only if the slot is won: a lost attempt leaves no patient behind). A protected-
   * identity patient given a phone is not booked (`protectedPhone` in the outcome, R3).
   */
  patient: { id: string } | { register: ParsedIdentity };
  phone: string | null;
  /** staff: only slots of this unit; citizens: null (any unit, web-bookable visit types only) */
  unitId: string | null;
  web: boolean;
  actor: { id: string; assignmentId: string | null; role: string | null };
  source: 'STAFF' | 'WEB' | 'SIMULATOR';
  /** base of links in SMS */
  publicUrl: string;
  /** the secret that signs the booking link in the confirmation (cancellation-notice.ts) */
  linkSecret: string;
  idempotency: IdempotencyKey | null;
  /** R10 rebooking: the booking this one replaces (history kept) */
  rebookedFrom?: string | null;
}

/** Runs a statement inside a caller's transaction (DatabaseService.tx). */
export type Exec = <R extends object>(q: Sql) => Promise<R[]>;

export interface BookOutcome {
  bookingId: string | null;
  /** R3: the patient has protected identity and a phone was given (nothing was written) */
  protectedPhone: boolean;
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

  async visitTypes(unitId: string, webOnly: boolean, includeRetired = false) {
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
             web_bookable AS "webBookable", allowed_weekdays AS "allowedWeekdays", duration_minutes AS "durationMinutes",
             retired_at AS "retiredAt"
        FROM visit_type
       WHERE unit_id = ${unitId} AND (retired_at IS NULL OR ${includeRetired}::boolean)
         AND (${webOnly}::boolean = false OR web_bookable)
       ORDER BY name`);
  }

  /**
   * R13 in one statement: take the slot if it is free (or held by this actor), insert the booking,
   * bump the unit's timebook version, write the outbox event and the audit row — or, if the slot
   * was lost, return why and the nearest free alternatives. The partial unique index on
   * booking(slot_id) WHERE status = 'ACTIVE' is the guarantee behind the conditional update.
   */
  async book(a: BookAttempt, exec?: Exec): Promise<BookOutcome> {
    type Row = {
      booking_id: string | null;
      protected_phone: boolean;
      target: BookOutcome['target'];
      vt_ok: boolean;
      alternatives: SlotView[] | null;
    };
    const reg = 'register' in a.patient ? a.patient.register : null;
    const known = 'id' in a.patient ? a.patient.id : null;
    const q = sql`
      WITH pfound AS (
        SELECT id, protected_identity FROM patient
         WHERE (${known}::text IS NOT NULL AND id = ${known}) OR (${known}::text IS NULL AND identity_number = ${reg?.number ?? null})
      ), target AS (
        SELECT s.id, s.unit_id, s.resource_id, s.date, s.starts_at, r.kind, s.status,
               ${EFFECTIVE_STATUS} AS eff, s.starts_at <= now() AS in_past
          FROM slot s JOIN timebook_resource r ON r.id = s.resource_id
         WHERE s.id = ${a.slotId}
      ), vt AS (
        SELECT v.id, v.allowed_weekdays FROM visit_type v, target t
         WHERE v.id = ${a.visitTypeId} AND v.unit_id = t.unit_id AND v.resource = t.kind AND v.retired_at IS NULL
           AND (cardinality(v.allowed_weekdays) = 0 OR extract(isodow FROM t.date)::int = ANY (v.allowed_weekdays))
           AND (${a.web}::boolean = false OR (v.web_bookable AND NOT EXISTS (
                SELECT 1 FROM timebook_day d WHERE d.unit_id = t.unit_id AND d.date = t.date AND d.web_booking_closed)))
      ), s AS (
        UPDATE slot SET status = 'BOOKED', hold_id = NULL, held_until = NULL
         WHERE id = ${a.slotId}
           AND (${a.unitId}::text IS NULL OR unit_id = ${a.unitId})
           AND starts_at > now()
           AND EXISTS (SELECT 1 FROM vt)
           AND NOT (${a.phone}::text IS NOT NULL AND EXISTS (SELECT 1 FROM pfound WHERE protected_identity))
           AND (${known}::text IS NULL OR EXISTS (SELECT 1 FROM pfound))
           AND (status = 'FREE'
                OR (status = 'HELD' AND (held_until <= now()
                    OR hold_id IN (SELECT h.id FROM slot_hold h WHERE h.slot_id = ${a.slotId} AND h.held_by = ${a.actor.id}))))
        RETURNING id, unit_id, date, starts_at, "column"
      ), pins AS (
        -- R1: a valid number not seen before is registered as the population register has it
        INSERT INTO patient (identity_number, identity_type, birth_date, sex, municipality_code)
        SELECT ${reg?.number ?? null}, ${reg?.type ?? null}::"IdentityType", ${reg?.birthDate ?? null}::date,
               ${reg?.sex ?? null}::"Sex",
               (SELECT municipality_code FROM population_register WHERE identity_number = ${reg?.number ?? null})
         WHERE ${reg?.number ?? null}::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pfound) AND EXISTS (SELECT 1 FROM s)
        ON CONFLICT (identity_number) DO NOTHING
        RETURNING id
      ), pat AS (
        SELECT id FROM pfound UNION ALL SELECT id FROM pins
      ), b AS (
        -- a registration lost to a concurrent one leaves no patient: patient_id NULL fails the
        -- statement (nothing written) and the caller tries again
        INSERT INTO booking (slot_id, unit_id, patient_id, visit_type_id, source, phone, booked_by_id, rebooked_from_id)
        SELECT s.id, s.unit_id, (SELECT id FROM pat), ${a.visitTypeId}, ${a.source}::"BookingSource", ${a.phone}, ${a.actor.id},
               ${a.rebookedFrom ?? null}::text FROM s
        RETURNING id, slot_id, unit_id, visit_type_id, patient_id
      ), conf AS (
        -- R18: the confirmation goes at once (no phone, protected identity or opt-out: none)
        INSERT INTO notification (dedupe_key, kind, patient_id, booking_id, to_phone, body)
        SELECT 'confirmation:' || b.id, 'BOOKING_CONFIRMATION', b.patient_id, b.id, ${a.phone},
               'Din tid ' || (ARRAY['mån','tis','ons','tors','fre','lör','sön'])[extract(isodow FROM s.starts_at)::int]
                 || ' ' || extract(day FROM s.starts_at)::int || ' '
                 || (ARRAY['jan.','feb.','mars','apr.','maj','juni','juli','aug.','sep.','okt.','nov.','dec.'])[extract(month FROM s.starts_at)::int]
                 || ' ' || to_char(s.starts_at, 'HH24:MI') || ' på '
                 || (SELECT name FROM unit WHERE id = b.unit_id) || ' är bokad. Avboka eller boka om: '
                 || ${a.publicUrl}::text || '/boka?ombokning=' || booking_link_token(b.id, ${a.linkSecret}::text)
          FROM b, s
         WHERE ${a.phone}::text IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM patient WHERE id = b.patient_id AND (sms_opt_out OR protected_identity))
        RETURNING id
      ), v AS (
        INSERT INTO topic_version (topic_key, version) SELECT 'timebook:' || b.unit_id, 1 FROM b
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'timebook', 'timebook:' || b.unit_id, v.version, 'booking.created',
               json_build_object('unitId', b.unit_id, 'cause', 'booking.created', 'changes', json_build_array(
                 json_build_object('slotId', s.id, 'date', s.date, 'start', s.starts_at, 'resource', t.kind,
                   'column', s."column", 'from', t.eff, 'to', 'BOOKED', 'bookingId', b.id, 'visitTypeId', b.visit_type_id)),
                 'enqueue', (SELECT json_agg(json_build_object('name', 'sms.send',
                               'data', json_build_object('notificationId', conf.id), 'jobId', 'sms-' || conf.id)) FROM conf))
          FROM b, v, s, target t
        RETURNING id
      ), audit AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${a.actor.id}, ${a.actor.assignmentId}, b.unit_id, ${a.actor.role}::"Role", b.patient_id, 'booking.create',
               json_build_object('bookingId', b.id, 'slotId', b.slot_id, 'source', ${a.source}::text)
          FROM b
        RETURNING id
      ), idem AS (
        INSERT INTO idempotency_record (scope, key, request_hash, status_code, response_body)
        SELECT ${a.idempotency?.scope ?? null}, ${a.idempotency?.key ?? null}, ${a.idempotency?.requestHash ?? null}, 201,
               json_build_object('id', b.id, 'slotId', b.slot_id, 'status', 'ACTIVE')
          FROM b WHERE ${a.idempotency?.key ?? null}::text IS NOT NULL
        RETURNING 1
      )
      SELECT b.id AS booking_id,
             (${a.phone}::text IS NOT NULL AND EXISTS (SELECT 1 FROM pfound WHERE protected_identity)) AS protected_phone,
             (SELECT json_build_object('unit_id', t.unit_id, 'status', t.eff, 'starts_at', t.starts_at, 'in_past', t.in_past)
                FROM target t) AS target,
             EXISTS (SELECT 1 FROM vt) AS vt_ok,
             (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o) AS notified,
             (SELECT count(*) FROM audit) AS audited, (SELECT count(*) FROM idem) AS remembered,
             CASE WHEN b.id IS NULL THEN (
               -- the 5 nearest free slots of the same resource; JSON is built for those 5 only
               SELECT coalesce(json_agg(${SLOT_VIEW_JSON} ORDER BY near.distance), '[]'::json) FROM (
                 -- walked outwards from the lost slot's time along the index of FREE slots (a rush's
                 -- many losers never scan the booked ones), plus any hold that has run out
                 SELECT c.id, abs(extract(epoch FROM c.starts_at - t.starts_at)) AS distance
                   FROM target t
                   LEFT JOIN visit_type v ON v.id = ${a.visitTypeId} AND cardinality(v.allowed_weekdays) > 0
                   CROSS JOIN LATERAL (
                     (SELECT s2.id, s2.starts_at FROM slot s2
                       WHERE s2.unit_id = t.unit_id AND s2.resource_id = t.resource_id AND s2.status = 'FREE'
                         AND s2.starts_at >= t.starts_at AND s2.starts_at > now() AND s2.id <> t.id
                         AND s2.date <= t.date + 14
                         AND (v.id IS NULL OR extract(isodow FROM s2.date)::int = ANY (v.allowed_weekdays))
                       ORDER BY s2.starts_at LIMIT 5)
                     UNION ALL
                     (SELECT s2.id, s2.starts_at FROM slot s2
                       WHERE s2.unit_id = t.unit_id AND s2.resource_id = t.resource_id AND s2.status = 'FREE'
                         AND s2.starts_at < t.starts_at AND s2.starts_at > now()
                         AND s2.date >= t.date - 7
                         AND (v.id IS NULL OR extract(isodow FROM s2.date)::int = ANY (v.allowed_weekdays))
                       ORDER BY s2.starts_at DESC LIMIT 5)
                     UNION ALL
                     (SELECT s2.id, s2.starts_at FROM slot s2
                       WHERE s2.status = 'HELD' AND s2.held_until <= now()
                         AND s2.unit_id = t.unit_id AND s2.resource_id = t.resource_id AND s2.id <> t.id
                         AND s2.starts_at > now() AND s2.date BETWEEN t.date - 7 AND t.date + 14
                         AND (v.id IS NULL OR extract(isodow FROM s2.date)::int = ANY (v.allowed_weekdays)))
                   ) c
                  ORDER BY distance LIMIT 5) near
                 JOIN slot s ON s.id = near.id
                 JOIN timebook_resource r ON r.id = s.resource_id
                 LEFT JOIN timebook_block blk ON blk.id = s.block_id
                 LEFT JOIN booking b ON false)
             END AS alternatives
        FROM (SELECT 1) AS one LEFT JOIN b ON true`;
    const row = exec ? (await exec<Row>(q))[0] : await this.db.one<Row>(q, 'timebook.book');
    return {
      bookingId: row?.booking_id ?? null,
      protectedPhone: row?.protected_phone ?? false,
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

  /** What a cancellation SMS needs about each booking (only active ones). */
  async cancellable(filter: { bookingId: string } | { massCancellationId: string; limit: number }) {
    const where =
      'bookingId' in filter
        ? sql`b.id = ${filter.bookingId}`
        : sql`b.unit_id = mc.unit_id AND s.date = mc.date
              AND (mc.from_time IS NULL OR to_char(s.starts_at, 'HH24:MI') >= mc.from_time)
              AND (mc.to_time IS NULL OR to_char(s.starts_at, 'HH24:MI') < mc.to_time)
              AND (mc.visit_type_id IS NULL OR b.visit_type_id = mc.visit_type_id)`;
    const from =
      'bookingId' in filter
        ? raw('')
        : sql`JOIN mass_cancellation mc ON mc.id = ${filter.massCancellationId}`;
    const limit = 'bookingId' in filter ? 1 : filter.limit;
    return this.db.query<{
      booking_id: string;
      unit_id: string;
      unit_name: string;
      starts_at: Date;
      phone: string | null;
      protected_identity: boolean;
      sms_opt_out: boolean;
    }>(sql`
      SELECT b.id AS booking_id, b.unit_id, u.name AS unit_name, s.starts_at,
             coalesce(b.phone, p.phone) AS phone, p.protected_identity, p.sms_opt_out
        FROM booking b JOIN slot s ON s.id = b.slot_id JOIN unit u ON u.id = b.unit_id JOIN patient p ON p.id = b.patient_id
        ${from}
       WHERE b.status = 'ACTIVE' AND ${where} AND (${'bookingId' in filter}::boolean OR s.starts_at > now())
       ORDER BY s.starts_at, b.id
       LIMIT ${limit}`);
  }

  /**
   * Cancels active bookings of one unit in one statement: bookings, their slots (freed, or back
   * to their block), one notification each under a unique key, the unit's timebook version and
   * outbox event (which carries the SMS jobs to enqueue after commit), the mass cancellation's
   * progress, and audit rows. Bookings no longer active are skipped, so a retry does nothing twice.
   */
  async cancelBookings(
    c: {
      unitId: string;
      bookingIds: string[];
      notices: Array<{ bookingId: string; toPhone: string; body: string }>;
      actor: BookAttempt['actor'];
      reason: string | null;
      massCancellationId: string | null;
      jobId: string | null;
    },
    exec?: Exec,
  ): Promise<{ cancelled: number; done: number | null; total: number | null }> {
    type Row = { cancelled: number; done: number | null; total: number | null };
    const q = sql`
      WITH n AS (
        SELECT * FROM unnest(${c.notices.map((x) => x.bookingId)}::text[], ${c.notices.map((x) => x.toPhone)}::text[],
                             ${c.notices.map((x) => x.body)}::text[]) AS n(booking_id, to_phone, body)
      ), b AS (
        UPDATE booking SET status = 'CANCELLED', cancelled_at = now(), cancelled_by_id = ${c.actor.id},
                           cancel_reason = ${c.reason}, mass_cancellation_id = ${c.massCancellationId}
         WHERE id = ANY (${c.bookingIds}::text[]) AND unit_id = ${c.unitId} AND status = 'ACTIVE'
        RETURNING id, slot_id, unit_id, patient_id
      ), s AS (
        -- a mass cancellation closes its slots (the day cannot be served); a single one frees it
        UPDATE slot SET status = CASE WHEN slot.block_id IS NULL AND ${c.massCancellationId}::text IS NULL
                                      THEN 'FREE'::"SlotStatus" ELSE 'BLOCKED'::"SlotStatus" END
          FROM b WHERE slot.id = b.slot_id
        RETURNING slot.id, slot.date, slot.starts_at, slot.resource_id, slot."column", slot.status::text AS status, b.id AS booking_id
      ), notif AS (
        INSERT INTO notification (dedupe_key, kind, patient_id, booking_id, campaign_id, to_phone, body)
        SELECT 'cancellation:' || b.id, 'CANCELLATION', b.patient_id, b.id, ${c.massCancellationId}, n.to_phone, n.body
          FROM b JOIN n ON n.booking_id = b.id
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id
      ), mc AS (
        UPDATE mass_cancellation
           SET done = done + (SELECT count(*) FROM b), total = greatest(total, done + (SELECT count(*) FROM b)), status = 'RUNNING'
         WHERE id = ${c.massCancellationId}
        RETURNING done, total
      ), v AS (
        INSERT INTO topic_version (topic_key, version)
        SELECT ${`timebook:${c.unitId}`}, 1 WHERE EXISTS (SELECT 1 FROM s)
        UNION ALL SELECT ${`jobs:${c.unitId}`}, 1 WHERE ${c.massCancellationId}::text IS NOT NULL
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING topic_key, version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'timebook', v.topic_key, v.version, 'booking.cancelled',
               json_build_object('unitId', ${c.unitId}::text,
                 'cause', CASE WHEN ${c.massCancellationId}::text IS NULL THEN 'booking.cancelled' ELSE 'mass-cancellation' END,
                 'changes', (SELECT json_agg(json_build_object('slotId', s.id, 'date', s.date, 'start', s.starts_at,
                               'resource', (SELECT kind FROM timebook_resource WHERE id = s.resource_id),
                               'column', s."column", 'from', 'BOOKED', 'to', s.status, 'bookingId', s.booking_id)) FROM s),
                 'enqueue', (SELECT coalesce(json_agg(json_build_object('name', 'sms.send',
                               'data', json_build_object('notificationId', notif.id), 'jobId', 'sms-' || notif.id)), '[]'::json)
                               FROM notif))
          FROM v WHERE v.topic_key LIKE 'timebook:%'
        UNION ALL
        SELECT 'jobs', v.topic_key, v.version, 'job.progress',
               json_build_object('unitId', ${c.unitId}::text, 'jobId', ${c.jobId}::text, 'queue', 'timebook',
                 'name', 'timebook.mass-cancel', 'state', 'active',
                 'progress', (SELECT json_build_object('done', done, 'total', total) FROM mc))
          FROM v WHERE v.topic_key LIKE 'jobs:%'
        RETURNING id
      ), audit AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${c.actor.id}, ${c.actor.assignmentId}, b.unit_id, ${c.actor.role}::"Role", b.patient_id, 'booking.cancel',
               json_build_object('bookingId', b.id, 'reason', ${c.reason}::text, 'massCancellationId', ${c.massCancellationId}::text)
          FROM b
        RETURNING id
      )
      SELECT (SELECT count(*) FROM b)::int AS cancelled, (SELECT done FROM mc) AS done, (SELECT total FROM mc) AS total,
             (SELECT count(*) FROM audit) AS audited, (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o LIMIT 1) AS notified`;
    const row = exec ? (await exec<Row>(q))[0] : await this.db.one<Row>(q);
    return { cancelled: row?.cancelled ?? 0, done: row?.done ?? null, total: row?.total ?? null };
  }

  /**
   * R14: hold a free slot for `minutes`; null when it is not free. With `onlyOne`, a holder
   * (a citizen) keeps at most one active hold: taking a new one releases the old. With
   * `anyColumn`, the first free column at the slot's time is held instead (R10: citizens pick a
   * time, not a column).
   */
  async hold(
    slotId: string,
    heldBy: string,
    minutes: number,
    unitId: string | null,
    onlyOne: boolean,
    anyColumn = false,
  ) {
    return this.db.one<{ hold_id: string; expires_at: string; unit_id: string; slot_id: string }>(sql`
      WITH newhold AS (
        SELECT gen_random_uuid()::text AS id, now() + make_interval(secs => ${minutes * 60}::float8) AS expires_at
      ), s AS (
        UPDATE slot SET status = 'HELD', hold_id = newhold.id, held_until = newhold.expires_at
          FROM newhold
         WHERE slot.id = (CASE WHEN ${anyColumn}::boolean THEN (
                 -- R10: the first free column at that time (SKIP LOCKED: concurrent holders spread out)
                 SELECT s2.id FROM slot s0 JOIN slot s2 ON s2.resource_id = s0.resource_id AND s2.starts_at = s0.starts_at
                  WHERE s0.id = ${slotId} AND (s2.status = 'FREE' OR (s2.status = 'HELD' AND s2.held_until <= now()))
                  ORDER BY s2."column" LIMIT 1 FOR UPDATE OF s2 SKIP LOCKED)
               ELSE ${slotId} END)
           AND slot.starts_at > now()
           AND (${unitId}::text IS NULL OR slot.unit_id = ${unitId})
           AND (slot.status = 'FREE' OR (slot.status = 'HELD' AND slot.held_until <= now()))
        RETURNING slot.id, slot.unit_id, slot.date, slot.starts_at, slot.resource_id, slot."column", slot.held_until, slot.hold_id
      ), h AS (
        INSERT INTO slot_hold (id, slot_id, held_by, expires_at)
        SELECT s.hold_id, s.id, ${heldBy}, s.held_until FROM s
        RETURNING id, slot_id, expires_at
      ), prev AS (
        -- the holder's earlier active hold, released in the same statement
        UPDATE slot SET status = 'FREE', hold_id = NULL, held_until = NULL
         WHERE ${onlyOne}::boolean AND EXISTS (SELECT 1 FROM s) AND slot.id NOT IN (SELECT id FROM s)
           AND slot.status = 'HELD' AND slot.held_until > now()
           AND slot.hold_id IN (SELECT id FROM slot_hold WHERE held_by = ${heldBy} AND released_at IS NULL)
        RETURNING slot.id, slot.unit_id, slot.date, slot.starts_at, slot.resource_id, slot."column"
      ), changes AS (
        SELECT s.unit_id, json_build_object('slotId', s.id, 'date', s.date, 'start', s.starts_at,
                 'resource', (SELECT kind FROM timebook_resource WHERE id = s.resource_id),
                 'column', s."column", 'from', 'FREE', 'to', 'HELD', 'heldUntil', s.held_until) AS change FROM s
        UNION ALL
        SELECT p.unit_id, json_build_object('slotId', p.id, 'date', p.date, 'start', p.starts_at,
                 'resource', (SELECT kind FROM timebook_resource WHERE id = p.resource_id),
                 'column', p."column", 'from', 'HELD', 'to', 'FREE') FROM prev p
      ), v AS (
        INSERT INTO topic_version (topic_key, version) SELECT DISTINCT 'timebook:' || unit_id, 1 FROM changes
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING topic_key, version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'timebook', v.topic_key, v.version, 'hold.created',
               json_build_object('unitId', substr(v.topic_key, 10), 'cause', 'hold.created',
                 'changes', (SELECT json_agg(c.change) FROM changes c WHERE 'timebook:' || c.unit_id = v.topic_key),
                 -- R14: the release is pushed the moment the hold runs out (one job per second of expiry),
                 -- not at the next periodic sweep
                 'enqueue', (SELECT json_build_array(json_build_object('name', 'timebook.release-expired-holds',
                               'data', '{}'::json, 'runAt', s.held_until + interval '200 milliseconds',
                               'jobId', 'hold-expiry-' || ceil(extract(epoch FROM s.held_until))::bigint))
                               FROM s WHERE 'timebook:' || s.unit_id = v.topic_key))
          FROM v
        RETURNING id
      )
      SELECT h.id AS hold_id, h.expires_at, s.unit_id, s.id AS slot_id,
             (SELECT count(*) FROM prev) AS released, (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o LIMIT 1) AS notified
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

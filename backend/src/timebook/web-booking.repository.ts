import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../infra/database.service';
import { sql } from '../infra/sql';

/** What a citizen may see of a bookable time: never who else booked, never a column (R10). */
export interface WebTime {
  /** the first free slot at that time; holding it may take another free column at the same time */
  slotId: string;
  start: string;
  end: string;
  /** free columns at that time */
  free: number;
}

export interface BookingSummary {
  id: string;
  status: string;
  start: string;
  end: string;
  unitId: string;
  unitName: string;
  unitAddress: string | null;
  visitTypeId: string;
  visitTypeName: string;
  doseNumber: number | null;
  rebookedFromId: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  createdAt: string;
}

const SUMMARY = sql`
  SELECT b.id, b.status::text AS status, s.starts_at AS start, s.ends_at AS "end", b.unit_id AS "unitId",
         u.name AS "unitName", u.address AS "unitAddress", b.visit_type_id AS "visitTypeId", v.name AS "visitTypeName",
         v.dose_number AS "doseNumber", b.rebooked_from_id AS "rebookedFromId", b.cancelled_at AS "cancelledAt",
         b.cancel_reason AS "cancelReason", b.created_at AS "createdAt"
    FROM booking b JOIN slot s ON s.id = b.slot_id JOIN unit u ON u.id = b.unit_id JOIN visit_type v ON v.id = b.visit_type_id`;

/**
 * The citizen side of the timebook (`/boka`): units that take web bookings, free times per day
 * for one visit type, a person's own bookings, and the eligibility facts the rules need.
 */
@Injectable()
export class WebBookingRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Units with at least one web-bookable visit type, with their municipality's name. */
  async units() {
    return this.db.query<{
      id: string;
      name: string;
      address: string | null;
      municipalityCode: string;
      municipalityName: string;
      visitTypes: Array<{
        id: string;
        name: string;
        doseNumber: number | null;
        productId: string | null;
        diseaseArea: string | null;
      }>;
    }>(sql`
      SELECT u.id, u.name, u.address, u.municipality_code AS "municipalityCode", m.name AS "municipalityName",
             json_agg(json_build_object('id', v.id, 'name', v.name, 'doseNumber', v.dose_number, 'productId', v.product_id,
                                        'diseaseArea', pr.disease_area)
                      ORDER BY v.name) AS "visitTypes"
        FROM unit u JOIN municipality m ON m.code = u.municipality_code
        JOIN visit_type v ON v.unit_id = u.id AND v.web_bookable AND v.retired_at IS NULL
        LEFT JOIN product pr ON pr.id = v.product_id
       GROUP BY u.id, m.name
       ORDER BY m.name, u.name`);
  }

  /** Slots a web booking of this visit type may take: its resource, weekdays, open web days, not past. */
  private webSlots(unitId: string, visitTypeId: string) {
    return sql`
      slot s
      JOIN timebook_resource r ON r.id = s.resource_id
      JOIN visit_type v ON v.id = ${visitTypeId} AND v.unit_id = s.unit_id AND v.resource = r.kind
                       AND v.web_bookable AND v.retired_at IS NULL
     WHERE s.unit_id = ${unitId} AND s.starts_at > now()
       AND (cardinality(v.allowed_weekdays) = 0 OR extract(isodow FROM s.date)::int = ANY (v.allowed_weekdays))
       AND NOT EXISTS (SELECT 1 FROM timebook_day d WHERE d.unit_id = s.unit_id AND d.date = s.date AND d.web_booking_closed)`;
  }

  /**
   * Per day in [from, to]: how many times are open on the web for this visit type, and how many
   * of them still have a free column (0 open = closed that day; 0 free of some = fully booked).
   */
  async days(unitId: string, visitTypeId: string, from: string, to: string) {
    return this.db.query<{ date: string; open: number; free: number }>(sql`
      SELECT to_char(g.day, 'YYYY-MM-DD') AS date, coalesce(f.open, 0)::int AS open, coalesce(f.free, 0)::int AS free
        FROM generate_series(${from}::date, ${to}::date, interval '1 day') AS g(day)
        LEFT JOIN (
          SELECT s.date, count(DISTINCT s.starts_at) AS open,
                 count(DISTINCT s.starts_at) FILTER (
                   WHERE s.status = 'FREE' OR (s.status = 'HELD' AND s.held_until <= now())) AS free
            FROM ${this.webSlots(unitId, visitTypeId)}
             AND s.date BETWEEN ${from}::date AND ${to}::date
           GROUP BY s.date) f ON f.date = g.day::date
       ORDER BY g.day`);
  }

  /** Free times of one day (one row per start time, R10: the first free column stands for it). */
  async times(unitId: string, visitTypeId: string, date: string): Promise<WebTime[]> {
    return this.db.query<WebTime>(sql`
      SELECT (array_agg(s.id ORDER BY s."column"))[1] AS "slotId", s.starts_at AS start, min(s.ends_at) AS "end",
             count(*)::int AS free
        FROM ${this.webSlots(unitId, visitTypeId)}
         AND s.date = ${date}::date
         AND (s.status = 'FREE' OR (s.status = 'HELD' AND s.held_until <= now()))
       GROUP BY s.starts_at
       ORDER BY s.starts_at`);
  }

  async visitType(visitTypeId: string) {
    return this.db.one<{
      id: string;
      unit_id: string;
      dose_number: number | null;
      product_id: string | null;
      disease_area: string | null;
      product_name: string | null;
      web_bookable: boolean;
      retired: boolean;
    }>(sql`
      SELECT v.id, v.unit_id, v.dose_number, v.product_id, p.disease_area, p.name AS product_name,
             v.web_bookable, v.retired_at IS NOT NULL AS retired
        FROM visit_type v LEFT JOIN product p ON p.id = v.product_id WHERE v.id = ${visitTypeId}`);
  }

  /** The highest dose on record (historical doses count, voided do not) in a disease area. */
  async highestDose(patientId: string, diseaseArea: string): Promise<number> {
    const row = await this.db.one<{ dose: number | null }>(sql`
      SELECT max(vac.dose_number) AS dose
        FROM vaccination vac JOIN product p ON p.id = vac.product_id
       WHERE vac.patient_id = ${patientId} AND vac.status = 'GIVEN' AND p.disease_area = ${diseaseArea}`);
    return row?.dose ?? 0;
  }

  /** A patient's bookings, newest first; staff see their unit's only (R8). */
  async bookingsOf(patientId: string, unitId: string | null): Promise<BookingSummary[]> {
    return this.db.query<BookingSummary>(sql`
      ${SUMMARY}
       WHERE b.patient_id = ${patientId} AND (${unitId}::text IS NULL OR b.unit_id = ${unitId})
       ORDER BY s.starts_at DESC
       LIMIT 200`);
  }

  async summary(bookingId: string): Promise<(BookingSummary & { patientId: string }) | undefined> {
    return this.db.one(sql`
      SELECT x.*, b2.patient_id AS "patientId" FROM (${SUMMARY} WHERE b.id = ${bookingId}) x
        JOIN booking b2 ON b2.id = x.id`);
  }

  /** The chain of bookings this one replaced (R10 rebooking keeps the history), oldest last. */
  async history(bookingId: string): Promise<BookingSummary[]> {
    return this.db.query<BookingSummary>(sql`
      WITH RECURSIVE chain(id, depth) AS (
        SELECT rebooked_from_id, 1 FROM booking WHERE id = ${bookingId} AND rebooked_from_id IS NOT NULL
        UNION ALL
        SELECT b.rebooked_from_id, c.depth + 1 FROM chain c JOIN booking b ON b.id = c.id
         WHERE b.rebooked_from_id IS NOT NULL AND c.depth < 50
      )
      SELECT x.* FROM chain c JOIN (${SUMMARY}) x ON x.id = c.id ORDER BY c.depth`);
  }
}

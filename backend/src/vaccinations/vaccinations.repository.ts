import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../infra/database.service';
import { OUTBOX_CHANNEL } from '../infra/outbox/outbox';
import type { IdempotencyKey } from '../infra/idempotency';
import { sql } from '../infra/sql';

export interface Administration {
  patientId: string;
  productId: string;
  batchId: string;
  doseNumber: number;
  unitId: string;
  regionId: string;
  careProviderId: string;
  actor: { userId: string; assignmentId: string; role: string };
  idempotency: IdempotencyKey | null;
  /** R9/R20: the prescription this dose gives; null = any matching active one of the provider */
  prescriptionId: string | null;
  /** a NURSE (or a named prescription) needs one: without it nothing is taken from stock */
  requirePrescription: boolean;
}

/**
 * R21, R25 in one statement: the vaccination, one dose out of the unit's stock (never below zero),
 * the multi-dose vial it came from (an open one, or a newly opened one), the ledger entry, the
 * stock topics' versions and events, and the audit row.
 */
@Injectable()
export class VaccinationsRepository {
  constructor(private readonly db: DatabaseService) {}

  async administer(a: Administration) {
    // Lock the balance row first: the statement below then starts with a snapshot that sees a
    // vial another administration opened while this one waited (else both would open one).
    return this.db.tx(async (q) => {
      await q(
        sql`SELECT 1 FROM stock_balance WHERE unit_id = ${a.unitId} AND batch_id = ${a.batchId} FOR UPDATE`,
      );
      const [row] = await q<{
        id: string;
        balance: number;
        row_version: number;
        vial_doses_left: number | null;
        prescription_id: string | null;
      }>(
        sql`
      WITH pre AS (
        -- the active prescription of this dose (R20), locked: given at most once
        SELECT pr.id FROM prescription pr JOIN unit pu ON pu.id = pr.unit_id
         WHERE pr.status = 'ACTIVE' AND pr.patient_id = ${a.patientId} AND pr.product_id = ${a.productId}
           AND pr.dose_number = ${a.doseNumber} AND pu.care_provider_id = ${a.careProviderId}
           AND (${a.prescriptionId}::text IS NULL OR pr.id = ${a.prescriptionId})
         ORDER BY pr.created_at LIMIT 1
           FOR UPDATE OF pr
      ), prod AS (
        SELECT p.doses_per_vial FROM product p JOIN batch b ON b.product_id = p.id
         WHERE b.id = ${a.batchId} AND p.id = ${a.productId} AND b.expires_on >= current_date
      ), upd AS (
        UPDATE stock_balance SET doses = doses - 1, row_version = row_version + 1, updated_at = now()
         WHERE unit_id = ${a.unitId} AND batch_id = ${a.batchId} AND doses >= 1 AND EXISTS (SELECT 1 FROM prod)
           AND (NOT ${a.requirePrescription}::boolean OR EXISTS (SELECT 1 FROM pre))
        RETURNING doses, row_version
      ), presc AS (
        UPDATE prescription SET status = 'ADMINISTERED'
         WHERE id = (SELECT id FROM pre) AND EXISTS (SELECT 1 FROM upd)
        RETURNING id
      ), open_vial AS (
        UPDATE opened_vial SET doses_remaining = doses_remaining - 1
         WHERE id = (SELECT id FROM opened_vial WHERE unit_id = ${a.unitId} AND batch_id = ${a.batchId}
                        AND closed_at IS NULL AND doses_remaining > 0 AND opened_at::date = current_date
                      ORDER BY opened_at LIMIT 1 FOR UPDATE SKIP LOCKED)
           AND EXISTS (SELECT 1 FROM upd)
        RETURNING doses_remaining
      ), new_vial AS (
        INSERT INTO opened_vial (unit_id, batch_id, doses_remaining)
        SELECT ${a.unitId}, ${a.batchId}, prod.doses_per_vial - 1 FROM prod
         WHERE prod.doses_per_vial > 1 AND EXISTS (SELECT 1 FROM upd) AND NOT EXISTS (SELECT 1 FROM open_vial)
        RETURNING doses_remaining
      ), vac AS (
        INSERT INTO vaccination (patient_id, product_id, batch_id, dose_number, given_at, given_on, unit_id, care_provider_id,
                                 administered_by_id, prescription_id)
        SELECT ${a.patientId}, ${a.productId}, ${a.batchId}, ${a.doseNumber}, now(), current_date, ${a.unitId},
               ${a.careProviderId}, ${a.actor.userId}, (SELECT id FROM presc)
          FROM upd
        RETURNING id
      ), led AS (
        INSERT INTO stock_movement (unit_id, batch_id, kind, delta, balance_after, user_id, assignment_id, vaccination_id)
        SELECT ${a.unitId}, ${a.batchId}, 'ADMINISTERED', -1, upd.doses, ${a.actor.userId}, ${a.actor.assignmentId}, vac.id
          FROM upd, vac
        RETURNING id
      ), v AS (
        INSERT INTO topic_version (topic_key, version)
        SELECT ${`stock:${a.unitId}`}, 1 WHERE EXISTS (SELECT 1 FROM upd)
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING topic_key, version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'stock', v.topic_key, v.version, 'vaccination.given',
               json_build_object('unitId', ${a.unitId}::text, 'cause', 'vaccination.given',
                 'balances', json_build_array(json_build_object('batchId', ${a.batchId}::text, 'doses', upd.doses,
                                                                'rowVersion', upd.row_version)))
          FROM v, upd
        RETURNING id
      ), audit AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${a.actor.userId}, ${a.actor.assignmentId}, ${a.unitId}, ${a.actor.role}::"Role", ${a.patientId},
               'vaccination.administer', json_build_object('vaccinationId', vac.id, 'batchId', ${a.batchId}::text,
                                                           'prescriptionId', (SELECT id FROM presc))
          FROM vac
        RETURNING id
      ), idem AS (
        -- a retried POST must not give a second dose: the first answer is kept under its key
        INSERT INTO idempotency_record (scope, key, request_hash, status_code, response_body)
        SELECT ${a.idempotency?.scope ?? null}, ${a.idempotency?.key ?? null}, ${a.idempotency?.requestHash ?? null}, 201,
               json_build_object('id', vac.id, 'patientId', ${a.patientId}::text, 'batchId', ${a.batchId}::text,
                 'doseNumber', ${a.doseNumber}::int, 'prescriptionId', (SELECT id FROM presc),
                 'stock', json_build_object('batchId', ${a.batchId}::text, 'doses', upd.doses, 'rowVersion', upd.row_version),
                 'openVialDosesLeft', coalesce((SELECT doses_remaining FROM open_vial), (SELECT doses_remaining FROM new_vial)))
          FROM vac, upd WHERE ${a.idempotency?.key ?? null}::text IS NOT NULL
        RETURNING 1
      )
      SELECT vac.id, upd.doses AS balance, upd.row_version, (SELECT id FROM presc) AS prescription_id,
             coalesce((SELECT doses_remaining FROM open_vial), (SELECT doses_remaining FROM new_vial)) AS vial_doses_left,
             (SELECT count(*) FROM led) AS ledger, (SELECT count(*) FROM audit) AS audited,
             (SELECT count(*) FROM idem) AS remembered,
             (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o LIMIT 1) AS notified
        FROM vac, upd`,
      );
      return row;
    });
  }

  /** Whether the dose has an active prescription at the caller's care provider (R9). */
  async activePrescription(a: {
    patientId: string;
    productId: string;
    doseNumber: number;
    careProviderId: string;
    prescriptionId: string | null;
  }) {
    return this.db.one<{ id: string }>(sql`
      SELECT pr.id FROM prescription pr JOIN unit pu ON pu.id = pr.unit_id
       WHERE pr.status = 'ACTIVE' AND pr.patient_id = ${a.patientId} AND pr.product_id = ${a.productId}
         AND pr.dose_number = ${a.doseNumber} AND pu.care_provider_id = ${a.careProviderId}
         AND (${a.prescriptionId}::text IS NULL OR pr.id = ${a.prescriptionId})
       LIMIT 1`);
  }

  /** Why an administration did not happen: the batch's product, expiry and the unit's balance. */
  async diagnose(unitId: string, batchId: string) {
    return this.db.one<{ product_id: string; expired: boolean; doses: number | null }>(sql`
      SELECT b.product_id, b.expires_on < current_date AS expired,
             (SELECT doses FROM stock_balance WHERE unit_id = ${unitId} AND batch_id = b.id) AS doses
        FROM batch b WHERE b.id = ${batchId}`);
  }

  /**
   * R25: at a unit's day end, the doses left in its opened vials become open-vial wastage. One
   * statement per unit: vials closed, balances reduced, ledger entries, versions, events — a
   * second run finds no open vial and does nothing.
   */
  async closeOpenVials(unitId: string) {
    return this.db.one<{ closed: number; wasted: number }>(sql`
      WITH closed AS (
        UPDATE opened_vial SET closed_at = now()
         WHERE unit_id = ${unitId} AND closed_at IS NULL
        RETURNING batch_id, doses_remaining
      ), per_batch AS (
        SELECT batch_id, sum(doses_remaining)::int AS doses FROM closed WHERE doses_remaining > 0 GROUP BY batch_id
      ), w AS (
        -- never more than the balance holds (a count may have corrected it meanwhile)
        SELECT pb.batch_id, least(pb.doses, cur.doses) AS wasted
          FROM per_batch pb JOIN stock_balance cur ON cur.unit_id = ${unitId} AND cur.batch_id = pb.batch_id
           FOR UPDATE OF cur
      ), upd AS (
        UPDATE stock_balance sb SET doses = sb.doses - w.wasted, row_version = sb.row_version + 1, updated_at = now()
          FROM w
         WHERE sb.unit_id = ${unitId} AND sb.batch_id = w.batch_id
        RETURNING sb.batch_id, sb.doses, sb.row_version, w.wasted
      ), led AS (
        INSERT INTO stock_movement (unit_id, batch_id, kind, delta, balance_after, reason, note)
        SELECT ${unitId}, upd.batch_id, 'WASTAGE', -upd.wasted, upd.doses, 'OPEN_VIAL_TIME_LIMIT', 'Dagens slut: öppnade flaskor'
          FROM upd WHERE upd.wasted > 0
        RETURNING id
      ), v AS (
        INSERT INTO topic_version (topic_key, version)
        SELECT ${`stock:${unitId}`}, 1 WHERE EXISTS (SELECT 1 FROM upd)
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING topic_key, version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'stock', v.topic_key, v.version, 'stock.open-vials-closed',
               json_build_object('unitId', ${unitId}::text, 'cause', 'stock.open-vials-closed',
                 'balances', (SELECT json_agg(json_build_object('batchId', batch_id, 'doses', doses, 'rowVersion', row_version)) FROM upd))
          FROM v
        RETURNING id
      )
      SELECT (SELECT count(*) FROM closed)::int AS closed, coalesce((SELECT sum(wasted) FROM upd), 0)::int AS wasted,
             (SELECT count(*) FROM led) AS ledger, (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o LIMIT 1) AS notified`);
  }

  /** Units whose day has ended (local time) and that still have opened vials. */
  async unitsPastDayEnd() {
    return this.db.query<{ id: string }>(sql`
      SELECT u.id FROM unit u
       WHERE EXISTS (SELECT 1 FROM opened_vial ov WHERE ov.unit_id = u.id AND ov.closed_at IS NULL
                        AND (ov.opened_at::date < current_date OR to_char(now(), 'HH24:MI') >= u.day_ends_at))`);
  }
}

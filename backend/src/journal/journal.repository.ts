import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../infra/database.service';
import { Sql, sql } from '../infra/sql';

export interface Actor {
  userId: string | null;
  assignmentId: string | null;
  unitId: string | null;
  role: string | null;
}

/** A dose as staff see it, with who owns it (R7/R8) and whether the caller may see it. */
export interface DoseRow {
  id: string;
  patient_id: string;
  dose_number: number;
  given_at: string;
  given_on: string;
  historical: boolean;
  comment: string | null;
  status: 'GIVEN' | 'VOIDED';
  voided_at: string | null;
  void_reason: string | null;
  sealed_by_provider: boolean;
  revision: number;
  product_id: string;
  product_name: string;
  atc_code: string;
  batch_id: string | null;
  batch_number: string | null;
  unit_id: string | null;
  unit_name: string | null;
  recorded_unit_name: string | null;
  owner_provider_id: string | null;
  owner_provider_name: string | null;
  administered_by: string | null;
  prescription_id: string | null;
  /** own: the caller's care provider (or no owner); consented / hidden / blocked: another provider */
  access: 'own' | 'consented' | 'hidden' | 'blocked';
}

export interface PrescriptionRow {
  id: string;
  patient_id: string;
  unit_id: string;
  unit_name: string;
  product_id: string;
  product_name: string;
  dose_number: number;
  disease_area: string;
  status: 'ACTIVE' | 'ADMINISTERED' | 'VOIDED';
  declaration_id: string | null;
  prescribed_by: string | null;
  replaces_id: string | null;
  voided_at: string | null;
  void_reason: string | null;
  created_at: string;
  access: 'own' | 'consented' | 'hidden' | 'blocked';
}

export interface DeclarationRow {
  id: string;
  patient_id: string;
  disease_area: string;
  answers: Record<string, boolean>;
  flags: string[];
  comment: string | null;
  source: 'CITIZEN' | 'STAFF';
  unit_name: string | null;
  filled_by: string | null;
  booking_id: string | null;
  created_at: string;
}

/**
 * R7/R8 in SQL: a row owned by the caller's care provider (or by nobody: a historical dose from
 * the seed) is the caller's own; another provider's row shows only with an open consent and
 * never when the patient has blocked that provider.
 */
const accessOf = (owner: Sql, patient: Sql, cp: string) => sql`
  CASE
    WHEN ${owner} IS NULL OR ${owner} = ${cp} THEN 'own'
    WHEN EXISTS (SELECT 1 FROM provider_block pb WHERE pb.patient_id = ${patient} AND pb.care_provider_id = ${owner}
                    AND pb.lifted_at IS NULL) THEN 'blocked'
    WHEN EXISTS (SELECT 1 FROM cross_provider_consent c WHERE c.patient_id = ${patient} AND c.care_provider_id = ${cp}
                    AND c.revoked_at IS NULL) THEN 'consented'
    ELSE 'hidden'
  END`;

@Injectable()
export class JournalRepository {
  constructor(private readonly db: DatabaseService) {}

  async patient(patientId: string) {
    return this.db.one<{
      id: string;
      identity_number: string;
      identity_type: string;
      first_name: string | null;
      last_name: string | null;
      birth_date: string | null;
      sex: string;
      protected_identity: boolean;
      sealed: boolean;
    }>(sql`
      SELECT id, identity_number, identity_type::text, first_name, last_name, birth_date, sex::text,
             protected_identity, sealed
        FROM patient WHERE id = ${patientId}`);
  }

  async doses(patientId: string, careProviderId: string) {
    return this.db.query<DoseRow>(sql`
      SELECT v.id, v.patient_id, v.dose_number, v.given_at, v.given_on, v.historical, v.comment, v.status::text,
             v.voided_at, v.void_reason, v.sealed_by_provider, v.revision,
             p.id AS product_id, p.name AS product_name, p.atc_code, v.batch_id, b.batch_number,
             v.unit_id, u.name AS unit_name, ru.name AS recorded_unit_name,
             cp.id AS owner_provider_id, cp.name AS owner_provider_name, au.name AS administered_by,
             v.prescription_id,
             ${accessOf(sql`cp.id`, sql`v.patient_id`, careProviderId)} AS access
        FROM vaccination v
        JOIN product p ON p.id = v.product_id
        LEFT JOIN batch b ON b.id = v.batch_id
        LEFT JOIN unit u ON u.id = v.unit_id
        LEFT JOIN unit ru ON ru.id = v.recorded_unit_id
        LEFT JOIN care_provider cp ON cp.id = coalesce(v.care_provider_id, ru.care_provider_id)
        LEFT JOIN app_user au ON au.id = v.administered_by_id
       WHERE v.patient_id = ${patientId}
       ORDER BY v.given_at, v.dose_number`);
  }

  async prescriptions(patientId: string, careProviderId: string) {
    return this.db.query<PrescriptionRow>(sql`
      SELECT pr.id, pr.patient_id, pr.unit_id, u.name AS unit_name, pr.product_id, p.name AS product_name,
             pr.dose_number, pr.disease_area, pr.status::text, pr.declaration_id, au.name AS prescribed_by,
             pr.replaces_id, pr.voided_at, pr.void_reason, pr.created_at,
             ${accessOf(sql`u.care_provider_id`, sql`pr.patient_id`, careProviderId)} AS access
        FROM prescription pr
        JOIN unit u ON u.id = pr.unit_id
        JOIN product p ON p.id = pr.product_id
        LEFT JOIN app_user au ON au.id = pr.prescribed_by_id
       WHERE pr.patient_id = ${patientId}
       ORDER BY pr.created_at, pr.dose_number`);
  }

  async declarations(patientId: string) {
    return this.db.query<DeclarationRow>(sql`
      SELECT d.id, d.patient_id, d.disease_area, d.answers, d.flags, d.comment, d.source::text, u.name AS unit_name,
             au.name AS filled_by, d.booking_id, d.created_at
        FROM health_declaration d
        LEFT JOIN unit u ON u.id = d.unit_id
        LEFT JOIN app_user au ON au.id = d.filled_by_id
       WHERE d.patient_id = ${patientId}
       ORDER BY d.created_at DESC
       LIMIT 20`);
  }

  /** R30: reads of patient data, one row each (the cross-provider read says whose doses). */
  async audit(actor: Actor, patientId: string, action: string, detail: Record<string, unknown>) {
    await this.db.query(sql`
      INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
      VALUES (${actor.userId}, ${actor.assignmentId}, ${actor.unitId}, ${actor.role}::"Role", ${patientId}, ${action},
              ${JSON.stringify(detail)}::jsonb)`);
  }

  /** One audit row per patient listed (a report that shows many patients' data). */
  async auditMany(actor: Actor, patientIds: string[], action: string, detail: Record<string, unknown>) {
    if (!patientIds.length) return;
    await this.db.query(sql`
      INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
      SELECT ${actor.userId}, ${actor.assignmentId}, ${actor.unitId}, ${actor.role}::"Role", pid, ${action},
             ${JSON.stringify(detail)}::jsonb
        FROM unnest(${patientIds}::text[]) AS pid`);
  }

  // ------------------------------------------------------------------ declarations (R19)

  async insertDeclaration(d: {
    patientId: string;
    bookingId: string | null;
    diseaseArea: string;
    answers: Record<string, boolean>;
    flags: string[];
    comment: string | null;
    source: 'CITIZEN' | 'STAFF';
    unitId: string | null;
    filledById: string | null;
    actor: Actor;
  }) {
    return this.db.one<{ id: string; created_at: string }>(sql`
      WITH d AS (
        INSERT INTO health_declaration (patient_id, booking_id, answers, flags, source, disease_area, comment, unit_id, filled_by_id)
        VALUES (${d.patientId}, ${d.bookingId}, ${JSON.stringify(d.answers)}::jsonb, ${d.flags}::text[],
                ${d.source}::"DeclarationSource", ${d.diseaseArea}, ${d.comment}, ${d.unitId}, ${d.filledById})
        RETURNING id, created_at
      ), a AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${d.actor.userId}, ${d.actor.assignmentId}, ${d.actor.unitId}, ${d.actor.role}::"Role", ${d.patientId},
               'declaration.create', json_build_object('declarationId', d.id, 'source', ${d.source}::text)
          FROM d
      )
      SELECT id, created_at FROM d`);
  }

  async bookingOf(bookingId: string) {
    return this.db.one<{ id: string; patient_id: string; status: string }>(sql`
      SELECT id, patient_id, status::text FROM booking WHERE id = ${bookingId}`);
  }

  // ------------------------------------------------------------------ prescriptions (R20)

  async product(productId: string) {
    return this.db.one<{
      id: string;
      name: string;
      disease_area: string;
      doses_in_series: number;
      active: boolean;
    }>(sql`SELECT id, name, disease_area, doses_in_series, active FROM product WHERE id = ${productId}`);
  }

  /** The product of the patient's previous dose in a series: a given dose or a live prescription. */
  async previousDoseProduct(patientId: string, doseNumber: number) {
    return this.db.one<{ product_id: string }>(sql`
      SELECT product_id FROM (
        SELECT product_id, given_at AS at FROM vaccination
         WHERE patient_id = ${patientId} AND dose_number = ${doseNumber - 1} AND status = 'GIVEN'
        UNION ALL
        SELECT product_id, created_at FROM prescription
         WHERE patient_id = ${patientId} AND dose_number = ${doseNumber - 1} AND status IN ('ACTIVE', 'ADMINISTERED')
      ) x ORDER BY at DESC LIMIT 1`);
  }

  async declaration(id: string) {
    return this.db.one<{ id: string; patient_id: string; flags: string[]; disease_area: string }>(sql`
      SELECT id, patient_id, flags, disease_area FROM health_declaration WHERE id = ${id}`);
  }

  async latestDeclaration(patientId: string, diseaseArea: string) {
    return this.db.one<{ id: string; flags: string[] }>(sql`
      SELECT id, flags FROM health_declaration
       WHERE patient_id = ${patientId} AND disease_area = ${diseaseArea} AND created_at > now() - interval '30 days'
       ORDER BY created_at DESC LIMIT 1`);
  }

  /**
   * Several doses prescribed in one statement (doses 1 and 2 together); a voided prescription is
   * replaced in the same statement. The unique index on active prescriptions per dose refuses a
   * second active one (23505), and a replacement of a prescription that is no longer active
   * inserts nothing.
   */
  async prescribe(p: {
    patientId: string;
    unitId: string;
    prescribedById: string;
    declarationId: string | null;
    doses: Array<{ productId: string; doseNumber: number; diseaseArea: string }>;
    replace: { id: string; reason: string } | null;
    actor: Actor;
  }) {
    const products = p.doses.map((d) => d.productId);
    const numbers = p.doses.map((d) => d.doseNumber);
    const areas = p.doses.map((d) => d.diseaseArea);
    return this.db.query<{
      id: string;
      dose_number: number;
      product_id: string;
      replaced: string | null;
    }>(sql`
      WITH voided AS (
        UPDATE prescription SET status = 'VOIDED', voided_at = now(), void_reason = ${p.replace?.reason ?? null},
                                voided_by_id = ${p.prescribedById}
         WHERE id = ${p.replace?.id ?? null} AND status = 'ACTIVE' AND patient_id = ${p.patientId}
        RETURNING id
      ), ins AS (
        INSERT INTO prescription (patient_id, unit_id, product_id, dose_number, disease_area, declaration_id,
                                  prescribed_by_id, replaces_id)
        SELECT ${p.patientId}, ${p.unitId}, x.product_id, x.dose_number, x.disease_area, ${p.declarationId},
               ${p.prescribedById}, (SELECT id FROM voided)
          FROM unnest(${products}::text[], ${numbers}::int[], ${areas}::text[]) AS x(product_id, dose_number, disease_area)
         WHERE ${p.replace?.id ?? null}::text IS NULL OR EXISTS (SELECT 1 FROM voided)
        RETURNING id, dose_number, product_id, replaces_id
      ), a AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${p.actor.userId}, ${p.actor.assignmentId}, ${p.actor.unitId}, ${p.actor.role}::"Role", ${p.patientId},
               'prescription.sign', json_build_object('prescriptionIds', (SELECT json_agg(id) FROM ins),
                                                      'voided', (SELECT id FROM voided))
         WHERE EXISTS (SELECT 1 FROM ins)
      )
      SELECT id, dose_number, product_id, replaces_id AS replaced FROM ins ORDER BY dose_number`);
  }

  async prescription(id: string) {
    return this.db.one<{
      id: string;
      patient_id: string;
      status: string;
      care_provider_id: string;
      product_id: string;
      dose_number: number;
      disease_area: string;
    }>(sql`
      SELECT pr.id, pr.patient_id, pr.status::text, u.care_provider_id, pr.product_id, pr.dose_number, pr.disease_area
        FROM prescription pr JOIN unit u ON u.id = pr.unit_id WHERE pr.id = ${id}`);
  }

  async voidPrescription(id: string, reason: string, actor: Actor & { userId: string }, patientId: string) {
    return this.db.one<{ id: string }>(sql`
      WITH v AS (
        UPDATE prescription SET status = 'VOIDED', voided_at = now(), void_reason = ${reason}, voided_by_id = ${actor.userId}
         WHERE id = ${id} AND status = 'ACTIVE'
        RETURNING id
      ), a AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${actor.userId}, ${actor.assignmentId}, ${actor.unitId}, ${actor.role}::"Role", ${patientId},
               'prescription.void', json_build_object('prescriptionId', v.id, 'reason', ${reason}::text) FROM v
      )
      SELECT id FROM v`);
  }

  // ------------------------------------------------------------------ doses (R22, void)

  async insertHistorical(h: {
    patientId: string;
    productId: string;
    doseNumber: number;
    givenOn: string;
    comment: string;
    recordedUnitId: string;
    userId: string;
    actor: Actor;
  }) {
    return this.db.one<{ id: string }>(sql`
      WITH v AS (
        INSERT INTO vaccination (patient_id, product_id, batch_id, dose_number, given_at, given_on, unit_id, care_provider_id,
                                 administered_by_id, historical, comment, recorded_unit_id)
        VALUES (${h.patientId}, ${h.productId}, NULL, ${h.doseNumber}, (${h.givenOn}::date + time '12:00'), ${h.givenOn}::date,
                NULL, NULL, ${h.userId}, true, ${h.comment}, ${h.recordedUnitId})
        RETURNING id
      ), a AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${h.actor.userId}, ${h.actor.assignmentId}, ${h.actor.unitId}, ${h.actor.role}::"Role", ${h.patientId},
               'vaccination.historical', json_build_object('vaccinationId', v.id) FROM v
      )
      SELECT id FROM v`);
  }

  async dose(id: string) {
    return this.db.one<{
      id: string;
      patient_id: string;
      status: string;
      owner_provider_id: string | null;
    }>(sql`
      SELECT v.id, v.patient_id, v.status::text, coalesce(v.care_provider_id, ru.care_provider_id) AS owner_provider_id
        FROM vaccination v LEFT JOIN unit ru ON ru.id = v.recorded_unit_id WHERE v.id = ${id}`);
  }

  /** Makulering: the contract with the NVR export is status, voided_at, void_reason and revision + 1. */
  async voidDose(id: string, reason: string, actor: Actor & { userId: string }) {
    return this.db.one<{ id: string; patient_id: string; revision: number; voided_at: string }>(sql`
      WITH v AS (
        UPDATE vaccination SET status = 'VOIDED', voided_at = now(), void_reason = ${reason}, voided_by_id = ${actor.userId},
                               revision = revision + 1
         WHERE id = ${id} AND status = 'GIVEN'
        RETURNING id, patient_id, revision, voided_at
      ), a AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${actor.userId}, ${actor.assignmentId}, ${actor.unitId}, ${actor.role}::"Role", v.patient_id,
               'vaccination.void', json_build_object('vaccinationId', v.id, 'reason', ${reason}::text, 'revision', v.revision)
          FROM v
      )
      SELECT id, patient_id, revision, voided_at FROM v`);
  }

  // ------------------------------------------------------------------ identity (R2)

  /**
   * The temporary number becomes the real one on the same patient row, so every dose, booking
   * and prescription follows; the change is recorded, the doses' revision bumped (NVR hears the
   * correction) and the change audited — one statement. The unique key on identity_number
   * refuses a number another patient has (23505).
   */
  async changeIdentity(c: {
    patientId: string;
    fromNumber: string;
    fromType: string;
    toNumber: string;
    toType: string;
    birthDate: string;
    sex: string;
    actor: Actor & { userId: string };
  }) {
    return this.db.one<{ id: string; bumped: number }>(sql`
      WITH p AS (
        UPDATE patient SET identity_number = ${c.toNumber}, identity_type = ${c.toType}::"IdentityType", identity_issuer = NULL,
                           birth_date = coalesce(birth_date, ${c.birthDate}::date),
                           sex = CASE WHEN sex = 'UNKNOWN' THEN ${c.sex}::"Sex" ELSE sex END, updated_at = now()
         WHERE id = ${c.patientId} AND identity_number = ${c.fromNumber}
        RETURNING id
      ), ch AS (
        INSERT INTO patient_identity_change (patient_id, from_number, from_type, to_number, to_type, changed_by_id, assignment_id)
        SELECT p.id, ${c.fromNumber}, ${c.fromType}::"IdentityType", ${c.toNumber}, ${c.toType}::"IdentityType",
               ${c.actor.userId}, ${c.actor.assignmentId} FROM p
        RETURNING id
      ), v AS (
        UPDATE vaccination SET revision = revision + 1 WHERE patient_id = (SELECT id FROM p) RETURNING id
      ), a AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${c.actor.userId}, ${c.actor.assignmentId}, ${c.actor.unitId}, ${c.actor.role}::"Role", p.id,
               'patient.identity-change',
               json_build_object('from', ${c.fromNumber}::text, 'fromType', ${c.fromType}::text, 'to', ${c.toNumber}::text,
                                 'toType', ${c.toType}::text, 'changeId', (SELECT id FROM ch))
          FROM p
      )
      SELECT p.id, (SELECT count(*) FROM v)::int AS bumped FROM p`);
  }

  // ------------------------------------------------------------------ consent (R7)

  async recordConsent(patientId: string, careProviderId: string, actor: Actor & { userId: string }) {
    return this.db.one<{ id: string; given_at: string }>(sql`
      WITH existing AS (
        SELECT id, given_at FROM cross_provider_consent
         WHERE patient_id = ${patientId} AND care_provider_id = ${careProviderId} AND revoked_at IS NULL
      ), ins AS (
        INSERT INTO cross_provider_consent (patient_id, care_provider_id, recorded_by_id, assignment_id)
        SELECT ${patientId}, ${careProviderId}, ${actor.userId}, ${actor.assignmentId}
         WHERE NOT EXISTS (SELECT 1 FROM existing)
        ON CONFLICT DO NOTHING
        RETURNING id, given_at
      ), a AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${actor.userId}, ${actor.assignmentId}, ${actor.unitId}, ${actor.role}::"Role", ${patientId},
               'consent.record', json_build_object('consentId', ins.id) FROM ins
      )
      SELECT * FROM ins UNION ALL SELECT * FROM existing`);
  }

  async revokeConsent(patientId: string, careProviderId: string, actor: Actor) {
    return this.db.query<{ id: string }>(sql`
      WITH r AS (
        UPDATE cross_provider_consent SET revoked_at = now()
         WHERE patient_id = ${patientId} AND care_provider_id = ${careProviderId} AND revoked_at IS NULL
        RETURNING id
      ), a AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${actor.userId}, ${actor.assignmentId}, ${actor.unitId}, ${actor.role}::"Role", ${patientId},
               'consent.revoke', json_build_object('consentId', r.id) FROM r
      )
      SELECT id FROM r`);
  }

  /** R7 spärr: the patient blocks a care provider's data from other providers. */
  async block(patientId: string, careProviderId: string, actor: Actor) {
    return this.db.one<{ id: string }>(sql`
      WITH existing AS (
        SELECT id FROM provider_block
         WHERE patient_id = ${patientId} AND care_provider_id = ${careProviderId} AND lifted_at IS NULL
      ), ins AS (
        INSERT INTO provider_block (patient_id, care_provider_id)
        SELECT ${patientId}, ${careProviderId} WHERE NOT EXISTS (SELECT 1 FROM existing)
        RETURNING id
      ), a AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${actor.userId}, ${actor.assignmentId}, ${actor.unitId}, ${actor.role}::"Role", ${patientId},
               'provider-block.record', json_build_object('careProviderId', ${careProviderId}::text, 'blockId', ins.id)
          FROM ins
      )
      SELECT id FROM ins UNION ALL SELECT id FROM existing`);
  }

  async liftBlock(patientId: string, careProviderId: string, actor: Actor) {
    return this.db.query<{ id: string }>(sql`
      WITH l AS (
        UPDATE provider_block SET lifted_at = now()
         WHERE patient_id = ${patientId} AND care_provider_id = ${careProviderId} AND lifted_at IS NULL
        RETURNING id
      ), a AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${actor.userId}, ${actor.assignmentId}, ${actor.unitId}, ${actor.role}::"Role", ${patientId},
               'provider-block.lift', json_build_object('careProviderId', ${careProviderId}::text, 'blockId', l.id)
          FROM l
      )
      SELECT id FROM l`);
  }

  async careProviderExists(id: string) {
    return this.db.one<{ id: string }>(sql`SELECT id FROM care_provider WHERE id = ${id}`);
  }

  async consentOpen(patientId: string, careProviderId: string) {
    return this.db.one<{ given_at: string }>(sql`
      SELECT given_at FROM cross_provider_consent
       WHERE patient_id = ${patientId} AND care_provider_id = ${careProviderId} AND revoked_at IS NULL`);
  }

  // ------------------------------------------------------------------ sealing (R5)

  async sealPatient(patientId: string, sealed: boolean, actor: Actor) {
    await this.db.query(sql`
      WITH u AS (UPDATE patient SET sealed = ${sealed}, updated_at = now() WHERE id = ${patientId} RETURNING id)
      INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
      SELECT ${actor.userId}, ${actor.assignmentId}, ${actor.unitId}, ${actor.role}::"Role", u.id, 'patient.seal',
             json_build_object('sealed', ${sealed}::boolean) FROM u`);
  }

  async sealDose(id: string, sealed: boolean, actor: Actor) {
    return this.db.one<{ id: string }>(sql`
      WITH u AS (UPDATE vaccination SET sealed_by_provider = ${sealed} WHERE id = ${id} RETURNING id, patient_id)
      , a AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${actor.userId}, ${actor.assignmentId}, ${actor.unitId}, ${actor.role}::"Role", u.patient_id, 'vaccination.seal',
               json_build_object('vaccinationId', u.id, 'sealed', ${sealed}::boolean) FROM u
      )
      SELECT id FROM u`);
  }

  // ------------------------------------------------------------------ citizen view (R5, R6)

  /**
   * The doses a citizen view may show of one person: given (not voided), not sealed by the
   * patient or the provider, not protected identity, and not hidden by the holding region's
   * citizen-view rule (for everyone, or below an age).
   */
  async citizenDoses(patientId: string) {
    return this.db.query<{
      id: string;
      dose_number: number;
      given_on: string;
      historical: boolean;
      comment: string | null;
      product_id: string;
      product_name: string;
      doses_in_series: number;
      dose_interval_days: number | null;
      unit_name: string | null;
      batch_number: string | null;
    }>(sql`
      SELECT v.id, v.dose_number, v.given_on, v.historical, v.comment, p.id AS product_id, p.name AS product_name,
             p.doses_in_series, p.dose_interval_days, u.name AS unit_name, b.batch_number
        FROM vaccination v
        JOIN patient pt ON pt.id = v.patient_id
        JOIN product p ON p.id = v.product_id
        LEFT JOIN batch b ON b.id = v.batch_id
        LEFT JOIN unit u ON u.id = coalesce(v.unit_id, v.recorded_unit_id)
        LEFT JOIN region r ON r.id = u.region_id
       WHERE v.patient_id = ${patientId} AND v.status = 'GIVEN' AND NOT v.sealed_by_provider
         AND NOT pt.sealed AND NOT pt.protected_identity
         AND (r.id IS NULL OR (NOT r.citizen_view_hidden AND (r.citizen_view_min_age IS NULL
              OR (pt.birth_date IS NOT NULL AND pt.birth_date <= current_date - make_interval(years => r.citizen_view_min_age)))))
       ORDER BY v.given_on, v.dose_number`);
  }

  /** R6: the guardian's minor children (under 18 today). */
  async children(guardianId: string) {
    return this.db.query<{
      id: string;
      first_name: string | null;
      last_name: string | null;
      birth_date: string;
      protected_identity: boolean;
    }>(sql`
      SELECT c.id, c.first_name, c.last_name, c.birth_date, c.protected_identity
        FROM guardianship g JOIN patient c ON c.id = g.child_id
       WHERE g.guardian_id = ${guardianId} AND c.birth_date > current_date - interval '18 years'
       ORDER BY c.birth_date`);
  }

  // ------------------------------------------------------------------ access log (R30)

  async accessLog(patientId: string, limit: number) {
    return this.db.query<{
      id: number;
      at: string;
      action: string;
      role: string | null;
      detail: Record<string, unknown> | null;
      user_name: string | null;
      user_hsa_id: string | null;
      unit_name: string | null;
      unit_hsa_id: string | null;
      assignment_id: string | null;
    }>(sql`
      SELECT a.id, a.at, a.action, a.role::text, a.detail, au.name AS user_name, au.hsa_id AS user_hsa_id,
             u.name AS unit_name, u.hsa_id AS unit_hsa_id, a.assignment_id
        FROM audit_log a
        LEFT JOIN app_user au ON au.id = a.user_id
        LEFT JOIN unit u ON u.id = a.unit_id
       WHERE a.patient_id = ${patientId}
       ORDER BY a.at DESC, a.id DESC
       LIMIT ${limit}`);
  }

  // ------------------------------------------------------------------ control report

  async controlReport(q: {
    careProviderId: string;
    unitId: string | null;
    from: string;
    to: string;
    limit: number;
  }) {
    return this.db.query<{
      id: string;
      given_on: string;
      dose_number: number;
      historical: boolean;
      status: string;
      comment: string | null;
      void_reason: string | null;
      voided_at: string | null;
      missing_batch: boolean;
      identity_ok: boolean;
      product_code_ok: boolean;
      identity_number: string;
      identity_type: string;
      first_name: string | null;
      last_name: string | null;
      product_name: string;
      npl_id: string;
      atc_code: string;
      unit_id: string | null;
      unit_name: string | null;
      reported: boolean;
      patient_id: string;
    }>(sql`
      WITH picked AS (
        -- given in the period (NVR validation), or recorded as historical / voided in the period:
        -- a dose given abroad years ago and registered today belongs in today's report
        SELECT id FROM vaccination WHERE given_on BETWEEN ${q.from}::date AND ${q.to}::date
        UNION
        SELECT id FROM vaccination
         WHERE historical AND created_at >= ${q.from}::date AND created_at < ${q.to}::date + 1
        UNION
        SELECT id FROM vaccination
         WHERE status = 'VOIDED' AND voided_at >= ${q.from}::date AND voided_at < ${q.to}::date + 1
      )
      SELECT * FROM (
        SELECT v.id, v.given_on, v.dose_number, v.historical, v.status::text, v.comment, v.void_reason, v.voided_at,
               (NOT v.historical AND v.batch_id IS NULL) AS missing_batch,
               nvr_identity_valid(pt.identity_number, pt.identity_type) AS identity_ok,
               (p.npl_id ~ '^[0-9]{14}$' AND p.atc_code ~ '^J07[A-Z]{2}[0-9]{2}$') AS product_code_ok,
               pt.identity_number, pt.identity_type::text, pt.first_name, pt.last_name, p.name AS product_name, p.npl_id,
               p.atc_code, u.id AS unit_id, u.name AS unit_name, v.nvr_reported_rev IS NOT NULL AS reported,
               v.patient_id, greatest(v.created_at, v.voided_at) AS touched_at
          FROM picked
          JOIN vaccination v ON v.id = picked.id
          JOIN patient pt ON pt.id = v.patient_id
          JOIN product p ON p.id = v.product_id
          LEFT JOIN unit u ON u.id = coalesce(v.unit_id, v.recorded_unit_id)
         WHERE (coalesce(v.care_provider_id, u.care_provider_id) = ${q.careProviderId}
                -- a historical dose recorded without a unit (imported) belongs to nobody: everyone sees it
                OR (v.care_provider_id IS NULL AND u.id IS NULL))
           AND (${q.unitId}::text IS NULL OR u.id = ${q.unitId})
      ) r
       WHERE r.historical OR r.status = 'VOIDED' OR r.missing_batch
          OR (NOT r.historical AND (NOT r.identity_ok OR NOT r.product_code_ok))
       ORDER BY r.touched_at DESC, r.given_on DESC, r.id
       LIMIT ${q.limit}`);
  }
}

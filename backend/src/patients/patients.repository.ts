import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../infra/database.service';
import { sql } from '../infra/sql';
import type { ParsedIdentity } from './identity';

export interface PatientRow {
  id: string;
  identity_number: string;
  identity_type: 'PERSONNUMMER' | 'SAMORDNINGSNUMMER' | 'RESERVNUMMER';
  first_name: string | null;
  last_name: string | null;
  birth_date: string | null;
  sex: string;
  municipality_code: string | null;
  protected_identity: boolean;
  phone: string | null;
  sms_opt_out: boolean;
}

@Injectable()
export class PatientsRepository {
  constructor(private readonly db: DatabaseService) {}

  async findByNumber(number: string): Promise<PatientRow | undefined> {
    return this.db.one<PatientRow>(sql`
      SELECT id, identity_number, identity_type::text, first_name, last_name, birth_date, sex::text,
             municipality_code, protected_identity, phone, sms_opt_out
        FROM patient WHERE identity_number = ${number}`);
  }

  async byId(id: string): Promise<PatientRow | undefined> {
    return this.db.one<PatientRow>(sql`
      SELECT id, identity_number, identity_type::text, first_name, last_name, birth_date, sex::text,
             municipality_code, protected_identity, phone, sms_opt_out
        FROM patient WHERE id = ${id}`);
  }

  /** R4: a reserve number is the region's own format (no Luhn digit): looked up as written. */
  async findReserve(number: string): Promise<PatientRow | undefined> {
    return this.db.one<PatientRow>(sql`
      SELECT id, identity_number, identity_type::text, first_name, last_name, birth_date, sex::text,
             municipality_code, protected_identity, phone, sms_opt_out
        FROM patient WHERE identity_number = ${number} AND identity_type = 'RESERVNUMMER'`);
  }

  /**
   * Finds the patient, or registers a valid number not yet known (as the population-register
   * lookup would: municipality from the register when the person is there). One statement;
   * a concurrent registration of the same number is resolved by the unique key.
   */
  async findOrRegister(id: ParsedIdentity): Promise<PatientRow> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const row = await this.db.one<PatientRow>(
        sql`
        WITH found AS (
          SELECT id, identity_number, identity_type::text, first_name, last_name, birth_date, sex::text,
                 municipality_code, protected_identity, phone, sms_opt_out
            FROM patient WHERE identity_number = ${id.number}
        ), ins AS (
          INSERT INTO patient (identity_number, identity_type, birth_date, sex, municipality_code)
          SELECT ${id.number}, ${id.type}::"IdentityType", ${id.birthDate}::date, ${id.sex}::"Sex",
                 (SELECT municipality_code FROM population_register WHERE identity_number = ${id.number})
           WHERE NOT EXISTS (SELECT 1 FROM found)
          ON CONFLICT (identity_number) DO NOTHING
          RETURNING id, identity_number, identity_type::text, first_name, last_name, birth_date, sex::text,
                    municipality_code, protected_identity, phone, sms_opt_out
        )
        SELECT * FROM found UNION ALL SELECT * FROM ins`,
        'patient.find-or-register',
      );
      if (row) return row;
    }
    throw new Error('patient registration raced twice');
  }

  /**
   * Inserts a patient added by staff; a reserve number (number null) is reserved from the
   * region's sequence in the same statement. Undefined when the number is already taken.
   */
  async create(
    actor: { userId: string | null; assignmentId: string | null; unitId: string | null; role: string | null },
    p: {
      number: string | null;
      type: string;
      birthDate: string | null;
      sex: string | null;
      firstName: string;
      lastName: string;
      protectedIdentity: boolean;
      phone: string | null;
      email: string | null;
      address: string | null;
    },
  ): Promise<PatientRow | undefined> {
    return this.db.one<PatientRow>(sql`
      WITH ins AS (
        INSERT INTO patient (identity_number, identity_type, identity_issuer, first_name, last_name, birth_date, sex,
                             municipality_code, protected_identity, phone, email, address)
        SELECT coalesce(${p.number}::text,
                        '99' || to_char(${p.birthDate}::date, 'YYMMDD') || lpad((nextval('reserve_number_seq') % 10000)::text, 4, '0')),
               ${p.type}::"IdentityType",
               CASE WHEN ${p.type}::text = 'RESERVNUMMER' THEN (SELECT r.reserve_number_oid FROM unit u JOIN region r ON r.id = u.region_id WHERE u.id = ${actor.unitId}::text) END,
               ${p.firstName}, ${p.lastName}, ${p.birthDate}::date, coalesce(${p.sex}::text, 'UNKNOWN')::"Sex",
               (SELECT municipality_code FROM population_register WHERE identity_number = ${p.number}::text),
               ${p.protectedIdentity}, ${p.phone}, ${p.email}, ${p.address}
        ON CONFLICT (identity_number) DO NOTHING
        RETURNING id, identity_number, identity_type::text, first_name, last_name, birth_date, sex::text,
                  municipality_code, protected_identity, phone, sms_opt_out
      ), audit AS (
        INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
        SELECT ${actor.userId}, ${actor.assignmentId}, ${actor.unitId}, ${actor.role}::"Role", ins.id, 'patient.create',
               json_build_object('identityType', ins.identity_type)
          FROM ins
        RETURNING 1
      )
      SELECT ins.*, (SELECT count(*) FROM audit) AS audited FROM ins`);
  }

  async auditRead(
    actor: { userId: string | null; assignmentId: string | null; unitId: string | null; role: string | null },
    patientId: string,
    what: string,
  ): Promise<void> {
    await this.db.query(sql`
      INSERT INTO audit_log (user_id, assignment_id, unit_id, role, patient_id, action, detail)
      VALUES (${actor.userId}, ${actor.assignmentId}, ${actor.unitId}, ${actor.role}::"Role", ${patientId}, 'patient.read',
              json_build_object('what', ${what}::text))`);
  }
}

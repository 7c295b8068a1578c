import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { badRequest, notFound } from '../common/errors';
import { IdentityError, parseIdentityNumber, ParsedIdentity } from './identity';
import { PatientRow, PatientsRepository } from './patients.repository';

export function toPatientView(p: PatientRow) {
  return {
    id: p.id,
    personalIdentityNumber: p.identity_number,
    identityType: p.identity_type,
    firstName: p.first_name,
    lastName: p.last_name,
    birthDate: p.birth_date,
    sex: p.sex,
    municipalityCode: p.municipality_code,
    protectedIdentity: p.protected_identity,
    phone: p.protected_identity ? null : p.phone,
    smsOptOut: p.sms_opt_out,
  };
}

export function actorOf(p: Principal) {
  return p.kind === 'staff'
    ? { userId: p.userId, assignmentId: p.assignmentId, unitId: p.unitId, role: p.role }
    : { userId: null, assignmentId: null, unitId: null, role: null };
}

@Injectable()
export class PatientsService {
  constructor(private readonly repo: PatientsRepository) {}

  /** R1: parses or throws a 400 naming the field and the reason. */
  parse(input: string, field = 'personalIdentityNumber'): ParsedIdentity {
    try {
      return parseIdentityNumber(input);
    } catch (e) {
      if (e instanceof IdentityError) throw badRequest(`${field} ${e.message}`, field);
      throw e;
    }
  }

  async get(principal: Principal, input: string) {
    const id = this.parse(input);
    const p = await this.repo.findByNumber(id.number);
    if (!p) throw notFound('no patient with that identity number', { field: 'personalIdentityNumber' });
    await this.repo.auditRead(actorOf(principal), p.id, 'patient');
    return toPatientView(p);
  }

  /** R30: every read of patient data is logged. */
  async audit(principal: Principal, patientId: string, what: string): Promise<void> {
    await this.repo.auditRead(actorOf(principal), patientId, what);
  }

  findByNumber(number: string) {
    return this.repo.findByNumber(number);
  }

  findOrRegister(id: ParsedIdentity) {
    return this.repo.findOrRegister(id);
  }
}

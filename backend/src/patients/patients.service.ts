import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { AppError, badRequest, ErrorCode, notFound, ruleBroken } from '../common/errors';
import type { CreatePatientDto } from './dto';
import { IdentityError, isReserveNumber, parseIdentityNumber, ParsedIdentity } from './identity';
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

  /**
   * R1 or R4: a Swedish identity number (parsed, 12 digits) or this region's reserve number
   * (as given). A 400 names the field when it is neither.
   */
  resolve(
    input: string,
    field = 'personalIdentityNumber',
  ): ParsedIdentity | { number: string; type: 'RESERVNUMMER' } {
    const trimmed = String(input ?? '').trim();
    if (isReserveNumber(trimmed)) return { number: trimmed, type: 'RESERVNUMMER' };
    return this.parse(trimmed, field);
  }

  async get(principal: Principal, input: string) {
    const id = this.resolve(input);
    const p = await this.repo.findByNumber(id.number);
    if (!p) throw notFound('no patient with that identity number', { field: 'personalIdentityNumber' });
    await this.repo.auditRead(actorOf(principal), p.id, 'patient');
    return toPatientView(p);
  }

  /** R30: every read of patient data is logged. */
  async audit(principal: Principal, patientId: string, what: string): Promise<void> {
    await this.repo.auditRead(actorOf(principal), patientId, what);
  }

  byId(id: string) {
    return this.repo.byId(id);
  }

  findByNumber(number: string) {
    return this.repo.findByNumber(number);
  }

  findOrRegister(id: ParsedIdentity) {
    return this.repo.findOrRegister(id);
  }

  /**
   * The one way a typed-in number becomes a patient: this region's reserve number (R4) must be
   * known — it is never registered on the fly, staff add the patient first (404 says so); a valid
   * Swedish number is found or registered as the population-register lookup would (R1); anything
   * else may still be another region's reserve number already on record (care follows the person);
   * otherwise a 400 names the field.
   */
  async findOrRegisterAny(input: string, field = 'personalIdentityNumber'): Promise<PatientRow> {
    const trimmed = String(input ?? '').trim();
    if (isReserveNumber(trimmed)) {
      const p = await this.repo.findReserve(trimmed);
      if (!p)
        throw notFound('no patient with that reserve number: add the patient first (POST /api/patients)', {
          field,
        });
      return p;
    }
    let parsed: ParsedIdentity;
    try {
      parsed = parseIdentityNumber(trimmed);
    } catch (e) {
      if (!(e instanceof IdentityError)) throw e;
      const cleaned = trimmed.replace(/[-+\s]/g, '');
      // only something shaped like a number is looked up (a NUL byte would be a database error)
      const reserve = /^[0-9A-Za-z]{1,20}$/.test(cleaned) ? await this.repo.findReserve(cleaned) : undefined;
      if (reserve) return reserve;
      throw badRequest(`${field} ${e.message}`, field);
    }
    return this.repo.findOrRegister(parsed);
  }

  /** Staff add a patient (R3 protected identity, R4 reserve number). 409 if the number is known. */
  async create(principal: Principal, dto: CreatePatientDto) {
    if (dto.protectedIdentity) {
      for (const field of ['phone', 'email', 'address'] as const) {
        if (dto[field])
          throw ruleBroken(
            `${field} must not be given: contact details are never stored for a patient with protected identity (R3)`,
            { field, rule: 'R3' },
          );
      }
    }
    let identity: { number: string | null; type: string; birthDate: string | null; sex: string | null };
    if (dto.reserveNumber) {
      identity = { number: null, type: 'RESERVNUMMER', birthDate: dto.birthDate!, sex: dto.sex ?? 'UNKNOWN' };
    } else {
      const raw = dto.personalIdentityNumber!;
      if (isReserveNumber(raw))
        throw badRequest(
          'personalIdentityNumber: reserve numbers are reserved by the system (send reserveNumber: true)',
          'personalIdentityNumber',
        );
      const parsed = this.parse(raw);
      if (dto.birthDate && dto.birthDate !== parsed.birthDate)
        throw badRequest(`birthDate does not match the identity number (${parsed.birthDate})`, 'birthDate');
      identity = { number: parsed.number, type: parsed.type, birthDate: parsed.birthDate, sex: parsed.sex };
    }
    const row = await this.repo.create(actorOf(principal), {
      ...identity,
      firstName: dto.firstName,
      lastName: dto.lastName,
      protectedIdentity: dto.protectedIdentity ?? false,
      phone: dto.phone ?? null,
      email: dto.email ?? null,
      address: dto.address ?? null,
    });
    if (!row) {
      const existing = await this.repo.findByNumber(identity.number!);
      throw new AppError(ErrorCode.CONFLICT, 'a patient with that identity number already exists', {
        field: 'personalIdentityNumber',
        patient: existing ? toPatientView(existing) : undefined,
      });
    }
    return toPatientView(row);
  }
}

import { Injectable } from '@nestjs/common';
import { can } from '../auth/access-policy';
import type { StaffPrincipal } from '../auth/principal';
import { forbidden, notFound, ruleBroken } from '../common/errors';
import { DatabaseService } from '../infra/database.service';
import { idempotencyKey, IdempotencyKey, PG_UNIQUE_VIOLATION, replay } from '../infra/idempotency';
import { PatientsService } from '../patients/patients.service';
import { VaccinationsRepository } from './vaccinations.repository';

export interface AdministerInput {
  personalIdentityNumber: string;
  productId: string;
  batchId: string;
  doseNumber: number;
  prescriptionId?: string;
}

@Injectable()
export class VaccinationsService {
  constructor(
    private readonly repo: VaccinationsRepository,
    private readonly patients: PatientsService,
    private readonly db: DatabaseService,
  ) {}

  /**
   * R21: a dose given at the caller's unit, from a batch in the unit's stock, taken atomically.
   * A valid identity number not yet known registers the patient (as the population register would).
   */
  async administer(p: StaffPrincipal, dto: AdministerInput, idempotencyHeader?: string) {
    const idem = idempotencyKey(`${p.userId}:vaccination`, idempotencyHeader, dto);
    if (idem) {
      const first = await replay<Record<string, unknown>>(this.db, idem);
      if (first) return first;
    }
    try {
      return await this.administerOnce(p, dto, idem);
    } catch (e) {
      if (idem && (e as { code?: string }).code === PG_UNIQUE_VIOLATION) {
        const first = await replay<Record<string, unknown>>(this.db, idem);
        if (first) return first;
      }
      throw e;
    }
  }

  private async administerOnce(p: StaffPrincipal, dto: AdministerInput, idem: IdempotencyKey | null) {
    if (!can(p, 'vaccination.administer', { unitId: p.unitId, regionId: p.regionId })) {
      throw forbidden('your assignment does not allow administering vaccinations');
    }
    // R9: a nurse gives only a prescribed dose; a prescriber may sign prescription and administration at once.
    const requirePrescription = p.role === 'NURSE' || dto.prescriptionId !== undefined;
    // R4: a reserve-number patient added by staff is vaccinated like anyone else
    const patient = await this.patients.findOrRegisterAny(dto.personalIdentityNumber);
    const res = await this.repo.administer({
      patientId: patient.id,
      productId: dto.productId,
      batchId: dto.batchId,
      doseNumber: dto.doseNumber,
      unitId: p.unitId,
      regionId: p.regionId,
      careProviderId: p.careProviderId,
      actor: { userId: p.userId, assignmentId: p.assignmentId, role: p.role },
      idempotency: idem,
      prescriptionId: dto.prescriptionId ?? null,
      requirePrescription,
    });
    if (res) {
      return {
        id: res.id,
        patientId: patient.id,
        batchId: dto.batchId,
        doseNumber: dto.doseNumber,
        prescriptionId: res.prescription_id,
        stock: { batchId: dto.batchId, doses: res.balance, rowVersion: res.row_version },
        openVialDosesLeft: res.vial_doses_left,
      };
    }
    if (requirePrescription) {
      const pre = await this.repo.activePrescription({
        patientId: patient.id,
        productId: dto.productId,
        doseNumber: dto.doseNumber,
        careProviderId: p.careProviderId,
        prescriptionId: dto.prescriptionId ?? null,
      });
      if (!pre) {
        throw ruleBroken(
          p.role === 'NURSE'
            ? 'no active prescription for this product and dose: a nurse administers a prescribed dose only (R9)'
            : 'the prescription is not active for this patient, product and dose',
          { field: 'prescriptionId', code: 'NO_PRESCRIPTION' },
        );
      }
    }
    const d = await this.repo.diagnose(p.unitId, dto.batchId);
    if (!d) throw notFound('no such batch', { field: 'batchId' });
    if (d.product_id !== dto.productId)
      throw ruleBroken('the batch is of another product', { field: 'batchId' });
    if (d.expired) throw ruleBroken('the batch has expired', { field: 'batchId' });
    throw ruleBroken(`no doses of this batch left at the unit (${d.doses ?? 0})`, {
      field: 'batchId',
      code: 'OUT_OF_STOCK',
    });
  }
}

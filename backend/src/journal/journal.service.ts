import { Injectable } from '@nestjs/common';
import { can, Capability } from '../auth/access-policy';
import type { CitizenPrincipal, StaffPrincipal } from '../auth/principal';
import { AppError, badRequest, ErrorCode, forbidden, notFound, ruleBroken } from '../common/errors';
import { PG_UNIQUE_VIOLATION } from '../infra/idempotency';
import { IdentityError, parseIdentityNumber } from '../patients/identity';
import { actorOf, PatientsService } from '../patients/patients.service';
import { DeclarationInput, flagText, parseDeclaration } from './health-declaration';
import { DoseRow, JournalRepository, PrescriptionRow } from './journal.repository';
import { ageOn, nextDoses } from './next-dose';

const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new AppError(ErrorCode.CONFLICT, message, details);

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === PG_UNIQUE_VIOLATION;

function stockholmToday(): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date());
}

function staffActor(p: StaffPrincipal) {
  return { userId: p.userId, assignmentId: p.assignmentId, unitId: p.unitId, role: p.role };
}

export function doseView(d: DoseRow) {
  return {
    id: d.id,
    doseNumber: d.dose_number,
    givenAt: d.given_at,
    givenOn: d.given_on,
    historical: d.historical,
    comment: d.comment,
    status: d.status,
    voidedAt: d.voided_at,
    voidReason: d.void_reason,
    sealedByProvider: d.sealed_by_provider,
    revision: d.revision,
    product: { id: d.product_id, name: d.product_name, atcCode: d.atc_code },
    batch: d.batch_id ? { id: d.batch_id, batchNumber: d.batch_number } : null,
    unit: d.unit_id ? { id: d.unit_id, name: d.unit_name } : null,
    recordedAt: d.recorded_unit_name,
    careProvider: d.owner_provider_id ? { id: d.owner_provider_id, name: d.owner_provider_name } : null,
    administeredBy: d.administered_by,
    prescriptionId: d.prescription_id,
    otherProvider: d.access === 'consented',
  };
}

function prescriptionView(p: PrescriptionRow) {
  return {
    id: p.id,
    doseNumber: p.dose_number,
    diseaseArea: p.disease_area,
    status: p.status,
    product: { id: p.product_id, name: p.product_name },
    unit: { id: p.unit_id, name: p.unit_name },
    prescribedBy: p.prescribed_by,
    declarationId: p.declaration_id,
    replacesId: p.replaces_id,
    voidedAt: p.voided_at,
    voidReason: p.void_reason,
    createdAt: p.created_at,
    otherProvider: p.access === 'consented',
  };
}

export type JournalView = Awaited<ReturnType<JournalService['journal']>>;

/**
 * The vaccination journal: health declarations (R19), prescriptions (R20), historical doses
 * (R22), voiding, identity change (R2), the cross-provider view (R7/R8), sealing and the citizen
 * view (R5/R6), and the access-log extract (R30). Every read of patient data is audited.
 */
@Injectable()
export class JournalService {
  constructor(
    private readonly repo: JournalRepository,
    private readonly patients: PatientsService,
  ) {}

  private require(p: StaffPrincipal, capability: Capability): void {
    if (!can(p, capability, { unitId: p.unitId, regionId: p.regionId })) {
      throw forbidden(`your assignment (${p.role}) does not allow ${capability}`);
    }
  }

  /**
   * A patient by identity number (R1 normalisation); a reserve number (R4: the region's own
   * format, no Luhn digit) is looked up as it is written.
   */
  async resolve(input: string) {
    const raw = String(input ?? '').trim();
    try {
      const id = parseIdentityNumber(raw);
      const found = await this.patients.findByNumber(id.number);
      if (!found) throw notFound('no patient with that identity number', { field: 'personalIdentityNumber' });
      return found.id;
    } catch (e) {
      if (!(e instanceof IdentityError)) throw e;
      return (await this.patients.findOrRegisterAny(raw)).id;
    }
  }

  // ------------------------------------------------------------------ reading

  /** The patient's journal as the caller may see it (R7/R8); the read is audited (R30). */
  async journal(p: StaffPrincipal, pnr: string, what = 'journal') {
    this.require(p, 'journal.read');
    const patientId = await this.resolve(pnr);
    const [patient, doses, prescriptions, declarations, consent] = await Promise.all([
      this.repo.patient(patientId),
      this.repo.doses(patientId, p.careProviderId),
      this.repo.prescriptions(patientId, p.careProviderId),
      this.repo.declarations(patientId),
      this.repo.consentOpen(patientId, p.careProviderId),
    ]);
    if (!patient) throw notFound('no such patient');
    const shownDoses = doses.filter((d) => d.access === 'own' || d.access === 'consented');
    const shownPrescriptions = prescriptions.filter((x) => x.access === 'own' || x.access === 'consented');
    const actor = staffActor(p);
    await this.repo.audit(actor, patientId, 'patient.read', { what });
    const otherDoses = shownDoses.filter((d) => d.access === 'consented');
    if (otherDoses.length || shownPrescriptions.some((x) => x.access === 'consented')) {
      // R7: the read of another provider's data is its own audit row, naming the providers and doses.
      await this.repo.audit(actor, patientId, 'journal.cross-provider-read', {
        what,
        careProviders: [...new Set(otherDoses.map((d) => d.owner_provider_id))],
        vaccinationIds: otherDoses.map((d) => d.id),
      });
    }
    return {
      patient: {
        id: patient.id,
        personalIdentityNumber: patient.identity_number,
        identityType: patient.identity_type,
        firstName: patient.first_name,
        lastName: patient.last_name,
        birthDate: patient.birth_date,
        sex: patient.sex,
        protectedIdentity: patient.protected_identity,
        sealed: patient.sealed,
      },
      vaccinations: shownDoses.map(doseView),
      prescriptions: shownPrescriptions.map(prescriptionView),
      declarations: declarations.map((d) => ({
        id: d.id,
        diseaseArea: d.disease_area,
        answers: d.answers,
        flags: d.flags.map((f) => ({ code: f, text: flagText(f) })),
        comment: d.comment,
        source: d.source,
        unitName: d.unit_name,
        filledBy: d.filled_by,
        bookingId: d.booking_id,
        createdAt: d.created_at,
      })),
      crossProvider: {
        consent: consent ? { givenAt: consent.given_at } : null,
        // "Sam. journalföring" shows how many doses other providers hold (never the blocked ones)
        otherProviderDoses: doses.filter((d) => d.access === 'hidden' || d.access === 'consented').length,
        hiddenDoses: doses.filter((d) => d.access === 'hidden').length,
      },
    };
  }

  async accessLog(p: StaffPrincipal, pnr: string, limit = 500) {
    this.require(p, 'audit.read');
    const patientId = await this.resolve(pnr);
    const rows = await this.repo.accessLog(patientId, limit);
    await this.repo.audit(staffActor(p), patientId, 'patient.read', { what: 'access-log' });
    return {
      patientId,
      entries: rows.map((r) => ({
        at: r.at,
        action: r.action,
        what: (r.detail?.what as string | undefined) ?? null,
        role: r.role,
        user: r.user_hsa_id ? { name: r.user_name, hsaId: r.user_hsa_id } : null,
        unit: r.unit_hsa_id ? { name: r.unit_name, hsaId: r.unit_hsa_id } : null,
        assignmentId: r.assignment_id,
        citizen: !r.user_hsa_id,
      })),
    };
  }

  // ------------------------------------------------------------------ declarations (R19)

  private validDeclaration(body: unknown): { value: DeclarationInput; flags: string[] } {
    const res = parseDeclaration(body);
    if (!res.ok) throw badRequest(res.message, res.field);
    return res;
  }

  async declareAtUnit(p: StaffPrincipal, pnr: string, body: unknown) {
    this.require(p, 'declaration.write');
    const { value, flags } = this.validDeclaration(body);
    const patientId = await this.resolve(pnr);
    const row = await this.repo.insertDeclaration({
      patientId,
      bookingId: null,
      diseaseArea: value.diseaseArea,
      answers: value.answers,
      flags,
      comment: value.comment || null,
      source: 'STAFF',
      unitId: p.unitId,
      filledById: p.userId,
      actor: staffActor(p),
    });
    return {
      id: row!.id,
      createdAt: row!.created_at,
      flags: flags.map((f) => ({ code: f, text: flagText(f) })),
    };
  }

  /** Before the visit: the citizen fills it, optionally for one of their bookings (R19). */
  async declareAsCitizen(c: CitizenPrincipal, body: unknown) {
    const bookingId =
      body && typeof body === 'object' && typeof (body as { bookingId?: unknown }).bookingId === 'string'
        ? (body as { bookingId: string }).bookingId
        : null;
    const rest = body && typeof body === 'object' ? { ...(body as Record<string, unknown>) } : body;
    if (rest && typeof rest === 'object') delete (rest as Record<string, unknown>).bookingId;
    const { value, flags } = this.validDeclaration(rest);
    const patient = await this.repo.patient(c.patientId);
    if (!patient) throw notFound('no such patient');
    if (patient.identity_type === 'RESERVNUMMER') {
      throw ruleBroken('a patient with a reserve number fills the health declaration at the unit (R4)');
    }
    if (bookingId) {
      const b = await this.repo.bookingOf(bookingId);
      if (!b || b.patient_id !== c.patientId)
        throw notFound('no such booking of yours', { field: 'bookingId' });
      if (b.status !== 'ACTIVE') throw ruleBroken('the booking is not active', { field: 'bookingId' });
    }
    try {
      const row = await this.repo.insertDeclaration({
        patientId: c.patientId,
        bookingId,
        diseaseArea: value.diseaseArea,
        answers: value.answers,
        flags,
        comment: value.comment || null,
        source: 'CITIZEN',
        unitId: null,
        filledById: null,
        actor: actorOf(c),
      });
      return { id: row!.id, createdAt: row!.created_at, flags };
    } catch (e) {
      if (isUniqueViolation(e))
        throw conflict('the booking already has a health declaration', { field: 'bookingId' });
      throw e;
    }
  }

  // ------------------------------------------------------------------ prescriptions (R20)

  /**
   * "Signera ordination": one or more doses (1 and 2 together). A dose without a product takes
   * the product of the dose before it (in this request, or given or prescribed earlier). A
   * declaration with flags must be acknowledged by the prescriber.
   */
  async prescribe(
    p: StaffPrincipal,
    pnr: string,
    body: {
      doses: Array<{ doseNumber: number; productId?: string }>;
      declarationId?: string;
      acknowledgeFlags?: boolean;
    },
    replace: { id: string; reason: string } | null = null,
  ) {
    this.require(p, 'prescription.write');
    const patientId = await this.resolve(pnr);
    const numbers = body.doses.map((d) => d.doseNumber);
    if (new Set(numbers).size !== numbers.length) throw badRequest('doses: each dose number once', 'doses');
    const sorted = [...body.doses].sort((a, b) => a.doseNumber - b.doseNumber);
    const resolved: Array<{ productId: string; doseNumber: number; diseaseArea: string }> = [];
    for (const d of sorted) {
      let productId = d.productId;
      if (!productId) {
        if (d.doseNumber === 1) throw badRequest('doses: dose 1 needs a productId', 'doses.productId');
        // R20: dose 2 defaults to dose 1's product
        productId =
          resolved.find((r) => r.doseNumber === d.doseNumber - 1)?.productId ??
          (await this.repo.previousDoseProduct(patientId, d.doseNumber))?.product_id;
        if (!productId) {
          throw badRequest(
            `doses: dose ${d.doseNumber} needs a productId (no dose ${d.doseNumber - 1} to take it from)`,
            'doses.productId',
          );
        }
      }
      const product = await this.repo.product(productId);
      if (!product) throw notFound(`no such product ${productId}`, { field: 'doses.productId' });
      if (!product.active)
        throw ruleBroken(`${product.name} is no longer in use`, { field: 'doses.productId' });
      if (d.doseNumber > Math.max(product.doses_in_series, 1) + 3) {
        throw badRequest(
          `doses: dose ${d.doseNumber} is far beyond ${product.name}'s series`,
          'doses.doseNumber',
        );
      }
      resolved.push({ productId, doseNumber: d.doseNumber, diseaseArea: product.disease_area });
    }
    const area = resolved[0]!.diseaseArea;
    let declarationId: string | null = null;
    let flags: string[] = [];
    if (body.declarationId) {
      const decl = await this.repo.declaration(body.declarationId);
      if (!decl || decl.patient_id !== patientId)
        throw notFound('no such declaration of this patient', { field: 'declarationId' });
      declarationId = decl.id;
      flags = decl.flags;
    } else {
      const latest = await this.repo.latestDeclaration(patientId, area);
      if (latest) {
        declarationId = latest.id;
        flags = latest.flags;
      }
    }
    if (flags.length && !body.acknowledgeFlags) {
      throw ruleBroken(
        `the health declaration has flags the prescriber must acknowledge: ${flags.join(', ')}`,
        {
          field: 'acknowledgeFlags',
          code: 'DECLARATION_FLAGS',
          flags: flags.map((f) => ({ code: f, text: flagText(f) })),
        },
      );
    }
    let rows;
    try {
      rows = await this.repo.prescribe({
        patientId,
        unitId: p.unitId,
        prescribedById: p.userId,
        declarationId,
        doses: resolved,
        replace,
        actor: staffActor(p),
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw conflict('the patient already has an active prescription for that dose: void or replace it', {
          field: 'doses',
          code: 'PRESCRIPTION_EXISTS',
        });
      }
      throw e;
    }
    if (replace && rows.length === 0) throw conflict('the prescription is no longer active', { field: 'id' });
    return {
      prescriptions: rows.map((r) => ({
        id: r.id,
        doseNumber: r.dose_number,
        productId: r.product_id,
        status: 'ACTIVE',
        replacesId: r.replaced,
      })),
      declarationId,
    };
  }

  private async ownPrescription(p: StaffPrincipal, id: string) {
    const pr = await this.repo.prescription(id);
    // R8: prescriptions are seen across the units of one provider; other providers' are not ours to void
    if (!pr || pr.care_provider_id !== p.careProviderId)
      throw notFound('no such prescription', { field: 'id' });
    return pr;
  }

  /** Voids an active prescription; with a replacement, the new one is signed in the same statement. */
  async voidPrescription(
    p: StaffPrincipal,
    id: string,
    body: { reason: string; replacement?: { productId?: string; acknowledgeFlags?: boolean } },
  ) {
    this.require(p, 'prescription.write');
    const pr = await this.ownPrescription(p, id);
    if (pr.status !== 'ACTIVE')
      throw conflict(`the prescription is ${pr.status.toLowerCase()}`, { field: 'id' });
    if (body.replacement) {
      const pat = await this.repo.patient(pr.patient_id);
      return this.prescribe(
        p,
        pat!.identity_number,
        {
          doses: [{ doseNumber: pr.dose_number, productId: body.replacement.productId ?? pr.product_id }],
          acknowledgeFlags: body.replacement.acknowledgeFlags,
        },
        { id, reason: body.reason },
      );
    }
    const row = await this.repo.voidPrescription(id, body.reason, staffActor(p), pr.patient_id);
    if (!row) throw conflict('the prescription is no longer active', { field: 'id' });
    return { id, status: 'VOIDED' };
  }

  // ------------------------------------------------------------------ doses

  /** R22: a dose given elsewhere or abroad: no batch, a comment, never sent to NVR. */
  async registerHistorical(
    p: StaffPrincipal,
    pnr: string,
    body: { productId: string; doseNumber: number; givenOn: string; comment: string },
  ) {
    this.require(p, 'vaccination.historical');
    if (body.givenOn > stockholmToday()) throw badRequest('givenOn must not be in the future', 'givenOn');
    const patientId = await this.resolve(pnr);
    const product = await this.repo.product(body.productId);
    if (!product) throw notFound('no such product', { field: 'productId' });
    const row = await this.repo.insertHistorical({
      patientId,
      productId: body.productId,
      doseNumber: body.doseNumber,
      givenOn: body.givenOn,
      comment: body.comment,
      recordedUnitId: p.unitId,
      userId: p.userId,
      actor: staffActor(p),
    });
    return { id: row!.id, historical: true, givenOn: body.givenOn, doseNumber: body.doseNumber };
  }

  /** Makulera: a given dose is voided (kept, marked, re-reported to NVR as a correction). */
  async voidDose(p: StaffPrincipal, id: string, reason: string) {
    this.require(p, 'vaccination.void');
    const d = await this.repo.dose(id);
    if (!d || (d.owner_provider_id !== null && d.owner_provider_id !== p.careProviderId)) {
      throw notFound('no such vaccination at your care provider', { field: 'id' });
    }
    if (d.status === 'VOIDED') throw conflict('the vaccination is already voided', { field: 'id' });
    const row = await this.repo.voidDose(id, reason, staffActor(p));
    if (!row) throw conflict('the vaccination is already voided', { field: 'id' });
    return { id, status: 'VOIDED', voidedAt: row.voided_at, voidReason: reason, revision: row.revision };
  }

  async sealDose(p: StaffPrincipal, id: string, sealed: boolean) {
    this.require(p, 'vaccination.void');
    const d = await this.repo.dose(id);
    if (!d || (d.owner_provider_id !== null && d.owner_provider_id !== p.careProviderId)) {
      throw notFound('no such vaccination at your care provider', { field: 'id' });
    }
    await this.repo.sealDose(id, sealed, staffActor(p));
    return { id, sealedByProvider: sealed };
  }

  async sealPatient(p: StaffPrincipal, pnr: string, sealed: boolean) {
    this.require(p, 'journal.read');
    const patientId = await this.resolve(pnr);
    await this.repo.sealPatient(patientId, sealed, staffActor(p));
    return { patientId, sealed };
  }

  // ------------------------------------------------------------------ identity (R2)

  async changeIdentity(p: StaffPrincipal, pnr: string, newNumber: string) {
    this.require(p, 'patient.identity-change');
    const patientId = await this.resolve(pnr);
    const patient = (await this.repo.patient(patientId))!;
    let next;
    try {
      next = parseIdentityNumber(newNumber);
    } catch (e) {
      if (e instanceof IdentityError) throw badRequest(`newIdentityNumber ${e.message}`, 'newIdentityNumber');
      throw e;
    }
    if (patient.identity_type === 'PERSONNUMMER') {
      throw ruleBroken('a personnummer is permanent: only a reserve or coordination number is changed (R2)', {
        field: 'personalIdentityNumber',
      });
    }
    if (patient.identity_type === 'SAMORDNINGSNUMMER' && next.type !== 'PERSONNUMMER') {
      throw ruleBroken('a coordination number is changed to a personnummer only', {
        field: 'newIdentityNumber',
      });
    }
    try {
      const row = await this.repo.changeIdentity({
        patientId,
        fromNumber: patient.identity_number,
        fromType: patient.identity_type,
        toNumber: next.number,
        toType: next.type,
        birthDate: next.birthDate,
        sex: next.sex,
        actor: staffActor(p),
      });
      if (!row) throw conflict('the patient’s number changed meanwhile', { field: 'personalIdentityNumber' });
      return {
        patientId,
        personalIdentityNumber: next.number,
        identityType: next.type,
        previous: { number: patient.identity_number, type: patient.identity_type },
        vaccinationsToReReport: row.bumped,
      };
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw conflict('another patient already has that number: the records must be merged by hand', {
          field: 'newIdentityNumber',
          code: 'IDENTITY_TAKEN',
        });
      }
      throw e;
    }
  }

  // ------------------------------------------------------------------ consent (R7)

  async recordConsent(p: StaffPrincipal, pnr: string) {
    this.require(p, 'consent.write');
    const patientId = await this.resolve(pnr);
    const row = await this.repo.recordConsent(patientId, p.careProviderId, staffActor(p));
    return {
      patientId,
      careProviderId: p.careProviderId,
      givenAt: row?.given_at ?? new Date().toISOString(),
    };
  }

  async revokeConsent(p: StaffPrincipal, pnr: string) {
    this.require(p, 'consent.write');
    const patientId = await this.resolve(pnr);
    const rows = await this.repo.revokeConsent(patientId, p.careProviderId, staffActor(p));
    return { patientId, revoked: rows.length > 0 };
  }

  /** R7 spärr, recorded by staff on the patient's request: that provider's data is never shown to others. */
  async blockProvider(p: StaffPrincipal, pnr: string, careProviderId: string, blocked: boolean) {
    this.require(p, 'consent.write');
    const patientId = await this.resolve(pnr);
    if (!(await this.repo.careProviderExists(careProviderId)))
      throw notFound('no such care provider', { field: 'careProviderId' });
    if (blocked) await this.repo.block(patientId, careProviderId, staffActor(p));
    else await this.repo.liftBlock(patientId, careProviderId, staffActor(p));
    return { patientId, careProviderId, blocked };
  }

  // ------------------------------------------------------------------ citizen view (R5, R6)

  private async citizenPerson(id: string, birthDate: string | null, today: string) {
    const doses = await this.repo.citizenDoses(id);
    return {
      vaccinations: doses.map((d) => ({
        id: d.id,
        product: { id: d.product_id, name: d.product_name },
        doseNumber: d.dose_number,
        givenOn: d.given_on,
        historical: d.historical,
        comment: d.historical ? d.comment : null,
        unitName: d.unit_name,
        batchNumber: d.batch_number,
      })),
      nextDoses: nextDoses(
        doses.map((d) => ({
          productId: d.product_id,
          productName: d.product_name,
          doseNumber: d.dose_number,
          givenOn: d.given_on,
          dosesInSeries: d.doses_in_series,
          doseIntervalDays: d.dose_interval_days,
        })),
        today,
      ),
      age: birthDate ? ageOn(birthDate, today) : null,
    };
  }

  /** "Mina vaccinationer": the citizen's own doses and their minor children's, R5 respected. */
  async citizenVaccinations(c: CitizenPrincipal) {
    const today = stockholmToday();
    const me = await this.repo.patient(c.patientId);
    if (!me) throw notFound('no such patient');
    const self = await this.citizenPerson(me.id, me.birth_date, today);
    await this.repo.audit(actorOf(c), me.id, 'patient.read', { what: 'citizen-view', by: 'self' });
    const children = [];
    for (const child of await this.repo.children(me.id)) {
      // skyddade personuppgifter: nothing about the child is shown, not even to guardians
      if (child.protected_identity) continue;
      const view = await this.citizenPerson(child.id, child.birth_date, today);
      await this.repo.audit(actorOf(c), child.id, 'patient.read', {
        what: 'citizen-view',
        by: 'guardian',
        guardianId: me.id,
      });
      children.push({
        id: child.id,
        firstName: child.first_name,
        lastName: child.last_name,
        birthDate: child.birth_date,
        ...view,
      });
    }
    return {
      patient: {
        id: me.id,
        firstName: me.first_name,
        lastName: me.last_name,
        birthDate: me.birth_date,
        identityType: me.identity_type,
      },
      ...self,
      children,
    };
  }

  // ------------------------------------------------------------------ control report

  async controlReport(p: StaffPrincipal, q: { from?: string; to?: string; unitId?: string }) {
    this.require(p, 'control-report.read');
    const to = q.to ?? stockholmToday();
    const from =
      q.from ??
      (() => {
        const d = new Date(`${to}T00:00:00Z`);
        d.setUTCDate(d.getUTCDate() - 90);
        return d.toISOString().slice(0, 10);
      })();
    if (from > to) throw badRequest('from must not be after to', 'from');
    const limit = 2000;
    const rows = await this.repo.controlReport({
      careProviderId: p.careProviderId,
      unitId: q.unitId ?? null,
      from,
      to,
      limit: limit + 1,
    });
    const entries = rows.slice(0, limit).map((r) => {
      const problems: Array<{ code: string; text: string }> = [];
      if (r.historical)
        problems.push({
          code: 'HISTORICAL',
          text: 'registrerad utan batch, skickas inte till NVR',
        });
      if (r.status === 'VOIDED')
        problems.push({ code: 'VOIDED', text: `orsak: ${r.void_reason ?? 'ej angiven'}` });
      if (r.missing_batch) problems.push({ code: 'MISSING_BATCH', text: 'batchnummer saknas' });
      if (!r.historical && !r.identity_ok) {
        problems.push({
          code: 'INVALID_IDENTITY',
          text:
            r.identity_type === 'RESERVNUMMER'
              ? 'reservnummer: NVR kräver personnummer eller samordningsnummer (byt nummer när det finns)'
              : 'ogiltigt personnummer eller samordningsnummer',
        });
      }
      if (!r.historical && !r.product_code_ok)
        problems.push({
          code: 'UNKNOWN_PRODUCT_CODE',
          text: `NPL-id ${r.npl_id || '–'}, ATC ${r.atc_code || '–'} är ingen giltig vaccinkod`,
        });
      return {
        vaccinationId: r.id,
        givenOn: r.given_on,
        doseNumber: r.dose_number,
        status: r.status,
        historical: r.historical,
        comment: r.comment,
        voidedAt: r.voided_at,
        patient: {
          personalIdentityNumber: r.identity_number,
          identityType: r.identity_type,
          name: [r.first_name, r.last_name].filter(Boolean).join(' ') || null,
        },
        product: { name: r.product_name, nplId: r.npl_id, atcCode: r.atc_code },
        unit: r.unit_id ? { id: r.unit_id, name: r.unit_name } : null,
        reportedToNvr: r.reported,
        problems,
      };
    });
    await this.repo.auditMany(
      staffActor(p),
      [...new Set(rows.slice(0, limit).map((r) => r.patient_id))],
      'patient.read',
      {
        what: 'control-report',
      },
    );
    const counts: Record<string, number> = {};
    for (const e of entries) for (const pr of e.problems) counts[pr.code] = (counts[pr.code] ?? 0) + 1;
    return { from, to, truncated: rows.length > limit, counts, entries };
  }
}

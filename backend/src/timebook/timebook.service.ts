import { Inject, Injectable } from '@nestjs/common';
import { can } from '../auth/access-policy';
import type { Principal } from '../auth/principal';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AppError, ErrorCode, forbidden, notFound, ruleBroken } from '../common/errors';
import { AccessService } from '../organisation/access.service';
import { PatientsService } from '../patients/patients.service';
import { DatabaseService } from '../infra/database.service';
import { sql } from '../infra/sql';
import { idempotencyKey, IdempotencyKey, PG_UNIQUE_VIOLATION, replay } from '../infra/idempotency';
import { cancellationNotice } from './cancellation-notice';
import { addDays, todayInStockholm } from './dates';
import type { CreateBookingDto } from './dto/booking.dto';
import { Exec, TimebookRepository, type BookAttempt } from './timebook.repository';
import { WaitingRoomService } from './waiting-room.service';
import { WebBookingRepository } from './web-booking.repository';
import { doseEligibility, webBookingRefusal } from './web-booking-rules';

/** Who acts, as the timebook's SQL records it (bookedBy, cancelledBy, audit). */
export function actorRef(p: Principal) {
  return p.kind === 'staff'
    ? { id: p.userId, assignmentId: p.assignmentId, role: p.role }
    : { id: p.patientId, assignmentId: null, role: null };
}

/** booking.patient_id NULL: the registration in the booking statement lost a race (see TimebookRepository.book) */
const PG_NOT_NULL_VIOLATION = '23502';

@Injectable()
export class TimebookService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: TimebookRepository,
    private readonly access: AccessService,
    private readonly patients: PatientsService,
    private readonly db: DatabaseService,
    private readonly web: WebBookingRepository,
    private readonly waitingRoom: WaitingRoomService,
  ) {}

  async slots(p: Principal, unitId: string, date: string) {
    await this.access.unit(p, 'timebook.read', unitId);
    const { version, slots } = await this.repo.snapshot(unitId, date, date, date);
    return { version, slots };
  }

  async availability(p: Principal, unitId: string, from: string, to: string) {
    await this.access.unit(p, 'timebook.read', unitId);
    const { version, days } = await this.repo.snapshot(unitId, null, from, to);
    return { version, days };
  }

  /** The realtime snapshot: the day's slots and the counts of that day and the 13 after it. */
  async snapshot(unitId: string, date?: string) {
    const day = date ?? todayInStockholm();
    const snap = await this.repo.snapshot(unitId, day, day, addDays(day, 13));
    return { version: snap.version, snapshot: { unitId, date: day, slots: snap.slots, days: snap.days } };
  }

  async visitTypes(p: Principal, unitId: string, includeRetired = false) {
    if (p.kind === 'citizen') return this.repo.visitTypes(unitId, true);
    await this.access.unit(p, 'timebook.read', unitId);
    return this.repo.visitTypes(unitId, false, includeRetired);
  }

  /**
   * R13. With an Idempotency-Key, a retried request gets the first answer (not a 409 against its
   * own booking): the key is recorded in the booking's own statement.
   */
  async book(
    p: Principal,
    dto: CreateBookingDto,
    source: 'STAFF' | 'WEB' | 'SIMULATOR' = 'STAFF',
    idempotencyHeader?: string,
  ) {
    const idem = idempotencyKey(`${actorRef(p).id}:booking`, idempotencyHeader, dto);
    if (p.kind === 'citizen') await this.waitingRoom.ensureAdmitted(p.patientId);
    try {
      return await this.bookOnce(p, dto, source, idem).catch((e: unknown) => {
        // the patient's number was registered by a concurrent request in the same instant: once more
        if ((e as { code?: string; column?: string }).code === PG_NOT_NULL_VIOLATION)
          return this.bookOnce(p, dto, source, idem);
        throw e;
      });
    } catch (e) {
      // the same key already booked (a retry racing the first, or arriving after it)
      if (idem && (e instanceof AppError || (e as { code?: string }).code === PG_UNIQUE_VIOLATION)) {
        const first = await replay<{ id: string; slotId: string; status: 'ACTIVE' }>(this.db, idem);
        if (first) return first;
      }
      throw e;
    }
  }

  private async bookOnce(
    p: Principal,
    dto: CreateBookingDto,
    source: 'STAFF' | 'WEB' | 'SIMULATOR',
    idem: IdempotencyKey | null,
    rebookedFrom: string | null = null,
    exec?: Exec,
  ) {
    const field = 'patient.personalIdentityNumber';
    const identity = this.patients.resolve(dto.patient.personalIdentityNumber, field);
    if (p.kind === 'staff' && !can(p, 'booking.write', { unitId: p.unitId, regionId: p.regionId })) {
      throw forbidden('your assignment does not allow booking');
    }
    if (p.kind === 'citizen') {
      // checked before anything is registered: a citizen cannot create records for others
      const own = await this.patients.findByNumber(identity.number);
      if (!own || own.id !== p.patientId) throw forbidden('citizens book for themselves');
    }
    // Staff booking with a Swedish number: found or registered inside the booking's own statement
    // (one round trip; a lost attempt registers no one). Citizens and reserve numbers: known first.
    let patientRef: BookAttempt['patient'];
    if (p.kind === 'staff' && identity.type !== 'RESERVNUMMER') {
      patientRef = { register: identity };
    } else {
      const patient = await this.patients.findOrRegisterAny(dto.patient.personalIdentityNumber, field);
      if (p.kind === 'citizen') {
        const refusal = webBookingRefusal(patient);
        if (refusal) throw ruleBroken(refusal.message, { rule: refusal.rule, reason: refusal.reason });
        await this.checkEligibility(patient.id, dto.visitTypeId);
      }
      patientRef = { id: patient.id };
    }
    const outcome = await this.repo
      .book(
        {
          slotId: dto.slotId,
          visitTypeId: dto.visitTypeId,
          patient: patientRef,
          phone: dto.patient.phone ?? null,
          unitId: p.kind === 'staff' ? p.unitId : null,
          web: p.kind === 'citizen',
          actor: actorRef(p),
          source: p.kind === 'citizen' ? 'WEB' : source,
          publicUrl: this.config.PUBLIC_URL.replace(/\/$/, ''),
          linkSecret: this.config.JWT_SECRET,
          idempotency: idem,
          rebookedFrom,
        },
        exec,
      )
      .catch((e: unknown) => {
        // R12: the visit type was retired while this booking was being made (deferred trigger).
        if ((e as { code?: string }).code === '23514' && /retired/.test((e as Error).message)) {
          throw ruleBroken('the visit type has been retired', { field: 'visitTypeId' });
        }
        throw e;
      });
    if (outcome.bookingId) return { id: outcome.bookingId, slotId: dto.slotId, status: 'ACTIVE' as const };
    if (outcome.protectedPhone) {
      throw ruleBroken(
        'patient.phone must not be given: contact details are never stored for a patient with protected identity (R3)',
        { field: 'patient.phone', rule: 'R3' },
      );
    }
    const t = outcome.target;
    if (!t) throw notFound(`slot ${dto.slotId} not found`, { field: 'slotId' });
    if (p.kind === 'staff' && t.unit_id !== p.unitId) throw forbidden('the slot belongs to another unit');
    if (!outcome.visitTypeOk) {
      throw ruleBroken(
        'the visit type cannot be booked on this slot (unit, resource, weekday or web booking)',
        {
          field: 'visitTypeId',
        },
      );
    }
    if (t.in_past) throw ruleBroken('the slot has already started', { field: 'slotId' });
    throw new AppError(ErrorCode.SLOT_TAKEN, 'the slot was taken by someone else', {
      alternatives: outcome.alternatives,
    });
  }

  /** A dose-N visit type needs dose N-1 on record (historical doses count). 422 otherwise. */
  private async checkEligibility(patientId: string, visitTypeId: string): Promise<void> {
    const vt = await this.web.visitType(visitTypeId);
    if (!vt?.dose_number || vt.dose_number <= 1 || !vt.disease_area) return;
    const refusal = doseEligibility(vt.dose_number, await this.web.highestDose(patientId, vt.disease_area));
    if (refusal) throw ruleBroken(refusal, { field: 'visitTypeId', reason: 'DOSE_NOT_DUE' });
  }

  /**
   * Rebook (R10, history kept): the new booking names the one it replaces; an active old booking
   * is cancelled in the same transaction (no cancellation SMS: the confirmation of the new time
   * says it all). A booking already cancelled (e.g. by a mass cancellation, whose SMS carries the
   * rebooking link) is simply linked. Either both happen or neither.
   */
  async rebook(
    p: Principal,
    bookingId: string,
    dto: { slotId: string; visitTypeId?: string; phone?: string | null },
  ) {
    const old = await this.web.summary(bookingId);
    if (!old || (p.kind === 'citizen' && old.patientId !== p.patientId))
      throw notFound(`booking ${bookingId} not found`);
    if (p.kind === 'staff') await this.access.unit(p, 'booking.write', old.unitId);
    if (old.status !== 'ACTIVE' && old.status !== 'CANCELLED')
      throw ruleBroken(`a ${old.status.toLowerCase()} booking cannot be rebooked`, { field: 'bookingId' });
    const replaced = await this.db.one<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM booking WHERE rebooked_from_id = ${bookingId} AND status <> 'CANCELLED'`,
    );
    if (replaced?.n) throw new AppError(ErrorCode.CONFLICT, 'the booking has already been rebooked');
    if (p.kind === 'citizen') await this.waitingRoom.ensureAdmitted(p.patientId);
    const patient = await this.db.one<{ identity_number: string; phone: string | null }>(
      sql`SELECT p.identity_number, coalesce(b.phone, p.phone) AS phone
            FROM booking b JOIN patient p ON p.id = b.patient_id WHERE b.id = ${bookingId}`,
    );
    const booking: CreateBookingDto = {
      slotId: dto.slotId,
      visitTypeId: dto.visitTypeId ?? old.visitTypeId,
      patient: {
        personalIdentityNumber: patient!.identity_number,
        phone: dto.phone === undefined ? patient!.phone : dto.phone,
      },
    };
    const actor = actorRef(p);
    return this.db.tx(async (run) => {
      const res = await this.bookOnce(p, booking, 'STAFF', null, bookingId, run);
      if (old.status === 'ACTIVE') {
        const cancelled = await this.repo.cancelBookings(
          {
            unitId: old.unitId,
            bookingIds: [bookingId],
            notices: [],
            actor,
            reason: 'rebooked',
            massCancellationId: null,
            jobId: null,
          },
          run,
        );
        if (cancelled.cancelled !== 1)
          throw new AppError(ErrorCode.CONFLICT, 'the booking was changed meanwhile: reload and try again');
      }
      return { ...res, rebookedFrom: bookingId };
    });
  }

  /** A patient's bookings; staff see their own unit's only (R8). Audited. */
  async patientBookings(p: Principal, patientId: string) {
    if (p.kind === 'staff') await this.access.unit(p, 'booking.read', p.unitId);
    else if (p.patientId !== patientId) throw notFound('no such patient');
    await this.patients.audit(p, patientId, 'bookings');
    return this.web.bookingsOf(patientId, p.kind === 'staff' ? p.unitId : null);
  }

  async bookingDetails(p: Principal, bookingId: string) {
    const b = await this.repo.bookingDetails(bookingId);
    if (!b) throw notFound(`booking ${bookingId} not found`);
    if (p.kind === 'citizen') {
      if (b.patient.id !== p.patientId) throw notFound(`booking ${bookingId} not found`);
    } else {
      await this.access.unit(p, 'booking.read', b.unitId);
    }
    await this.patients.audit(p, b.patient.id, 'booking');
    const { patient, ...rest } = b;
    return {
      ...rest,
      history: await this.web.history(bookingId),
      phone: patient.protectedIdentity ? null : rest.phone,
      patient: {
        id: patient.id,
        personalIdentityNumber: patient.personalIdentityNumber,
        identityType: patient.identityType,
        name: [patient.firstName, patient.lastName].filter(Boolean).join(' ') || null,
        protectedIdentity: patient.protectedIdentity,
      },
    };
  }

  async cancel(p: Principal, bookingId: string, reason?: string) {
    const b = await this.repo.bookingUnit(bookingId);
    if (!b) throw notFound(`booking ${bookingId} not found`);
    if (p.kind === 'citizen') {
      if (b.patient_id !== p.patientId) throw notFound(`booking ${bookingId} not found`);
    } else {
      await this.access.unit(p, 'booking.write', b.unit_id);
    }
    await this.cancelWithNotices(b.unit_id, { bookingId }, actorRef(p), reason ?? null, null, null);
    // Cancelling twice is harmless: the answer is the booking's state, and nothing is sent twice.
    return { id: bookingId, status: 'CANCELLED' as const };
  }

  /**
   * Cancels the selected active bookings with one cancellation SMS each (R17). Returns the
   * number cancelled and, for a mass cancellation, its progress.
   */
  async cancelWithNotices(
    unitId: string,
    filter: { bookingId: string } | { massCancellationId: string; limit: number },
    actor: ReturnType<typeof actorRef>,
    reason: string | null,
    message: string | null,
    jobId: string | null,
  ) {
    const rows = await this.repo.cancellable(filter);
    if (rows.length === 0) return { cancelled: 0, done: null, total: null, more: false };
    const notices = rows
      .map((r) =>
        cancellationNotice(
          {
            bookingId: r.booking_id,
            unitName: r.unit_name,
            start: new Date(r.starts_at),
            phone: r.phone,
            protectedIdentity: r.protected_identity,
            smsOptOut: r.sms_opt_out,
          },
          { message: message ?? undefined, baseUrl: this.config.PUBLIC_URL, secret: this.config.JWT_SECRET },
        ),
      )
      .filter((n): n is NonNullable<typeof n> => n !== undefined);
    const res = await this.repo.cancelBookings({
      unitId,
      bookingIds: rows.map((r) => r.booking_id),
      notices,
      actor,
      reason,
      massCancellationId: 'massCancellationId' in filter ? filter.massCancellationId : null,
      jobId,
    });
    return { ...res, more: 'limit' in filter && rows.length === filter.limit };
  }

  async hold(p: Principal, slotId: string) {
    const slot = await this.repo.slotUnit(slotId);
    if (!slot) throw notFound(`slot ${slotId} not found`, { field: 'slotId' });
    if (p.kind === 'staff') await this.access.unit(p, 'booking.write', slot.unit_id);
    if (p.kind === 'citizen') await this.waitingRoom.ensureAdmitted(p.patientId);
    const heldBy = p.kind === 'staff' ? p.userId : p.patientId;
    const res = await this.repo.hold(
      slotId,
      heldBy,
      this.config.HOLD_MINUTES,
      p.kind === 'staff' ? p.unitId : null,
      p.kind === 'citizen',
      p.kind === 'citizen',
    );
    if (!res) throw new AppError(ErrorCode.SLOT_TAKEN, 'the slot is not free');
    return { holdId: res.hold_id, expiresAt: res.expires_at, slotId: res.slot_id };
  }

  async releaseHold(p: Principal, holdId: string) {
    const heldBy = p.kind === 'staff' ? p.userId : p.patientId;
    const released = await this.repo.releaseHolds({ holdId, heldBy });
    if (released.length === 0)
      throw new AppError(ErrorCode.HOLD_NOT_FOUND, 'no active hold of yours with that id');
    return { holdId, released: true };
  }

  async releaseExpiredHolds() {
    const rows = await this.repo.releaseHolds({ expired: true });
    return rows.reduce((n, r) => n + r.n, 0);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CitizenAllowed, CurrentPrincipal, Public } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { APP_CONFIG, AppConfig } from '../config/config';
import { forbidden, notFound } from '../common/errors';
import { ApiZodBody, ApiZodQuery, id, ZodPipe } from '../common/zod';
import { PatientsService } from '../patients/patients.service';
import { verifyBookingLinkToken } from './cancellation-notice';
import { addDays, todayInStockholm } from './dates';
import {
  linkToken,
  rebookSchema,
  RebookDto,
  webDaysQuerySchema,
  webTimesQuerySchema,
} from './dto/web-booking.dto';
import { actorRef, TimebookService } from './timebook.service';
import { WaitingRoomService } from './waiting-room.service';
import { WebBookingRepository } from './web-booking.repository';
import { webBookingRefusal } from './web-booking-rules';

const idPipe = new ZodPipe(id);

function citizen(p: Principal): string {
  if (p.kind !== 'citizen') throw forbidden('this is the citizen booking service: log in as a citizen');
  return p.patientId;
}

/** Citizen web booking (`/boka`): what the booking pages read, the waiting room, own bookings. */
@ApiTags('web booking')
@ApiBearerAuth()
@Controller('api')
export class WebBookingController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly web: WebBookingRepository,
    private readonly timebook: TimebookService,
    private readonly patients: PatientsService,
    private readonly waitingRoom: WaitingRoomService,
  ) {}

  @Get('citizen/me')
  @CitizenAllowed()
  @ApiOperation({ summary: 'The logged-in citizen, and whether they may book on the web (R3, R4)' })
  async me(@CurrentPrincipal() p: Principal) {
    const patientId = citizen(p);
    const row = await this.patients.byId(patientId);
    if (!row) throw notFound('no such patient');
    await this.patients.audit(p, patientId, 'self');
    const refusal = webBookingRefusal(row);
    return {
      id: row.id,
      name: [row.first_name, row.last_name].filter(Boolean).join(' ') || null,
      personalIdentityNumber: row.identity_number,
      identityType: row.identity_type,
      phone: row.protected_identity ? null : row.phone,
      webBooking: refusal
        ? { allowed: false, rule: refusal.rule, reason: refusal.reason, message: refusal.message }
        : { allowed: true },
      holdMinutes: this.config.HOLD_MINUTES,
    };
  }

  @Get('citizen/units')
  @CitizenAllowed()
  @ApiOperation({ summary: 'Units taking web bookings, with municipality and web-bookable visit types' })
  units() {
    return this.web.units();
  }

  @Get('citizen/units/:unitId/days')
  @CitizenAllowed()
  @ApiZodQuery(webDaysQuerySchema)
  @ApiOperation({ summary: 'Per day: how many times are free for this visit type on the web' })
  async days(
    @Param('unitId', idPipe) unitId: string,
    @Query(new ZodPipe(webDaysQuerySchema)) q: { visitTypeId: string; from: string; to: string },
  ) {
    await this.webVisitType(unitId, q.visitTypeId);
    return this.web.days(unitId, q.visitTypeId, q.from, q.to);
  }

  @Get('citizen/units/:unitId/times')
  @CitizenAllowed()
  @ApiZodQuery(webTimesQuerySchema)
  @ApiOperation({ summary: 'Free times of one day for this visit type (one per time; R10 picks the column)' })
  async times(
    @Param('unitId', idPipe) unitId: string,
    @Query(new ZodPipe(webTimesQuerySchema)) q: { visitTypeId: string; date: string },
  ) {
    await this.webVisitType(unitId, q.visitTypeId);
    return this.web.times(unitId, q.visitTypeId, q.date);
  }

  /** A web-bookable, current visit type of that unit, or a 404 naming the field. */
  private async webVisitType(unitId: string, visitTypeId: string) {
    const vt = await this.web.visitType(visitTypeId);
    if (!vt || vt.unit_id !== unitId || !vt.web_bookable || vt.retired)
      throw notFound(`no web-bookable visit type ${visitTypeId} at this unit`, { field: 'visitTypeId' });
    return vt;
  }

  @Get('citizen/bookings')
  @CitizenAllowed()
  @ApiOperation({ summary: "The citizen's own bookings, newest first" })
  bookings(@CurrentPrincipal() p: Principal) {
    return this.timebook.patientBookings(p, citizen(p));
  }

  @Post('citizen/waiting-room')
  @CitizenAllowed()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Take (or keep) a place in the booking waiting room: { admitted, position, estimatedWaitSeconds }. Poll it until admitted.',
  })
  enter(@CurrentPrincipal() p: Principal) {
    return this.waitingRoom.enter(citizen(p));
  }

  @Get('booking-links/:token')
  @Public()
  @ApiOperation({ summary: 'The booking behind a signed SMS link (time, place, status; no personal data)' })
  async link(@Param('token', new ZodPipe(linkToken)) token: string) {
    const b = await this.fromLink(token);
    const { patientId: _patientId, ...summary } = b;
    void _patientId;
    const from = todayInStockholm();
    return { booking: summary, rebookFrom: from, rebookTo: addDays(from, 30) };
  }

  @Delete('booking-links/:token')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel the booking behind a signed SMS link (idempotent)' })
  async cancelByLink(@Param('token', new ZodPipe(linkToken)) token: string) {
    const b = await this.fromLink(token);
    if (b.status === 'ACTIVE') {
      await this.timebook.cancelWithNotices(
        b.unitId,
        { bookingId: b.id },
        actorRef({ kind: 'citizen', patientId: b.patientId }),
        'cancelled by the patient (SMS link)',
        null,
        null,
      );
    }
    return { id: b.id, status: 'CANCELLED' as const };
  }

  private async fromLink(token: string) {
    const bookingId = verifyBookingLinkToken(token, this.config.JWT_SECRET);
    // a forged link and an unknown booking look the same
    const b = bookingId ? await this.web.summary(bookingId) : undefined;
    if (!b) throw notFound('the link is not valid (it may have been mistyped)', { field: 'token' });
    return b;
  }
}

/** Rebooking and a patient's booking list, for staff and citizens. */
@ApiTags('booking')
@ApiBearerAuth()
@Controller('api')
export class RebookingController {
  constructor(
    private readonly timebook: TimebookService,
    private readonly patients: PatientsService,
  ) {}

  @Post('bookings/:id/rebook')
  @CitizenAllowed()
  @ApiZodBody(rebookSchema)
  @ApiResponse({ status: 201, description: '{ id, slotId, status, rebookedFrom }' })
  @ApiResponse({ status: 409, description: "{ code: 'SLOT_TAKEN', alternatives } or already rebooked" })
  @ApiOperation({ summary: 'Move a booking to another slot; the old one is cancelled and kept as history' })
  rebook(
    @CurrentPrincipal() p: Principal,
    @Param('id', idPipe) bookingId: string,
    @Body(new ZodPipe(rebookSchema)) dto: RebookDto,
  ) {
    return this.timebook.rebook(p, bookingId, dto);
  }

  @Get('patients/:personalIdentityNumber/bookings')
  @ApiOperation({ summary: "A patient's bookings at your unit (R8), with rebooking history. Audited." })
  async patientBookings(@CurrentPrincipal() p: Principal, @Param('personalIdentityNumber') pnr: string) {
    const id = this.patients.resolve(pnr);
    const row = await this.patients.findByNumber(id.number);
    if (!row) throw notFound('no patient with that identity number', { field: 'personalIdentityNumber' });
    return this.timebook.patientBookings(p, row.id);
  }
}

import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CitizenAllowed, CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiZodBody, ApiZodQuery, id, ZodPipe } from '../common/zod';
import {
  availabilityQuerySchema,
  cancelBookingSchema,
  createBookingSchema,
  CreateBookingDto,
  slotsQuerySchema,
  visitTypesQuerySchema,
} from './dto/booking.dto';
import { MassCancellationService } from './mass-cancellation.service';
import { TimebookService } from './timebook.service';
import { massCancellationSchema, MassCancellationDto } from './dto/mass-cancellation.dto';

const idPipe = new ZodPipe(id);

@ApiTags('timebook')
@ApiBearerAuth()
@Controller('api')
export class TimebookController {
  constructor(private readonly timebook: TimebookService) {}

  @Get('units/:unitId/slots')
  @ApiOperation({ summary: "A unit's slots on one day, with the timebook version" })
  @ApiZodQuery(slotsQuerySchema)
  slots(
    @CurrentPrincipal() p: Principal,
    @Param('unitId', idPipe) unitId: string,
    @Query(new ZodPipe(slotsQuerySchema)) q: { date: string },
  ) {
    return this.timebook.slots(p, unitId, q.date);
  }

  @Get('units/:unitId/availability')
  @ApiOperation({ summary: 'Per day: slots opened, booked, held, blocked, free (R15)' })
  @ApiZodQuery(availabilityQuerySchema)
  availability(
    @CurrentPrincipal() p: Principal,
    @Param('unitId', idPipe) unitId: string,
    @Query(new ZodPipe(availabilityQuerySchema)) q: { from: string; to: string },
  ) {
    return this.timebook.availability(p, unitId, q.from, q.to);
  }

  @Get('units/:unitId/visit-types')
  @CitizenAllowed()
  @ApiZodQuery(visitTypesQuerySchema)
  @ApiOperation({ summary: "A unit's visit types (citizens see the web-bookable ones)" })
  visitTypes(
    @CurrentPrincipal() p: Principal,
    @Param('unitId', idPipe) unitId: string,
    @Query(new ZodPipe(visitTypesQuerySchema)) q: { includeRetired?: 'true' | 'false' },
  ) {
    return this.timebook.visitTypes(p, unitId, q.includeRetired === 'true');
  }
}

@ApiTags('booking')
@ApiBearerAuth()
@Controller('api')
export class BookingsController {
  constructor(
    private readonly timebook: TimebookService,
    private readonly massCancellations: MassCancellationService,
  ) {}

  @Post('bookings')
  @CitizenAllowed()
  @ApiOperation({ summary: 'Book a slot (R13: exactly one of concurrent attempts wins)' })
  @ApiZodBody(createBookingSchema)
  @ApiResponse({ status: 201, description: '{ id, slotId, status }' })
  @ApiResponse({ status: 409, description: "{ code: 'SLOT_TAKEN', alternatives }" })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'a retried POST with the same key returns the first answer',
  })
  book(
    @CurrentPrincipal() p: Principal,
    @Body(new ZodPipe(createBookingSchema)) dto: CreateBookingDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    return this.timebook.book(p, dto, 'STAFF', idempotencyKey);
  }

  @Get('bookings/:id')
  @CitizenAllowed()
  @ApiOperation({ summary: 'A booking with its patient (audited, R30)' })
  get(@CurrentPrincipal() p: Principal, @Param('id', idPipe) bookingId: string) {
    return this.timebook.bookingDetails(p, bookingId);
  }

  @Delete('bookings/:id')
  @CitizenAllowed()
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a booking (idempotent); the slot is freed live' })
  cancel(
    @CurrentPrincipal() p: Principal,
    @Param('id', idPipe) bookingId: string,
    @Body(new ZodPipe(cancelBookingSchema)) body?: { reason?: string },
  ) {
    return this.timebook.cancel(p, bookingId, body?.reason);
  }

  @Post('units/:unitId/mass-cancellations')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a day or time range (optionally one visit type) with one SMS each (R17)' })
  @ApiZodBody(massCancellationSchema)
  @ApiResponse({ status: 202, description: '{ jobId, massCancellationId, total }' })
  massCancel(
    @CurrentPrincipal() p: Principal,
    @Param('unitId', idPipe) unitId: string,
    @Body(new ZodPipe(massCancellationSchema)) dto: MassCancellationDto,
  ) {
    return this.massCancellations.start(p, unitId, dto);
  }

  @Get('mass-cancellations/:id')
  @ApiOperation({ summary: 'A mass cancellation: status, progress, SMS queued' })
  massCancellation(@CurrentPrincipal() p: Principal, @Param('id', idPipe) id: string) {
    return this.massCancellations.get(p, id);
  }

  @Post('slots/:slotId/hold')
  @CitizenAllowed()
  @ApiOperation({ summary: 'Hold a free slot for a few minutes while booking (R14)' })
  hold(@CurrentPrincipal() p: Principal, @Param('slotId', idPipe) slotId: string) {
    return this.timebook.hold(p, slotId);
  }

  @Delete('holds/:holdId')
  @CitizenAllowed()
  @HttpCode(200)
  @ApiOperation({ summary: 'Release your hold' })
  release(@CurrentPrincipal() p: Principal, @Param('holdId', idPipe) holdId: string) {
    return this.timebook.releaseHold(p, holdId);
  }
}

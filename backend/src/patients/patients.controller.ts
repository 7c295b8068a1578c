import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { can } from '../auth/access-policy';
import { CurrentStaff } from '../auth/auth.decorators';
import type { StaffPrincipal } from '../auth/principal';
import { forbidden } from '../common/errors';
import { ApiZodBody, ZodPipe } from '../common/zod';
import { createPatientSchema, CreatePatientDto } from './dto';
import { PatientsService } from './patients.service';

@ApiTags('patients')
@ApiBearerAuth()
@Controller('api/patients')
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  @Post()
  @ApiOperation({
    summary:
      'Add a patient: with an identity number, or reserve a reserve number (R4). Protected identity: no contact details (R3).',
  })
  @ApiZodBody(createPatientSchema)
  @ApiResponse({ status: 201, description: 'the patient' })
  @ApiResponse({ status: 409, description: 'the number is known: { patient }' })
  @ApiResponse({ status: 422, description: 'contact details for a protected identity (R3)' })
  async create(
    @CurrentStaff() p: StaffPrincipal,
    @Body(new ZodPipe(createPatientSchema)) dto: CreatePatientDto,
  ) {
    if (!can(p, 'booking.write', { unitId: p.unitId, regionId: p.regionId }))
      throw forbidden('your assignment does not allow adding patients');
    return this.patients.create(p, dto);
  }

  @Get(':personalIdentityNumber')
  @ApiOperation({
    summary:
      'A patient by identity number (10 or 12 digits, with or without -/+) or reserve number. Audited (R30).',
  })
  async get(@CurrentStaff() p: StaffPrincipal, @Param('personalIdentityNumber') pnr: string) {
    if (!can(p, 'patient.read', { unitId: p.unitId, regionId: p.regionId })) throw forbidden();
    return this.patients.get(p, pnr);
  }
}

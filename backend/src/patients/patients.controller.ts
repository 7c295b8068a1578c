import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { can } from '../auth/access-policy';
import { CurrentStaff } from '../auth/auth.decorators';
import type { StaffPrincipal } from '../auth/principal';
import { forbidden } from '../common/errors';
import { PatientsService } from './patients.service';

@ApiTags('patients')
@ApiBearerAuth()
@Controller('api/patients')
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  @Get(':personalIdentityNumber')
  @ApiOperation({
    summary: 'A patient by identity number (10 or 12 digits, with or without -/+). Audited (R30).',
  })
  async get(@CurrentStaff() p: StaffPrincipal, @Param('personalIdentityNumber') pnr: string) {
    if (!can(p, 'patient.read', { unitId: p.unitId, regionId: p.regionId })) throw forbidden();
    return this.patients.get(p, pnr);
  }
}

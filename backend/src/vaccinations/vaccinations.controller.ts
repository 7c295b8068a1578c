import { Body, Controller, Headers, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentStaff } from '../auth/auth.decorators';
import type { StaffPrincipal } from '../auth/principal';
import { ApiZodBody, id, ZodPipe } from '../common/zod';
import { VaccinationsService } from './vaccinations.service';

const administerSchema = z.object({
  personalIdentityNumber: z.string().max(20, 'is too long'),
  productId: id,
  batchId: id,
  doseNumber: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .max(10, 'must be 10 or less'),
  /** R9: the prescription this dose gives ("Signera administrering"); a NURSE needs one */
  prescriptionId: id.optional(),
});

@ApiTags('vaccinations')
@ApiBearerAuth()
@Controller('api/vaccinations')
export class VaccinationsController {
  constructor(private readonly vaccinations: VaccinationsService) {}

  @Post()
  @ApiOperation({
    summary: "Administer a dose from the unit's stock (R21); multi-dose vials are tracked (R25)",
  })
  @ApiZodBody(administerSchema)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'a retried POST with the same key gives no second dose',
  })
  administer(
    @CurrentStaff() p: StaffPrincipal,
    @Body(new ZodPipe(administerSchema)) dto: z.infer<typeof administerSchema>,
    @Headers('idempotency-key') idempotencyHeader?: string,
  ) {
    return this.vaccinations.administer(p, dto, idempotencyHeader);
  }
}

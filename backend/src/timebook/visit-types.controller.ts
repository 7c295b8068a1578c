import { Body, Controller, Delete, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiZodBody, id, ZodPipe } from '../common/zod';
import {
  createVisitTypeSchema,
  CreateVisitTypeDto,
  updateVisitTypeSchema,
  UpdateVisitTypeDto,
} from './dto/visit-type.dto';
import { VisitTypesService } from './visit-types.service';

const idPipe = new ZodPipe(id);

@ApiTags('timebook')
@ApiBearerAuth()
@Controller('api')
export class VisitTypesController {
  constructor(private readonly visitTypes: VisitTypesService) {}

  @Post('units/:unitId/visit-types')
  @ApiOperation({ summary: 'Create a visit type (R11)' })
  @ApiZodBody(createVisitTypeSchema)
  create(
    @CurrentPrincipal() p: Principal,
    @Param('unitId', idPipe) unitId: string,
    @Body(new ZodPipe(createVisitTypeSchema)) dto: CreateVisitTypeDto,
  ) {
    return this.visitTypes.create(p, unitId, dto);
  }

  @Patch('visit-types/:id')
  @ApiOperation({ summary: 'Rename, change weekdays or web booking, retire or reinstate a visit type' })
  @ApiZodBody(updateVisitTypeSchema)
  update(
    @CurrentPrincipal() p: Principal,
    @Param('id', idPipe) visitTypeId: string,
    @Body(new ZodPipe(updateVisitTypeSchema)) dto: UpdateVisitTypeDto,
  ) {
    return this.visitTypes.update(p, visitTypeId, dto);
  }

  @Delete('visit-types/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a visit type: 409 while future bookings use it (R12)' })
  @ApiResponse({ status: 409, description: 'future bookings use it; rename or retire instead' })
  remove(@CurrentPrincipal() p: Principal, @Param('id', idPipe) visitTypeId: string) {
    return this.visitTypes.remove(p, visitTypeId);
  }
}

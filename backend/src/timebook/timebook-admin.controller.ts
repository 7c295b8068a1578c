import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiZodBody, ApiZodQuery, localDate, ZodPipe } from '../common/zod';
import {
  blockSchema,
  BlockDto,
  dateQuery,
  daySchema,
  DayDto,
  id,
  openSlotsSchema,
  OpenSlotsDto,
  rangeQuery,
} from './dto/admin.dto';
import { TimebookAdminService } from './timebook-admin.service';

const idPipe = new ZodPipe(id);

@ApiTags('timebook administration')
@ApiBearerAuth()
@Controller('api')
export class TimebookAdminController {
  constructor(private readonly admin: TimebookAdminService) {}

  @Post('units/:unitId/timebook/slots')
  @ApiOperation({ summary: 'Open slots from a weekly template (R10); slots already there are kept' })
  @ApiZodBody(openSlotsSchema)
  open(
    @CurrentPrincipal() p: Principal,
    @Param('unitId', idPipe) unitId: string,
    @Body(new ZodPipe(openSlotsSchema)) dto: OpenSlotsDto,
  ) {
    return this.admin.openSlots(p, unitId, dto);
  }

  @Post('units/:unitId/timebook/blocks')
  @ApiOperation({ summary: 'Block a time range with a note (R16)' })
  @ApiZodBody(blockSchema)
  block(
    @CurrentPrincipal() p: Principal,
    @Param('unitId', idPipe) unitId: string,
    @Body(new ZodPipe(blockSchema)) dto: BlockDto,
  ) {
    return this.admin.block(p, unitId, dto);
  }

  @Get('units/:unitId/timebook/blocks')
  @ApiOperation({ summary: "A day's blocks" })
  @ApiZodQuery(dateQuery)
  blocks(
    @CurrentPrincipal() p: Principal,
    @Param('unitId', idPipe) unitId: string,
    @Query(new ZodPipe(dateQuery)) q: { date: string },
  ) {
    return this.admin.blocks(p, unitId, q.date);
  }

  @Delete('timebook/blocks/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lift a block: its slots become free' })
  unblock(@CurrentPrincipal() p: Principal, @Param('id', idPipe) blockId: string) {
    return this.admin.unblock(p, blockId);
  }

  @Get('units/:unitId/timebook/resources')
  @ApiOperation({ summary: "The unit's resources (Sjuksköterska, Läkare) and their columns (R10)" })
  resources(@CurrentPrincipal() p: Principal, @Param('unitId', idPipe) unitId: string) {
    return this.admin.resources(p, unitId);
  }

  @Put('units/:unitId/timebook/days/:date')
  @ApiOperation({ summary: "A day's note (R16) and whether web booking is open" })
  @ApiZodBody(daySchema)
  setDay(
    @CurrentPrincipal() p: Principal,
    @Param('unitId', idPipe) unitId: string,
    @Param('date', new ZodPipe(localDate)) date: string,
    @Body(new ZodPipe(daySchema)) dto: DayDto,
  ) {
    return this.admin.setDay(p, unitId, date, dto);
  }

  @Get('units/:unitId/timebook/days')
  @ApiOperation({ summary: 'Day notes and web-booking state in a range' })
  @ApiZodQuery(rangeQuery)
  days(
    @CurrentPrincipal() p: Principal,
    @Param('unitId', idPipe) unitId: string,
    @Query(new ZodPipe(rangeQuery)) q: { from: string; to: string },
  ) {
    return this.admin.days(p, unitId, q.from, q.to);
  }
}

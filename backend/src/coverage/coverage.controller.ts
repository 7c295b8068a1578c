import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentStaff } from '../auth/auth.decorators';
import type { StaffPrincipal } from '../auth/principal';
import { ApiZodBody, ApiZodQuery, ZodPipe } from '../common/zod';
import {
  coverageQuerySchema,
  type CoverageQuery,
  dailyQuerySchema,
  type DailyQuery,
  matrixQuerySchema,
  type MatrixQuery,
  rebuildSchema,
  regionQuerySchema,
} from './dto';
import { CoverageService } from './coverage.service';

@ApiTags('coverage')
@ApiBearerAuth()
@Controller('api/coverage')
export class CoverageController {
  constructor(private readonly coverage: CoverageService) {}

  @Get()
  @ApiOperation({
    summary:
      'R29: people with at least dose N over the population register, by municipality, age group, care provider, unit, sex or region',
  })
  @ApiZodQuery(coverageQuerySchema)
  @ApiResponse({ status: 200, description: '{ version, rows: [{ key, label, population, vaccinated, coverage }] }' })
  get(@CurrentStaff() p: StaffPrincipal, @Query(new ZodPipe(coverageQuerySchema)) q: CoverageQuery) {
    return this.coverage.coverage(p, q.regionId ?? p.regionId, q);
  }

  @Get('matrix')
  @ApiOperation({ summary: 'Coverage by municipality × age group for one dose and product' })
  @ApiZodQuery(matrixQuerySchema)
  matrix(@CurrentStaff() p: StaffPrincipal, @Query(new ZodPipe(matrixQuerySchema)) q: MatrixQuery) {
    return this.coverage.matrix(p, q.regionId ?? p.regionId, q);
  }

  @Get('daily')
  @ApiOperation({ summary: "Doses given per day at the region's units, with the cumulative sum" })
  @ApiZodQuery(dailyQuerySchema)
  daily(@CurrentStaff() p: StaffPrincipal, @Query(new ZodPipe(dailyQuerySchema)) q: DailyQuery) {
    return this.coverage.daily(p, q.regionId ?? p.regionId, q);
  }

  @Get('dropout')
  @ApiOperation({ summary: 'Dropout dose 1 → 2 per product and disease area, once the interval has passed' })
  @ApiZodQuery(regionQuerySchema)
  dropout(@CurrentStaff() p: StaffPrincipal, @Query(new ZodPipe(regionQuerySchema)) q: { regionId?: string }) {
    return this.coverage.dropout(p, q.regionId ?? p.regionId);
  }

  @Get('filters')
  @ApiOperation({ summary: 'The product keys (any, disease areas, products) and doses to filter by' })
  @ApiZodQuery(regionQuerySchema)
  filters(@CurrentStaff() p: StaffPrincipal, @Query(new ZodPipe(regionQuerySchema)) q: { regionId?: string }) {
    return this.coverage.filters(p, q.regionId ?? p.regionId);
  }

  @Post('rebuilds')
  @HttpCode(202)
  @ApiOperation({ summary: 'Rebuild the coverage figures from scratch (compares with the live ones)' })
  @ApiZodBody(rebuildSchema.unwrap())
  rebuild(@CurrentStaff() p: StaffPrincipal, @Body(new ZodPipe(rebuildSchema)) body?: { regionId?: string }) {
    return this.coverage.startRebuild(p, body?.regionId ?? p.regionId);
  }
}

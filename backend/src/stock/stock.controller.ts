import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentStaff } from '../auth/auth.decorators';
import type { StaffPrincipal } from '../auth/principal';
import { ApiZodBody, ApiZodQuery, id, ZodPipe } from '../common/zod';
import {
  historyQuerySchema,
  movementSchema,
  MovementDto,
  overviewQuerySchema,
  reconciliationSchema,
} from './dto';
import { StockService } from './stock.service';

const idPipe = new ZodPipe(id);

@ApiTags('stock')
@ApiBearerAuth()
@Controller('api')
export class StockController {
  constructor(private readonly stock: StockService) {}

  @Get('units/:unitId/stock')
  @ApiOperation({ summary: "A unit's stock per batch and product, with warnings and the topic version" })
  unitStock(@CurrentStaff() p: StaffPrincipal, @Param('unitId', idPipe) unitId: string) {
    return this.stock.unitStock(p, unitId);
  }

  @Post('units/:unitId/stock/movements')
  @ApiOperation({ summary: 'A stock movement (R24): receipt, wastage, count, transfer; append-only ledger' })
  @ApiZodBody(movementSchema)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'a retried POST with the same key returns the first answer',
  })
  @ApiResponse({ status: 201, description: '{ movementId, balance: { batchId, doses, rowVersion } }' })
  @ApiResponse({ status: 409, description: 'stale expectedRowVersion, with the current balance' })
  @ApiResponse({ status: 422, description: 'would go below zero, with the current balance' })
  move(
    @CurrentStaff() p: StaffPrincipal,
    @Param('unitId', idPipe) unitId: string,
    @Body(new ZodPipe(movementSchema)) dto: MovementDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    return this.stock.move(p, unitId, dto, idempotencyKey);
  }

  @Get('units/:unitId/stock/batches/:batchId/ledger')
  @ApiOperation({ summary: 'The ledger of one batch at a unit, newest first' })
  ledger(
    @CurrentStaff() p: StaffPrincipal,
    @Param('unitId', idPipe) unitId: string,
    @Param('batchId', idPipe) batchId: string,
  ) {
    return this.stock.ledger(p, unitId, batchId);
  }

  @Get('units/:unitId/stock/history')
  @ApiOperation({ summary: 'Per day and product: balance, administered, wasted by reason' })
  @ApiZodQuery(historyQuerySchema)
  history(
    @CurrentStaff() p: StaffPrincipal,
    @Param('unitId', idPipe) unitId: string,
    @Query(new ZodPipe(historyQuerySchema)) q: { from: string; to: string },
  ) {
    return this.stock.history(p, unitId, q.from, q.to);
  }

  @Get('units/:unitId/stock/reconciliation')
  @ApiOperation({ summary: "The unit's latest reconciliation report (R27)" })
  reconciliation(@CurrentStaff() p: StaffPrincipal, @Param('unitId', idPipe) unitId: string) {
    return this.stock.latestReconciliation(p, unitId);
  }

  @Get('stock/overview')
  @ApiOperation({
    summary: 'Region-wide stock per unit and product: days of supply, 7-day cover, wastage (R26)',
  })
  @ApiZodQuery(overviewQuerySchema)
  overview(
    @CurrentStaff() p: StaffPrincipal,
    @Query(new ZodPipe(overviewQuerySchema)) q: { regionId?: string },
  ) {
    return this.stock.overview(p, q.regionId ?? p.regionId);
  }

  @Post('stock/reconciliations')
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a reconciliation (R27) of one unit or the whole region' })
  @ApiZodBody(reconciliationSchema.unwrap())
  reconcile(
    @CurrentStaff() p: StaffPrincipal,
    @Body(new ZodPipe(reconciliationSchema)) body?: { unitId?: string },
  ) {
    return this.stock.startReconciliation(p, body?.unitId);
  }
}

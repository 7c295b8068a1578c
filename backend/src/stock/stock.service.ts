import { Injectable } from '@nestjs/common';
import type { Principal, StaffPrincipal } from '../auth/principal';
import { AppError, badRequest, ErrorCode, forbidden, notFound, ruleBroken } from '../common/errors';
import { DatabaseService } from '../infra/database.service';
import { idempotencyKey, PG_UNIQUE_VIOLATION, replay } from '../infra/idempotency';
import { QueueRegistry } from '../infra/queue/queue.registry';
import { RealtimeService } from '../realtime/realtime.service';
import { AccessService } from '../organisation/access.service';
import { todayInStockholm } from '../timebook/dates';
import type { MovementDto } from './dto';
import type { LedgerKind, MovementResult, OverviewAggregate, OverviewRow, UnitStock } from './stock-api';
import { MovementInput, StockRepository } from './stock.repository';
import { aggregateOverview, batchWarnings, daysOfSupply, productWarnings, wastageRate } from './warnings';

const PG_DEADLOCK = '40P01';

@Injectable()
export class StockService {
  constructor(
    private readonly repo: StockRepository,
    private readonly access: AccessService,
    private readonly queues: QueueRegistry,
    private readonly realtime: RealtimeService,
    private readonly db: DatabaseService,
  ) {}

  async unitStock(p: Principal, unitId: string): Promise<UnitStock> {
    await this.access.unit(p, 'stock.read', unitId);
    return this.snapshot(unitId);
  }

  /** The unit's stock with warnings; also the realtime snapshot. */
  async snapshot(unitId: string): Promise<UnitStock> {
    const s = await this.repo.unitStock(unitId);
    const today = s?.today ?? todayInStockholm();
    const balances = (s?.balances ?? []).map((b) => ({ ...b, warnings: batchWarnings(b, today) }));
    const booked = new Map((s?.booked ?? []).map((x) => [x.productId, x]));
    const byProduct = new Map<
      string,
      { productId: string; productName: string; doses: number; usable: number }
    >();
    for (const b of balances) {
      const agg = byProduct.get(b.productId) ?? {
        productId: b.productId,
        productName: b.productName,
        doses: 0,
        usable: 0,
      };
      agg.doses += b.doses;
      if (b.expiresOn >= today) agg.usable += b.doses;
      byProduct.set(b.productId, agg);
    }
    for (const x of booked.values()) {
      if (!byProduct.has(x.productId)) byProduct.set(x.productId, { ...x, doses: 0, usable: 0 });
    }
    const products = [...byProduct.values()]
      .map((p) => {
        const bookedNext7Days = booked.get(p.productId)?.booked ?? 0;
        return {
          productId: p.productId,
          productName: p.productName,
          doses: p.doses,
          bookedNext7Days,
          warnings: productWarnings({ usableDoses: p.usable, bookedNext7Days }),
        };
      })
      .sort((a, b) => a.productName.localeCompare(b.productName, 'sv'));
    return { version: s?.version ?? 0, unitId, balances, products };
  }

  async ledger(p: Principal, unitId: string, batchId: string) {
    await this.access.unit(p, 'stock.read', unitId);
    return this.repo.ledger(unitId, batchId);
  }

  async latestReconciliation(p: Principal, unitId: string) {
    await this.access.unit(p, 'stock.read', unitId);
    const r = await this.repo.latestReport(unitId);
    if (!r) throw notFound('no reconciliation has run for this unit yet');
    return {
      unitId,
      periodFrom: r.period_from,
      periodTo: r.period_to,
      createdAt: r.created_at,
      report: r.report,
    };
  }

  async history(p: Principal, unitId: string, from: string, to: string) {
    await this.access.unit(p, 'stock.read', unitId);
    return this.repo.history(unitId, from, to);
  }

  async overview(
    p: Principal,
    regionId: string,
  ): Promise<{
    version: number;
    rows: OverviewRow[];
    careProviders: OverviewAggregate[];
    region: OverviewAggregate[];
  }> {
    this.access.region(p, 'stock.region', regionId);
    const [res, version] = await Promise.all([
      this.repo.overview(regionId),
      this.realtime.regionStockVersion(regionId),
    ]);
    const full = (res?.rows ?? []).map((r) => {
      const supply = daysOfSupply(r.doses, r.administered28, 28, r.daysOutOfStock);
      return {
        ...r,
        ...supply,
        coversNext7Days: r.usableDoses >= r.bookedNext7Days,
        wastageRate: wastageRate(r.administered28, r.wastedLast28Days),
      };
    });
    const rows = full.map(({ administered28: _a, usableDoses: _u, ...r }) => r);
    return {
      version,
      rows,
      careProviders: aggregateOverview(
        full,
        (r) => ({ key: r.careProviderId, name: r.careProviderName }),
        'careProvider',
      ),
      region: aggregateOverview(full, () => ({ key: regionId, name: 'Regionen' }), 'region'),
    };
  }

  /**
   * R24: one movement. Validates against the batch and the units involved, then runs the single
   * statement; a failed condition is told apart as stale (409) or below zero (422), each with the
   * current balance. An Idempotency-Key makes a retried POST return the first answer.
   */
  async move(
    p: StaffPrincipal,
    unitId: string,
    dto: MovementDto,
    idempotencyHeader?: string,
  ): Promise<MovementResult> {
    const result = await this.moveGivingFirst(p, unitId, dto, idempotencyHeader);
    // Results, fresh or replayed, name the giving unit first; a pulled transfer answers from the
    // receiving side, which is the caller's unit.
    if (dto.kind !== 'TRANSFER_IN' || !result.counterpart) return result;
    const { unitId: _receivingUnit, ...receiving } = result.counterpart;
    return {
      movementId: result.movementId,
      balance: receiving,
      counterpart: { unitId: dto.fromUnitId!, ...result.balance },
    };
  }

  private async moveGivingFirst(
    p: StaffPrincipal,
    unitId: string,
    dto: MovementDto,
    idempotencyHeader?: string,
  ): Promise<MovementResult> {
    const unit = await this.access.unit(p, 'stock.write', unitId);
    const scope = `${p.userId}:stock-movement:${unitId}`;
    const idem = idempotencyKey(scope, idempotencyHeader, dto);
    let batchId = dto.batchId;
    if (dto.newBatch) {
      const product = await this.repo.product(dto.newBatch.productId);
      if (!product) throw notFound('no such product', { field: 'newBatch.productId' });
      const created = await this.repo.findOrCreateBatch(
        product.id,
        dto.newBatch.batchNumber,
        dto.newBatch.expiresOn,
      );
      if (created!.expires_on !== dto.newBatch.expiresOn) {
        throw ruleBroken(
          `batch ${dto.newBatch.batchNumber} is registered with expiry ${created!.expires_on}`,
          {
            field: 'newBatch.expiresOn',
          },
        );
      }
      batchId = created!.id;
    }
    // Wastage and counts in doses need nothing but the movement itself (one round trip); the
    // batch is looked up where its data matters: vials, expiry of what comes in or moves on.
    const needsBatch = dto.vials !== undefined || dto.kind === 'RECEIPT' || dto.kind.startsWith('TRANSFER');
    const batch = needsBatch
      ? await this.repo.batch(batchId!)
      : { id: batchId!, doses_per_vial: 1, expires_on: '' };
    if (!batch) throw notFound('no such batch', { field: 'batchId' });
    const doses = dto.doses ?? dto.vials! * batch.doses_per_vial;
    const today = todayInStockholm();
    if (needsBatch && dto.kind !== 'WASTAGE' && batch.expires_on < today) {
      throw ruleBroken(`batch expired on ${batch.expires_on}: register it as wastage instead`, {
        field: 'batchId',
      });
    }

    // Transfers run with the giving unit as the primary row, so that the condition that can fail
    // (not below zero) is checked where the doses leave.
    let primaryUnit = unitId;
    let counterpart: string | null = null;
    let kind: LedgerKind;
    let delta = 0;
    switch (dto.kind) {
      case 'RECEIPT':
        kind = 'RECEIPT';
        delta = doses;
        break;
      case 'WASTAGE':
        kind = 'WASTAGE';
        delta = -doses;
        break;
      case 'COUNT':
        kind = 'COUNT_ADJUSTMENT';
        break;
      case 'TRANSFER_OUT': {
        if (dto.toUnitId === unitId) throw badRequest('toUnitId must be another unit', 'toUnitId');
        const to = await this.access.units.get(dto.toUnitId!);
        if (!to) throw notFound('no such unit', { field: 'toUnitId' });
        if (to.regionId !== unit.regionId)
          throw ruleBroken('transfers stay within the region', { field: 'toUnitId' });
        kind = 'TRANSFER_OUT';
        delta = -doses;
        counterpart = to.id;
        break;
      }
      case 'TRANSFER_IN': {
        if (dto.fromUnitId === unitId) throw badRequest('fromUnitId must be another unit', 'fromUnitId');
        const from = await this.access.units.get(dto.fromUnitId!);
        if (!from) throw notFound('no such unit', { field: 'fromUnitId' });
        if (from.regionId !== unit.regionId)
          throw ruleBroken('transfers stay within the region', { field: 'fromUnitId' });
        if (!(await this.repo.userManagesStockAt(p.userId, from.id))) {
          throw forbidden('you can only pull a transfer from a unit where you manage stock');
        }
        kind = 'TRANSFER_OUT';
        delta = -doses;
        primaryUnit = from.id;
        counterpart = unitId;
        break;
      }
    }
    // Only what may receive doses needs its balance row to exist before the movement locks it.
    if (kind === 'RECEIPT') await this.repo.ensureBalanceRow(primaryUnit, batch.id);
    if (counterpart) await this.repo.ensureBalanceRow(counterpart, batch.id);

    const input: MovementInput = {
      unitId: primaryUnit,
      batchId: batch.id,
      kind,
      delta,
      countedBalance: dto.kind === 'COUNT' ? doses : null,
      reason: dto.reason ?? null,
      note: dto.note ?? null,
      // a pulled transfer's row version refers to the receiving unit's balance, which has no condition
      expectedRowVersion: dto.kind === 'TRANSFER_IN' ? null : (dto.expectedRowVersion ?? null),
      counterpartUnitId: counterpart,
      actor: { userId: p.userId, assignmentId: p.assignmentId },
      idempotency: idem,
      cause: `stock.${dto.kind.toLowerCase()}`,
    };
    let row;
    for (let attempt = 0; ; attempt++) {
      try {
        row = await this.repo.move(input);
        break;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === PG_UNIQUE_VIOLATION && idem) {
          const first = await replay<MovementResult>(this.db, idem);
          if (first) return first;
        }
        if (code === PG_DEADLOCK && attempt < 3) continue;
        throw e;
      }
    }
    if (!row) {
      // A retry of a movement that went through finds its own change: answer as the first time.
      if (idem) {
        const first = await replay<MovementResult>(this.db, idem);
        if (first) return first;
      }
      const current = await this.repo.balance(primaryUnit, batch.id);
      if (!current) {
        if (!(await this.repo.batch(batch.id))) throw notFound('no such batch', { field: 'batchId' });
        throw notFound('this batch has no stock at the unit', { field: 'batchId' });
      }
      if (
        dto.expectedRowVersion !== undefined &&
        current &&
        current.rowVersion !== dto.expectedRowVersion &&
        dto.kind !== 'TRANSFER_IN'
      ) {
        throw new AppError(ErrorCode.CONFLICT, 'the balance was changed by someone else meanwhile', {
          code: 'STALE_ROW_VERSION',
          current,
        });
      }
      throw new AppError(
        ErrorCode.RULE_BROKEN,
        `the balance would go below zero: ${current?.doses ?? 0} doses left`,
        {
          code: 'BELOW_ZERO',
          current,
        },
      );
    }
    const primary = { batchId: batch.id, doses: row.doses, rowVersion: row.row_version };
    return { movementId: row.movement_id, balance: primary, counterpart: row.counterpart ?? undefined };
  }

  async startReconciliation(p: StaffPrincipal, unitId?: string): Promise<{ jobId: string }> {
    if (unitId) await this.access.unit(p, 'stock.write', unitId);
    else this.access.region(p, 'stock.region', p.regionId);
    const jobId = await this.queues.enqueue(
      'stock.reconcile',
      { regionId: p.regionId, unitId: unitId ?? null, requestedBy: p.userId, date: todayInStockholm() },
      {},
    );
    return { jobId };
  }
}

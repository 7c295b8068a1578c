import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { PrismaService } from '../infra/prisma.service';
import { JobHandler } from '../infra/queue/job-handler.decorator';
import type { JobMap, JobResult } from '../infra/queue/job-map';
import { QueueRegistry } from '../infra/queue/queue.registry';
import { addDays, todayInStockholm } from '../timebook/dates';
import { StockRepository } from './stock.repository';
import { wastageRate } from './warnings';

/**
 * R27, nightly and on demand. For each unit: writes off expired batches (once: the write-off is
 * conditional on the balance's row version, so a second run finds nothing left to write off),
 * reports the unexplained loss found by counts, and closed- and open-vial wastage rates per
 * product (WHO: wasted ÷ doses used, where used = administered + wasted). The report is stored
 * per unit and period (a re-run replaces it with the same figures).
 */
@Injectable()
export class ReconciliationProcessor {
  private readonly logger = new Logger(ReconciliationProcessor.name);

  constructor(
    private readonly repo: StockRepository,
    private readonly prisma: PrismaService,
    private readonly queues: QueueRegistry,
  ) {}

  @JobHandler('stock.reconcile-nightly')
  async nightly(): Promise<JobResult> {
    const regions = await this.prisma.region.findMany({ select: { id: true } });
    const yesterday = addDays(todayInStockholm(), -1);
    for (const r of regions) {
      await this.queues.enqueue(
        'stock.reconcile',
        { regionId: r.id, unitId: null, requestedBy: null, date: yesterday },
        { jobId: `reconcile-${r.id}-${yesterday}` },
      );
    }
    return { status: 'done', detail: { regions: regions.length } };
  }

  @JobHandler('stock.reconcile')
  async reconcile(data: JobMap['stock.reconcile'], job: Job): Promise<JobResult> {
    const units = data.unitId
      ? [{ id: data.unitId }]
      : await this.prisma.unit.findMany({
          where: { regionId: data.regionId },
          select: { id: true },
          orderBy: { name: 'asc' },
        });
    const total = units.length;
    let writtenOff = 0;
    await job.updateProgress({ done: 0, total });
    for (const [i, unit] of units.entries()) {
      for (const b of await this.repo.expiredBalances(unit.id)) {
        const moved = await this.repo
          .move({
            unitId: unit.id,
            batchId: b.batch_id,
            kind: 'WASTAGE',
            delta: -b.doses,
            countedBalance: null,
            reason: 'EXPIRED',
            note: 'Avskrivet vid avstämning (utgånget)',
            expectedRowVersion: b.row_version,
            counterpartUnitId: null,
            actor: { userId: data.requestedBy, assignmentId: null },
            idempotency: null,
            cause: 'stock.reconciliation',
          })
          .catch((e: unknown) => {
            this.logger.warn({ err: (e as Error).message }, 'write-off failed');
            return undefined;
          });
        if (moved) writtenOff += b.doses;
      }
      const figures = await this.repo.reconciliationFigures(unit.id, data.date, data.date);
      const products = figures.map((f) => ({
        productId: f.product_id,
        productName: f.product_name,
        received: f.received,
        administered: f.administered,
        closedVialWastage: f.closed_vial_wastage,
        openVialWastage: f.open_vial_wastage,
        unexplainedLoss: Math.max(0, -f.count_adjustment),
        unexplainedGain: Math.max(0, f.count_adjustment),
        counts: f.counts,
        closedVialWastageRate: wastageRate(f.administered, f.closed_vial_wastage),
        openVialWastageRate: wastageRate(f.administered, f.open_vial_wastage),
      }));
      await this.repo.saveReport(unit.id, data.date, data.date, { date: data.date, products });
      await job.updateProgress({ done: i + 1, total });
    }
    return { status: 'done', detail: { units: total, dosesWrittenOff: writtenOff } };
  }
}

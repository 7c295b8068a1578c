import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { can } from '../auth/access-policy';
import { CurrentStaff } from '../auth/auth.decorators';
import type { StaffPrincipal } from '../auth/principal';
import { forbidden, notFound } from '../common/errors';
import { QueueRegistry } from '../infra/queue/queue.registry';
import { AccessService } from '../organisation/access.service';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api/jobs')
export class JobsController {
  constructor(
    private readonly queues: QueueRegistry,
    private readonly access: AccessService,
  ) {}

  @Get(':id')
  @ApiOperation({ summary: 'A background job: queue, state and progress { done, total }' })
  async get(@CurrentStaff() p: StaffPrincipal, @Param('id') id: string) {
    if (!/^[\w:.-]{1,200}$/.test(id)) throw notFound(`job ${id} not found`);
    const found = await this.queues.findJob(id);
    if (!found) throw notFound(`job ${id} not found`);
    const { job, queue } = found;
    const data = (job.data ?? {}) as { unitId?: string; regionId?: string };
    const allowed = data.unitId
      ? await this.access.allowedUnit(p, 'jobs.read', data.unitId)
      : data.regionId !== undefined &&
        (can(p, 'jobs.read', { regionId: data.regionId }) ||
          can(p, 'stock.region', { regionId: data.regionId }));
    if (!allowed) throw forbidden('this job belongs to another unit or region');
    const state = await job.getState();
    const progress = job.progress as unknown;
    const p2 =
      typeof progress === 'object' && progress !== null && 'done' in progress
        ? (progress as { done: number; total: number })
        : { done: state === 'completed' ? 1 : 0, total: 1 };
    return {
      id: job.id,
      queue,
      name: job.name,
      state,
      progress: { done: p2.done, total: p2.total },
      failedReason: job.failedReason ?? undefined,
      result: (job.returnvalue as { detail?: unknown } | undefined)?.detail,
      createdAt: new Date(job.timestamp).toISOString(),
      finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
    };
  }
}

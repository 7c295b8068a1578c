import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { can } from '../auth/access-policy';
import { CurrentStaff } from '../auth/auth.decorators';
import type { StaffPrincipal } from '../auth/principal';
import { forbidden, notFound } from '../common/errors';
import { QueueRegistry } from '../infra/queue/queue.registry';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api/jobs')
export class JobsController {
  constructor(private readonly queues: QueueRegistry) {}

  @Get(':id')
  @ApiOperation({ summary: 'A background job: queue, state and progress { done, total }' })
  async get(@CurrentStaff() p: StaffPrincipal, @Param('id') id: string) {
    if (!/^[\w:.-]{1,200}$/.test(id)) throw notFound(`job ${id} not found`);
    const found = await this.queues.findJob(id);
    if (!found) throw notFound(`job ${id} not found`);
    const { job, queue } = found;
    const data = (job.data ?? {}) as { unitId?: string; regionId?: string };
    const allowed = data.unitId
      ? can(p, 'jobs.read', { unitId: data.unitId, regionId: p.regionId })
      : can(p, 'jobs.read', { regionId: data.regionId ?? p.regionId }) || p.role === 'ADMIN';
    if (!allowed) throw forbidden('this job belongs to another unit');
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

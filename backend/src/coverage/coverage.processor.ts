import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobHandler } from '../infra/queue/job-handler.decorator';
import type { JobMap, JobResult } from '../infra/queue/job-map';
import { CoverageRepository } from './coverage.repository';

/**
 * R29: rebuilds the coverage counters from scratch (nightly, and on demand): computes them again
 * and compares with the incremental ones in one snapshot (blocking no dose); only if some differ,
 * replaces them under the counters' lock. The result says how many rows differed (0 is the
 * expected answer: the triggers keep them).
 * Running it twice changes nothing the second time, so a retried job is harmless.
 */
@Injectable()
export class CoverageProcessor {
  private readonly logger = new Logger(CoverageProcessor.name);

  constructor(private readonly repo: CoverageRepository) {}

  @JobHandler('coverage.rebuild')
  async rebuild(_data: JobMap['coverage.rebuild'], job: Job): Promise<JobResult> {
    await job.updateProgress({ done: 0, total: 1 });
    const { tables, replaced } = await this.repo.rebuild(true);
    const mismatched = tables.reduce((n, t) => n + t.mismatched, 0);
    if (mismatched > 0)
      this.logger.warn({ tables }, 'coverage rebuild found figures that differed from the incremental ones');
    await job.updateProgress({ done: 1, total: 1 });
    return {
      status: 'done',
      detail: { mismatched, replaced, tables: Object.fromEntries(tables.map((t) => [t.tbl, { mismatched: t.mismatched, rows: t.total }])) },
    };
  }
}

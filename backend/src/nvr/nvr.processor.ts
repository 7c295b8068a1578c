import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { PrismaService } from '../infra/prisma.service';
import { JobHandler } from '../infra/queue/job-handler.decorator';
import type { JobMap, JobResult } from '../infra/queue/job-map';
import { NvrExporter } from './nvr-exporter';
import { NvrService } from './nvr.service';

/**
 * R28 jobs. `nvr.export` runs one export run (idempotent: see NvrExporter); a failed attempt is
 * noted on the run, and after the last attempt the run is FAILED (its claim released, so its
 * doses go out with the next run). `nvr.export-nightly` starts one run per region.
 */
@Injectable()
export class NvrProcessor {
  private readonly logger = new Logger(NvrProcessor.name);

  constructor(
    private readonly exporter: NvrExporter,
    private readonly nvr: NvrService,
    private readonly prisma: PrismaService,
  ) {}

  @JobHandler('nvr.export')
  async export(data: JobMap['nvr.export'], job: Job): Promise<JobResult> {
    try {
      const out = await this.exporter.run(data.exportId, {
        jobId: job.id,
        onProgress: (p) => job.updateProgress(p),
      });
      return { status: out.status, detail: { ...out } };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.logger.warn({ exportId: data.exportId, err: message, final }, 'NVR export attempt failed');
      await this.nvr.markFailed(data.exportId, message, final).catch(() => undefined);
      throw err;
    }
  }

  @JobHandler('nvr.export-nightly')
  async nightly(): Promise<JobResult> {
    const regions = await this.prisma.region.findMany({ select: { id: true } });
    const runs = [];
    for (const r of regions) runs.push(await this.nvr.createRun(r.id, 'schedule', null));
    return { status: 'done', detail: { runs: runs.map((r) => r.exportId) } };
  }
}

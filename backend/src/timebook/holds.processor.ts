import { Injectable } from '@nestjs/common';
import { JobHandler } from '../infra/queue/job-handler.decorator';
import type { JobResult } from '../infra/queue/job-map';
import { TimebookService } from './timebook.service';

/** R14: holds expire by themselves; this makes the release visible live. */
@Injectable()
export class HoldsProcessor {
  constructor(private readonly timebook: TimebookService) {}

  @JobHandler('timebook.release-expired-holds')
  async releaseExpired(): Promise<JobResult> {
    const released = await this.timebook.releaseExpiredHolds();
    return released ? { status: 'done', detail: { released } } : { status: 'skipped' };
  }
}

import { Injectable } from '@nestjs/common';
import { JobHandler } from '../infra/queue/job-handler.decorator';
import type { JobResult } from '../infra/queue/job-map';
import { VaccinationsRepository } from './vaccinations.repository';

/** R25: every quarter of an hour, units past their day end have their opened vials written off. */
@Injectable()
export class OpenVialsProcessor {
  constructor(private readonly repo: VaccinationsRepository) {}

  @JobHandler('stock.close-open-vials')
  async closeOpenVials(): Promise<JobResult> {
    let wasted = 0;
    const units = await this.repo.unitsPastDayEnd();
    for (const u of units) wasted += (await this.repo.closeOpenVials(u.id))?.wasted ?? 0;
    return units.length ? { status: 'done', detail: { units: units.length, wasted } } : { status: 'skipped' };
  }
}

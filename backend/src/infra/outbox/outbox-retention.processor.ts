import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database.service';
import { JobHandler } from '../queue/job-handler.decorator';
import type { JobResult } from '../queue/job-map';
import { sql } from '../sql';

/** Published events older than this are of no further use (see below). */
const KEEP = '2 days';
const BATCH = 10_000;

/**
 * The outbox keeps every event until it is published, and a while after: an instance whose Redis
 * subscription was cut resends the events of the outage from it (redis-io.adapter.ts), and
 * clients resync from snapshots, never from old events. Without pruning the table grows by every
 * booking, movement and dose forever; hourly, published events older than two days go, in batches
 * so that no statement holds many locks or runs long. Never an unpublished one.
 */
@Injectable()
export class OutboxRetentionProcessor {
  constructor(private readonly db: DatabaseService) {}

  @JobHandler('system.prune-outbox')
  async run(): Promise<JobResult> {
    const deleted = await this.prune();
    return deleted ? { status: 'done', detail: { deleted } } : { status: 'skipped' };
  }

  async prune(keep = KEEP): Promise<number> {
    let total = 0;
    for (;;) {
      const row = await this.db.one<{ n: number }>(sql`
        WITH old AS (
          SELECT id FROM outbox_event
           WHERE published_at IS NOT NULL AND published_at < now() - ${keep}::interval
           ORDER BY id LIMIT ${BATCH}
        ), gone AS (
          DELETE FROM outbox_event o USING old WHERE o.id = old.id RETURNING 1
        )
        SELECT count(*)::int AS n FROM gone`);
      total += row?.n ?? 0;
      if ((row?.n ?? 0) < BATCH) return total;
    }
  }
}

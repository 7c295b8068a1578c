import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { RedisService } from '../redis.service';
import { JOB_QUEUE, JobMap, JobName, QUEUES, QueueName } from './job-map';

export interface EnqueueOptions extends Pick<JobsOptions, 'delay' | 'priority'> {
  /** Deterministic id for a job that must not run twice (BullMQ ignores a second add). */
  jobId?: string;
}

/** The producers' side of BullMQ: typed `enqueue`, never importing a consumer. */
@Injectable()
export class QueueRegistry implements OnModuleDestroy {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly redis: RedisService) {}

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, {
        connection: this.redis.connectionOptions(`queue-${name}`),
        prefix: this.redis.key('bull'),
        defaultJobOptions: {
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      });
      this.queues.set(name, q);
    }
    return q;
  }

  all(): Queue[] {
    return QUEUES.map((n) => this.queue(n));
  }

  async enqueue<K extends JobName>(name: K, data: JobMap[K], opts: EnqueueOptions = {}): Promise<string> {
    const job = await this.queue(JOB_QUEUE[name]).add(name, data, opts);
    return job.id ?? '';
  }

  /**
   * A repeating job, every N ms or on a cron pattern in Swedish time (idempotent: upserting the
   * same scheduler twice keeps one).
   */
  async schedule<K extends JobName>(
    name: K,
    data: JobMap[K],
    repeat: { everyMs: number } | { cron: string },
  ): Promise<void> {
    const opts =
      'everyMs' in repeat ? { every: repeat.everyMs } : { pattern: repeat.cron, tz: 'Europe/Stockholm' };
    await this.queue(JOB_QUEUE[name]).upsertJobScheduler(name, opts, { name, data });
  }

  /** Finds a job by id across queues: `GET /api/jobs/:id`. */
  async findJob(id: string) {
    for (const q of this.all()) {
      const job = await q.getJob(id);
      if (job) return { job, queue: q.name };
    }
    return undefined;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

import { randomUUID } from 'node:crypto';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { closeWithin } from './close';
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
          // SMS: a provider failing one request in five must still reach everyone (0.2^10)
          attempts: name === 'sms' ? 10 : 5,
          backoff: { type: 'exponential', delay: name === 'sms' ? 500 : 1000 },
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      });
      // connection errors while Redis restarts or the queue closes: the queue reconnects by itself
      // (an 'error' event without a listener would crash the process)
      q.on('error', () => undefined);
      this.queues.set(name, q);
    }
    return q;
  }

  all(): Queue[] {
    return QUEUES.map((n) => this.queue(n));
  }

  /**
   * Without a jobId of its own a job gets a UUID-based one: BullMQ's default ids count per queue,
   * so "5" would exist in several queues and GET /api/jobs/:id could answer with another queue's job.
   */
  async enqueue<K extends JobName>(name: K, data: JobMap[K], opts: EnqueueOptions = {}): Promise<string> {
    const jobId = opts.jobId ?? `${name.replace(/\./g, '-')}-${randomUUID()}`;
    const job = await this.queue(JOB_QUEUE[name]).add(name, data, { ...opts, jobId });
    return job.id ?? jobId;
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
    // a queue's close QUITs its connection, which may be reconnecting: bounded, then cut
    await closeWithin([...this.queues.values()], 3000);
  }
}

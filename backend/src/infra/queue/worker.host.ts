import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Job, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { RedisService } from '../redis.service';
import { JOB_HANDLER } from './job-handler.decorator';
import { JOB_QUEUE, JobName, JobResult, QueueName } from './job-map';
import { QueueRegistry } from './queue.registry';

type Handler = (data: unknown, job: Job, token?: string) => Promise<JobResult>;

/** Schedules that run while any worker runs (every worker upserts the same scheduler). */
function schedules(
  config: AppConfig,
): Array<{ name: JobName; repeat: { everyMs: number } | { cron: string } }> {
  return [
    { name: 'timebook.release-expired-holds', repeat: { everyMs: config.HOLD_SWEEP_SECONDS * 1000 } },
    { name: 'stock.reconcile-nightly', repeat: { cron: '30 2 * * *' } },
    { name: 'stock.close-open-vials', repeat: { cron: '*/15 * * * *' } },
    { name: 'sms.reminders', repeat: { cron: '5 * * * *' } },
  ];
}

/**
 * The consumers' side: finds every @JobHandler at start and runs one BullMQ worker per queue
 * that has handlers. Only in processes whose role includes `worker`.
 */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WorkerHost.name);
  private readonly workers: Worker[] = [];
  readonly handlers = new Map<JobName, Handler>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly redis: RedisService,
    private readonly queues: QueueRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.discover();
    if (!this.config.runsWorker) return;
    const byQueue = new Map<QueueName, Map<JobName, Handler>>();
    for (const [name, handler] of this.handlers) {
      const q = JOB_QUEUE[name];
      if (!byQueue.has(q)) byQueue.set(q, new Map());
      byQueue.get(q)!.set(name, handler);
    }
    for (const [queueName, handlers] of byQueue) {
      const worker = new Worker(
        queueName,
        async (job: Job, token?: string) => {
          const handler = handlers.get(job.name as JobName);
          if (!handler) throw new Error(`no handler for job ${job.name}`);
          return handler(job.data, job, token);
        },
        {
          connection: this.redis.connectionOptions(`worker-${queueName}`),
          prefix: this.redis.key('bull'),
          concurrency: queueName === 'sms' ? 10 : 4,
          // one send rate for all workers together (BullMQ keeps the limiter in Redis)
          limiter: queueName === 'sms' ? { max: this.config.SMS_RATE_PER_SECOND, duration: 1000 } : undefined,
        },
      );
      worker.on('failed', (job, err) =>
        this.logger.warn({ job: job?.name, jobId: job?.id, err: err.message }, 'job failed'),
      );
      worker.on('error', () => undefined); // connection errors: the worker reconnects by itself
      this.workers.push(worker);
    }
    for (const s of schedules(this.config)) await this.queues.schedule(s.name, {}, s.repeat);
    this.logger.log(`workers running for queues: ${[...byQueue.keys()].join(', ')}`);
  }

  private discover(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const proto = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const fn = (instance as Record<string, unknown>)[method];
        if (typeof fn !== 'function') continue;
        const name = this.reflector.get<JobName | undefined>(JOB_HANDLER, fn as () => void);
        if (name) this.handlers.set(name, (fn as Handler).bind(instance));
      }
    }
  }

  /** Graceful shutdown: finish the jobs in hand, take no new ones. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}

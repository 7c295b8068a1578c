import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Job, Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { RedisService } from '../redis.service';
import { closeWithin } from './close';
import { JOB_HANDLER } from './job-handler.decorator';
import { JOB_QUEUE, JobName, JobResult, QueueName } from './job-map';
import { QueueRegistry } from './queue.registry';

const REDIS_WATCH_MS = 2000;
/** How long a shutdown waits for the jobs in hand before closing the workers by force. */
const SHUTDOWN_GRACE_MS = 10_000;

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
    { name: 'sms.next-dose-reminders', repeat: { cron: '10 9 * * *' } },
    { name: 'coverage.rebuild', repeat: { cron: '45 3 * * *' } },
    { name: 'nvr.export-nightly', repeat: { cron: config.NVR_EXPORT_CRON } },
    { name: 'system.recover', repeat: { everyMs: 5 * 60_000 } },
    { name: 'system.prune-outbox', repeat: { cron: '20 * * * *' } },
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
  private watch?: NodeJS.Timeout;
  private checking = false;
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
          // A dead worker's job is taken over within ~10–15 s (BullMQ defaults: 30 s lock, 30 s
          // check, so about a minute). A live worker renews its lock every 5 s; were it ever late
          // (a blocked event loop), the job runs twice — which every handler tolerates (idempotent).
          lockDuration: 10_000,
          stalledInterval: 5_000,
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
    await this.restoreQueues();
    await this.redis.client.set(this.redis.key('epoch'), randomUUID());
    this.watch = setInterval(() => void this.checkRedis(), REDIS_WATCH_MS);
    this.logger.log(`workers running for queues: ${[...byQueue.keys()].join(', ')}`);
  }

  /** Schedulers (idempotent upserts) and a sweep that re-enqueues the work still open in PostgreSQL. */
  private async restoreQueues(): Promise<void> {
    for (const s of schedules(this.config)) await this.queues.schedule(s.name, {}, s.repeat);
    if (this.handlers.has('system.recover')) await this.queues.enqueue('system.recover', {});
  }

  /**
   * Our Redis keeps nothing on disk. An epoch key marks "this Redis has our schedulers": when it
   * is gone, Redis was restarted (or flushed) and lost every job and scheduler, so they are put
   * back. Checked every few seconds; the check waits through an outage and acts once it is over.
   */
  private async checkRedis(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const set = await this.redis.client.set(this.redis.key('epoch'), randomUUID(), 'NX');
      if (set === 'OK') {
        this.logger.warn('Redis lost its data (restart?): schedulers and open work put back');
        await this.restoreQueues();
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'Redis check failed');
    } finally {
      this.checking = false;
    }
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

  /**
   * Graceful shutdown: take no new jobs and finish the ones in hand, for at most
   * SHUTDOWN_GRACE_MS; then the workers' connections are cut (see closeWithin).
   */
  async onModuleDestroy(): Promise<void> {
    if (this.watch) clearInterval(this.watch);
    if (!(await closeWithin(this.workers, SHUTDOWN_GRACE_MS)))
      this.logger.warn(
        `workers not closed within ${SHUTDOWN_GRACE_MS} ms: connections cut, open jobs run again elsewhere`,
      );
  }
}

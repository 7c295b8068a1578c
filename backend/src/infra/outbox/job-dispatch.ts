import { Injectable } from '@nestjs/common';
import { JOB_QUEUE, JobMap, JobName } from '../queue/job-map';
import { QueueRegistry } from '../queue/queue.registry';
import type { OutboxRow } from './outbox';
import { OutboxRelay } from './outbox.relay';

/** A job to start once the transaction that asked for it has committed. */
export interface OutboxJob<K extends JobName = JobName> {
  name: K;
  data: JobMap[K];
  /** deterministic, so that a republished event adds no second job */
  jobId: string;
  /** run no earlier than this instant (ISO 8601): a delayed job */
  runAt?: string;
}

/**
 * Jobs ride on outbox events (`payload.enqueue`): written in the same transaction as the change
 * that needs them, enqueued after commit by the relay. A crash in between loses nothing (the row
 * is relayed again) and adds nothing twice (BullMQ ignores a job id it already has).
 */
@Injectable()
export class OutboxJobDispatcher {
  constructor(relay: OutboxRelay, queues: QueueRegistry) {
    relay.onPublish(async (row: OutboxRow) => {
      const jobs = row.payload.enqueue as OutboxJob[] | undefined;
      if (!jobs?.length) return;
      const byQueue = new Map<string, OutboxJob[]>();
      for (const j of jobs) byQueue.set(JOB_QUEUE[j.name], [...(byQueue.get(JOB_QUEUE[j.name]) ?? []), j]);
      for (const [queue, list] of byQueue) {
        // Redis down: fail after a while (the relay retries this row later) instead of hanging the relay.
        await Promise.race([
          queues.queue(queue as (typeof JOB_QUEUE)[JobName]).addBulk(
            list.map((j) => ({
              name: j.name,
              data: j.data,
              opts: {
                jobId: j.jobId,
                ...(j.runAt ? { delay: Math.max(0, Date.parse(j.runAt) - Date.now()) } : {}),
              },
            })),
          ),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error(`enqueue to ${queue} timed out`)), 5000),
          ),
        ]);
      }
    });
  }
}

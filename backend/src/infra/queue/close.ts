import type { QueueBase, RedisClient } from 'bullmq';
import { settledWithin } from '../../common/deadline';

/**
 * Closes BullMQ queues or workers, waiting at most `graceMs`. A worker's close first waits for
 * its jobs in hand; any close then QUITs its Redis connections, and a QUIT on a connection that
 * is reconnecting (Redis unreachable, or just back) waits forever (taskforcesh/bullmq#2430,
 * #4656). When the time is up their connections are cut instead, which ends those waits. A job
 * still running then loses its lock and is taken over as stalled; every handler is idempotent.
 * Resolves true when everything closed within the grace period.
 */
export async function closeWithin(owners: QueueBase[], graceMs: number): Promise<boolean> {
  const closing = Promise.all(owners.map((o) => o.close()));
  if (await settledWithin(closing, graceMs)) return true;
  await Promise.all(owners.map(cutConnections));
  await settledWithin(closing, 2000);
  return false;
}

async function cutConnections(owner: QueueBase): Promise<void> {
  // a worker's blocking connection is private in BullMQ's typings, but a connection of its own
  const blocking = (owner as unknown as { blockingConnection?: { client: Promise<RedisClient> } })
    .blockingConnection;
  const clients = [owner.client, blocking?.client].filter((c): c is Promise<RedisClient> => !!c);
  await Promise.all(
    clients.map((c) =>
      settledWithin(
        c.then((client) => client.disconnect()),
        500,
      ),
    ),
  );
}

import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import type { OutboxRow } from '../infra/outbox/outbox';
import { OutboxRelay } from '../infra/outbox/outbox.relay';
import { RedisService } from '../infra/redis.service';
import { UnitDirectory } from '../organisation/unit-directory.service';
import type { ClientToServerEvents, ServerEventName, ServerToClientEvents, Topic } from './events';

const EVENT_OF_TOPIC: Record<Exclude<Topic, 'presence'>, ServerEventName> = {
  timebook: 'timebook.changed',
  stock: 'stock.changed',
  coverage: 'coverage.changed',
  jobs: 'job.progress',
};

/** The one emitting helper: typed event names and payloads, rooms named by topic key. */
@Injectable()
export class RealtimeService {
  private ns?: Namespace<ClientToServerEvents, ServerToClientEvents>;
  /** Commit → emit latency of the last events (for /metrics). */
  onEmit?: (topic: string, lagMs: number) => void;

  constructor(
    relay: OutboxRelay,
    private readonly units: UnitDirectory,
    private readonly redis: RedisService,
  ) {
    relay.onPublish((row) => this.publish(row));
  }

  private regionVersionKey(regionId: string) {
    return this.redis.key('version', 'stock-region', regionId);
  }

  /** The region stock room's version: its own sequence, kept in Redis (see `publish`). */
  async regionStockVersion(regionId: string): Promise<number> {
    return Number((await this.redis.client.get(this.regionVersionKey(regionId))) ?? 0);
  }

  attach(ns: Namespace<ClientToServerEvents, ServerToClientEvents>): void {
    this.ns = ns;
  }

  get attached(): boolean {
    return this.ns !== undefined;
  }

  emit<E extends ServerEventName>(
    room: string,
    event: E,
    ...args: Parameters<ServerToClientEvents[E]>
  ): void {
    // Through the Redis adapter this reaches the room's sockets on every instance.
    this.ns?.to(room).emit(event, ...args);
  }

  /**
   * Outbox row → versioned delta to the room of its topic key. A unit's stock event also goes to
   * its region's room, with the region's own version: counting those in the database would make
   * every stock movement of a region wait for one row lock. The relay is the only writer (one
   * leader at a time), so the Redis counter grows by one per event; a client that sees a gap
   * resyncs, as everywhere.
   */
  async publish(row: OutboxRow): Promise<void> {
    if (row.topic === 'stock' && typeof row.payload.unitId === 'string') {
      const unit = await this.units.get(row.payload.unitId);
      if (unit) {
        const version = await this.redis.client.incr(this.regionVersionKey(unit.regionId));
        const { enqueue: _j, ...delta } = row.payload;
        this.ns?.to(`stock:region:${unit.regionId}`).emit('stock.changed', {
          ...delta,
          regionId: unit.regionId,
          topic: 'stock',
          version,
          at: row.created_at,
        } as never);
      }
    }
    this.publishUnit(row);
  }

  private publishUnit(row: OutboxRow): void {
    if (row.topic === 'presence') return;
    const event = EVENT_OF_TOPIC[row.topic];
    if (!event) return;
    // `enqueue` is for the job dispatcher, not for clients.
    const { enqueue: _jobs, ...delta } = row.payload;
    const payload = { ...delta, topic: row.topic, version: row.version, at: row.created_at };
    this.ns?.to(row.topic_key).emit(event, payload as never);
    this.onEmit?.(row.topic, Date.now() - new Date(row.created_at).getTime());
  }
}

import { Injectable, Logger } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import { DatabaseService } from '../infra/database.service';
import type { OutboxRow } from '../infra/outbox/outbox';
import { OutboxRelay } from '../infra/outbox/outbox.relay';
import { RedisService } from '../infra/redis.service';
import { sql } from '../infra/sql';
import { UnitDirectory } from '../organisation/unit-directory.service';
import type { ClientToServerEvents, ServerEventName, ServerToClientEvents, Topic } from './events';

const EVENT_OF_TOPIC: Record<Exclude<Topic, 'presence'>, ServerEventName> = {
  timebook: 'timebook.changed',
  stock: 'stock.changed',
  coverage: 'coverage.changed',
  jobs: 'job.progress',
};

/** How far before the noticed outage a replay reaches back: a dead connection is not noticed at once. */
const REPLAY_MARGIN_SECONDS = 10;
const REPLAY_MAX_EVENTS = 10_000;

/** The one emitting helper: typed event names and payloads, rooms named by topic key. */
@Injectable()
export class RealtimeService {
  private readonly logger = new Logger(RealtimeService.name);
  private ns?: Namespace<ClientToServerEvents, ServerToClientEvents>;
  /** Commit → emit latency of the last events (for /metrics). */
  onEmit?: (topic: string, lagMs: number) => void;

  constructor(
    relay: OutboxRelay,
    private readonly units: UnitDirectory,
    private readonly redis: RedisService,
    private readonly db: DatabaseService,
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
        // A Redis that lost its data starts the counter again from the clock, not from 0: clients
        // that hold a version from before see a jump (a gap: one resync) instead of ignoring every
        // event until the counter catches up with what they had.
        const version = Number(
          await this.redis.client.eval(
            `if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
             return redis.call('INCR', KEYS[1])`,
            1,
            this.regionVersionKey(unit.regionId),
            String(Date.now()),
          ),
        );
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

  private publishUnit(row: OutboxRow, localOnly = false): void {
    if (row.topic === 'presence') return;
    const event = EVENT_OF_TOPIC[row.topic];
    if (!event) return;
    // `enqueue` is for the job dispatcher, not for clients.
    const { enqueue: _jobs, ...delta } = row.payload;
    const payload = { ...delta, topic: row.topic, version: row.version, at: row.created_at };
    if (localOnly) {
      this.ns?.local.to(row.topic_key).emit(event, payload as never);
      return;
    }
    this.ns?.to(row.topic_key).emit(event, payload as never);
    this.onEmit?.(row.topic, Date.now() - new Date(row.created_at).getTime());
  }

  /**
   * This instance's Redis subscription was down for `downMs` (Redis restarted, or this instance
   * cut off from it): events other instances published meanwhile never reached its sockets, and
   * its clients would not notice until some later event showed them a version gap — a screen
   * could stay stale indefinitely. So the versioned events of that time (with a margin) are
   * emitted again from the outbox to this instance's own sockets; clients drop the versions
   * they already hold and apply the rest in order. (The region stock rooms' versions are a Redis
   * counter, not kept in the outbox: those are not replayed.)
   */
  async replayToLocalSockets(downMs: number): Promise<number> {
    if (!this.ns) return 0;
    const windowSeconds = Math.ceil(downMs / 1000) + REPLAY_MARGIN_SECONDS;
    const rows = await this.db.query<OutboxRow>(sql`
      SELECT id, topic, topic_key, version, event_type, payload, created_at FROM outbox_event
       WHERE published_at IS NOT NULL AND topic <> 'presence'
         AND created_at >= now() - make_interval(secs => ${windowSeconds})
       ORDER BY id LIMIT ${REPLAY_MAX_EVENTS}`);
    for (const row of rows) {
      this.publishUnit(row, true);
      if (row.id % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    this.logger.log(
      { events: rows.length, windowSeconds },
      'events replayed to local sockets after a Redis outage',
    );
    return rows.length;
  }
}

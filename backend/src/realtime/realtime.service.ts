import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import type { OutboxRow } from '../infra/outbox/outbox';
import { OutboxRelay } from '../infra/outbox/outbox.relay';
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

  constructor(relay: OutboxRelay) {
    relay.onPublish((row) => this.publish(row));
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

  /** Outbox row → versioned delta to the room of its topic key. */
  publish(row: OutboxRow): void {
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

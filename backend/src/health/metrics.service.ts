import { Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { OutboxRelay } from '../infra/outbox/outbox.relay';
import { QueueRegistry } from '../infra/queue/queue.registry';
import { LiveGateway } from '../realtime/live.gateway';
import { RealtimeService } from '../realtime/realtime.service';

/** Prometheus metrics: HTTP latency, open sockets, queue depths, outbox lag. */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'vaxops_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly emitLag = new Histogram({
    name: 'vaxops_realtime_commit_to_emit_seconds',
    help: 'Time from the database commit of a change to its emission to sockets',
    labelNames: ['topic'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly emitted = new Counter({
    name: 'vaxops_realtime_events_total',
    help: 'Versioned events emitted',
    labelNames: ['topic'],
    registers: [this.registry],
  });

  constructor(
    @Optional() private readonly gateway: LiveGateway | null,
    private readonly queues: QueueRegistry,
    private readonly relay: OutboxRelay,
    private readonly realtime: RealtimeService,
  ) {}

  onModuleInit(): void {
    collectDefaultMetrics({ register: this.registry, prefix: 'vaxops_' });
    const gateway = this.gateway;
    new Gauge({
      name: 'vaxops_open_sockets',
      help: 'Open socket.io connections on this instance',
      registers: [this.registry],
      collect() {
        this.set(gateway?.openSockets ?? 0);
      },
    });
    const queues = this.queues;
    new Gauge({
      name: 'vaxops_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        for (const q of queues.all()) {
          const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
          for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
        }
      },
    });
    const relay = this.relay;
    new Gauge({
      name: 'vaxops_outbox_unpublished',
      help: 'Outbox events committed but not yet published',
      registers: [this.registry],
      async collect() {
        this.set(await relay.unpublishedCount());
      },
    });
    this.realtime.onEmit = (topic, lagMs) => {
      this.emitLag.observe({ topic }, Math.max(0, lagMs) / 1000);
      this.emitted.inc({ topic });
    };
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { DatabaseService, PG_SESSION_OPTIONS } from '../database.service';
import { OUTBOX_CHANNEL, OutboxRow } from './outbox';

export type OutboxHandler = (row: OutboxRow) => Promise<void> | void;

/** Lock id for "this instance is the relay": one drainer at a time keeps topic order. */
const RELAY_LOCK = 727_001;
const BATCH = 500;

/**
 * Publishes committed outbox rows once each, in order per topic. Woken by NOTIFY at commit (so
 * a change reaches clients in milliseconds) and by a slow poll as a safety net. A crash between
 * commit and publish loses nothing: unpublished rows are picked up at the next drain. A crash
 * between publish and marking may publish a row again; clients drop versions they have seen.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly handlers: OutboxHandler[] = [];
  private listener?: Client;
  private poll?: NodeJS.Timeout;
  private draining = false;
  private again = false;
  private stopped = false;
  lastDrainAt = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DatabaseService,
  ) {}

  /** Subscribers: the realtime gateway (emit to rooms), jobs (enqueue), aggregates. */
  onPublish(handler: OutboxHandler): void {
    this.handlers.push(handler);
  }

  get enabled(): boolean {
    return this.config.OUTBOX_RELAY && this.config.runsApi;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    await this.listen();
    this.poll = setInterval(() => this.kick(), 1000);
    this.kick();
  }

  /** Whether this instance holds the relay lock (on its listener connection, for as long as it lives). */
  private leader = false;

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.config.DATABASE_URL, options: PG_SESSION_OPTIONS });
    client.on('notification', () => this.kick());
    client.on('error', () => {
      // PostgreSQL restarted: the session and its lock are gone. Listen again once it answers;
      // the poll covers the gap, and another instance may take over the relay meanwhile.
      this.leader = false;
      this.listener = undefined;
      setTimeout(() => void this.listen().catch(() => undefined), 1000);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.listener = client;
    } catch {
      await client.end().catch(() => undefined);
      setTimeout(() => void this.listen().catch(() => undefined), 1000);
    }
  }

  /**
   * One relay at a time keeps per-topic order: the instance holding a session advisory lock on
   * its listener connection drains; the others try to take over on each poll.
   */
  private async ensureLeader(): Promise<boolean> {
    if (this.leader) return true;
    if (!this.listener) return false;
    const res = await this.listener.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
      RELAY_LOCK,
    ]);
    this.leader = res.rows[0]?.ok === true;
    return this.leader;
  }

  /** Ask for a drain; concurrent asks collapse into one more pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = true;
    void this.drainLoop().finally(() => {
      this.draining = false;
    });
  }

  private async drainLoop(): Promise<void> {
    do {
      this.again = false;
      try {
        const { published } = await this.drainOnce();
        if (published === BATCH) this.again = true;
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'outbox drain failed; will retry');
        await new Promise((r) => setTimeout(r, 500));
      }
    } while (this.again && !this.stopped);
  }

  /**
   * Two round trips: read a batch in id order, publish (yielding between events so that HTTP
   * and sockets are served meanwhile), mark. Publish-then-mark: a crash in between publishes
   * again, and clients drop versions they have already seen; nothing is ever lost.
   */
  async drainOnce(): Promise<{ published: number; locked: boolean }> {
    if (!(await this.ensureLeader())) return { published: 0, locked: false };
    const { rows } = await this.db.pool.query<OutboxRow>(
      `SELECT id, topic, topic_key, version, event_type, payload, created_at
         FROM outbox_event WHERE published_at IS NULL ORDER BY id LIMIT ${BATCH}`,
    );
    if (rows.length === 0) return { published: 0, locked: true };
    for (const row of rows) {
      for (const handler of this.handlers) await handler(row);
      await new Promise((r) => setImmediate(r));
    }
    await this.db.pool.query('UPDATE outbox_event SET published_at = now() WHERE id = ANY($1::bigint[])', [
      rows.map((r) => r.id),
    ]);
    this.lastDrainAt = Date.now();
    return { published: rows.length, locked: true };
  }

  async unpublishedCount(): Promise<number> {
    const { rows } = await this.db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL',
    );
    return rows[0]?.n ?? 0;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    while (this.draining) await new Promise((r) => setTimeout(r, 10));
    await this.listener?.end().catch(() => undefined);
  }
}

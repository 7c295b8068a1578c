import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { DatabaseService, PG_SESSION_OPTIONS } from '../database.service';
import { OUTBOX_CHANNEL, OutboxRow } from './outbox';

export type OutboxHandler = (row: OutboxRow) => Promise<void> | void;

/** Lock id for "this instance drains the outbox now": one drainer at a time keeps topic order. */
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

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.config.DATABASE_URL, options: PG_SESSION_OPTIONS });
    client.on('notification', () => this.kick());
    client.on('error', () => {
      // PostgreSQL restarted: listen again once it answers; the poll covers the gap.
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
        const { published, locked } = await this.drainOnce();
        if (published === BATCH) this.again = true;
        // Another instance holds the lock: it may have missed rows committed after its read.
        if (!locked) await new Promise((r) => setTimeout(r, 25)).then(() => (this.again = true));
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'outbox drain failed; will retry');
        await new Promise((r) => setTimeout(r, 500));
      }
    } while (this.again && !this.stopped);
  }

  /** One transaction: take the lock, read a batch in id order, publish, mark. */
  async drainOnce(): Promise<{ published: number; locked: boolean }> {
    return this.db.tx(async (_q, client) => {
      const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
        RELAY_LOCK,
      ]);
      if (!lock.rows[0]?.ok) return { published: 0, locked: false };
      const { rows } = await client.query<OutboxRow>(
        `SELECT id, topic, topic_key, version, event_type, payload, created_at
           FROM outbox_event WHERE published_at IS NULL ORDER BY id LIMIT ${BATCH}`,
      );
      if (rows.length === 0) return { published: 0, locked: true };
      for (const row of rows) {
        for (const handler of this.handlers) await handler(row);
      }
      await client.query('UPDATE outbox_event SET published_at = now() WHERE id = ANY($1::bigint[])', [
        rows.map((r) => r.id),
      ]);
      this.lastDrainAt = Date.now();
      return { published: rows.length, locked: true };
    });
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

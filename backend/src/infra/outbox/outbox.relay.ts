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

  private generation = 0;

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    const client = new Client({
      connectionString: this.config.DATABASE_URL,
      options: PG_SESSION_OPTIONS,
      keepAlive: true,
    });
    client.on('notification', () => this.kick());
    let failed = false;
    const fail = () => {
      // Only the current connection's failure counts, and only once: an old client's late error
      // must not unseat a newer connection (which may hold the lock now).
      if (failed || generation !== this.generation) return;
      failed = true;
      this.leader = false;
      this.listener = undefined;
      void client.end().catch(() => undefined);
      setTimeout(() => void this.listen().catch(() => undefined), 1000);
    };
    client.on('error', fail);
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      if (generation === this.generation && !failed) this.listener = client;
    } catch {
      fail();
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
    // A row whose handler fails (Redis down for a job) stops the batch: what came before it is
    // marked, it and what follows are retried on the next pass — in order, never skipped.
    const done: number[] = [];
    let failure: unknown;
    for (const row of rows) {
      try {
        for (const handler of this.handlers) await handler(row);
      } catch (err) {
        failure = err;
        break;
      }
      done.push(row.id);
      await new Promise((r) => setImmediate(r));
    }
    if (done.length) {
      await this.db.pool.query('UPDATE outbox_event SET published_at = now() WHERE id = ANY($1::bigint[])', [
        done,
      ]);
    }
    this.lastDrainAt = Date.now();
    if (failure) throw failure;
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
    for (let waited = 0; this.draining && waited < 5000; waited += 10)
      await new Promise((r) => setTimeout(r, 10));
    await this.listener?.end().catch(() => undefined);
  }
}

import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool, PoolClient, types } from 'pg';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Sql } from './sql';

// int8 (counts, versions, bigserial ids) as JS numbers: they stay far below 2^53 here.
types.setTypeParser(types.builtins.INT8, (v) => Number(v));
// `date` columns stay 'YYYY-MM-DD' strings (a local date in Europe/Stockholm), never a Date at UTC midnight.
types.setTypeParser(types.builtins.DATE, (v) => v);

/** Session settings for every connection: local dates and offsets are Swedish time. */
export const PG_SESSION_OPTIONS = '-c TimeZone=Europe/Stockholm -c statement_timeout=30000';

/**
 * The raw `pg` pool for hot paths (booking, holds, stock movements, outbox relay): single atomic
 * statements, parameterised through the `sql` tag. Everything else may use Prisma.
 */
@Injectable()
export class DatabaseService implements OnApplicationShutdown {
  readonly pool: Pool;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: config.DB_POOL_SIZE,
      options: PG_SESSION_OPTIONS,
      application_name: `vaxops-${config.PROCESS_ROLE}`,
    });
    // An idle client losing its connection (PostgreSQL restart) must not crash the process.
    this.pool.on('error', () => undefined);
    // Nor may a client checked out of the pool (a transaction between two statements, the NVR
    // export streaming its files): node-postgres emits its connection's death as an 'error' event,
    // which with no listener would end the process. The failure reaches the holder at its next
    // query ("not queryable"), and the pool discards the broken client when it comes back.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  /**
   * Runs a statement. A `name` makes it a prepared statement on each connection (parsed and
   * planned once per connection instead of on every call): for the hot paths, whose text is
   * the same on every call.
   */
  async query<T extends object = Record<string, unknown>>(q: Sql, name?: string): Promise<T[]> {
    const { text, values } = q.toQuery();
    const res = await this.pool.query(
      name ? { name: this.statementName(name, text), text, values } : { text, values },
    );
    return res.rows as T[];
  }

  async one<T extends object = Record<string, unknown>>(q: Sql, name?: string): Promise<T | undefined> {
    const rows = await this.query<T>(q, name);
    return rows[0];
  }

  private readonly names = new Map<string, string>();
  /** One prepared statement per distinct text: a call site whose text varies gets one name per variant. */
  private statementName(name: string, text: string): string {
    let n = this.names.get(text);
    if (!n) {
      n = `${name}#${this.names.size}`;
      this.names.set(text, n);
    }
    return n;
  }

  /** Runs `fn` in one transaction on one connection. */
  async tx<T>(
    fn: (q: <R extends object>(s: Sql) => Promise<R[]>, client: PoolClient) => Promise<T>,
  ): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const run = async <R extends object>(s: Sql): Promise<R[]> => {
        const { text, values } = s.toQuery();
        return (await client.query(text, values)).rows as R[];
      };
      const result = await fn(run, client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<boolean> {
    await this.pool.query('SELECT 1');
    return true;
  }

  /** After every onModuleDestroy: workers and queues close first, connections last. */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { settledWithin } from '../common/deadline';
import { APP_CONFIG, AppConfig } from '../config/config';

/**
 * Redis connections. BullMQ needs `maxRetriesPerRequest: null` so that commands wait through a
 * Redis restart instead of failing; the same holds for the socket.io adapter.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly clients: Redis[] = [];
  readonly prefix: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.prefix = config.REDIS_PREFIX;
  }

  /** A new connection (subscribers and blocking workers need their own). */
  create(name: string): Redis {
    const client = new Redis(this.config.REDIS_URL, {
      maxRetriesPerRequest: null,
      enableReadyCheck: true,
      connectionName: `vaxops-${name}`,
      retryStrategy: (times) => Math.min(100 * times, 2000),
    });
    client.on('error', () => undefined); // reconnects by itself; health reports the outage
    this.clients.push(client);
    return client;
  }

  /**
   * A connection for work that must not wait for Redis: its commands fail at once while Redis is
   * unreachable (no offline queue, no retries, a short command timeout), so the caller can go on
   * without it — the HTTP rate limit lets requests through rather than holding them for the
   * length of a Redis outage.
   */
  createFailFast(name: string, commandTimeoutMs = 500): Redis {
    const client = new Redis(this.config.REDIS_URL, {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      commandTimeout: commandTimeoutMs,
      connectionName: `vaxops-${name}`,
      retryStrategy: (times) => Math.min(100 * times, 2000),
    });
    client.on('error', () => undefined);
    this.clients.push(client);
    return client;
  }

  private shared?: Redis;
  /** The shared command connection. */
  get client(): Redis {
    this.shared ??= this.create('shared');
    return this.shared;
  }

  /**
   * Connection options for BullMQ, which then owns (opens and closes) its connections: closing a
   * queue or worker never races with commands of ours on a shared client.
   */
  connectionOptions(name: string): RedisOptions {
    const u = new URL(this.config.REDIS_URL);
    return {
      host: u.hostname,
      port: Number(u.port || 6379),
      username: u.username ? decodeURIComponent(u.username) : undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
      tls: u.protocol === 'rediss:' ? {} : undefined,
      connectionName: `vaxops-${name}`,
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(100 * times, 2000),
    };
  }

  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  async ping(): Promise<boolean> {
    const res = await Promise.race([
      this.client.ping(),
      new Promise<string>((_, reject) => setTimeout(() => reject(new Error('redis ping timed out')), 1000)),
    ]);
    return res === 'PONG';
  }

  /** After every onModuleDestroy: workers and queues close first, connections last. */
  async onApplicationShutdown(): Promise<void> {
    // QUIT lets replies in flight arrive; a client caught reconnecting would wait for Redis, so
    // after a short wait it is cut instead
    await Promise.all(
      this.clients.map(async (c) => {
        if (c.status !== 'ready' || !(await settledWithin(c.quit(), 2000))) c.disconnect();
      }),
    );
  }
}

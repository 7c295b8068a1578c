import { INestApplicationContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Redis } from 'ioredis';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server, ServerOptions } from 'socket.io';
import { APP_CONFIG, AppConfig } from '../config/config';
import { RedisService } from '../infra/redis.service';
import { RealtimeService } from './realtime.service';
import { originAllowed } from './socket-guard';

/** socket.io across several API instances: rooms and broadcasts go through Redis pub/sub. */
export class RedisIoAdapter extends IoAdapter {
  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const config = this.app.get<AppConfig>(APP_CONFIG);
    const redis = this.app.get(RedisService);
    const server = super.createIOServer(port, {
      ...options,
      cors: config.corsOrigins.length ? { origin: config.corsOrigins, credentials: true } : undefined,
      // a message larger than this closes the connection (a subscribe is well under 1 kB)
      maxHttpBufferSize: 64 * 1024,
      allowRequest: (req: IncomingMessage, callback: (err: string | null, success: boolean) => void) => {
        const ok = originAllowed(req, config.corsOrigins);
        callback(ok ? null : 'origin not allowed', ok);
      },
      pingInterval: 10_000,
      pingTimeout: 8_000,
    }) as Server;
    const sub = redis.create('io-sub');
    server.adapter(
      createAdapter(handledPublisher(redis.create('io-pub')), sub, {
        key: redis.key('socket.io'),
      }),
    );
    replayAfterOutage(sub, this.app.get(RealtimeService));
    return server;
  }
}

/**
 * The redis adapter fires `publish` without awaiting it. A broadcast made while the app shuts down
 * (a socket's disconnect updates presence after the connections have quit) would then be an
 * unhandled rejection that takes the process down. Clients resync by version after any lost
 * event, so a failed publish is only logged by the connection's error listener.
 */
function handledPublisher(client: Redis): Redis {
  const publish = client.publish.bind(client) as (...args: unknown[]) => Promise<number>;
  (client as unknown as { publish: (...args: unknown[]) => Promise<number> }).publish = (...args) => {
    const sent = publish(...args);
    sent.catch(() => undefined);
    return sent;
  };
  return client;
}

/**
 * While the subscriber connection is down, what other instances publish is lost to this
 * instance's sockets. When it is back (ioredis has re-sent its SUBSCRIBEs by then), the events of
 * the outage are replayed from the outbox to the local sockets — once at once and once more a
 * little later, for an event published just as the subscription came back.
 */
function replayAfterOutage(sub: Redis, realtime: RealtimeService): void {
  let ready = false;
  let downSince: number | undefined;
  sub.on('close', () => {
    if (ready) downSince ??= Date.now();
  });
  sub.on('ready', () => {
    ready = true;
    if (downSince === undefined) return;
    const downMs = Date.now() - downSince;
    downSince = undefined;
    const replay = () => void realtime.replayToLocalSockets(downMs + 2000).catch(() => undefined);
    replay();
    setTimeout(replay, 2000).unref();
  });
}

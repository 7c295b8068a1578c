import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server, ServerOptions } from 'socket.io';
import { APP_CONFIG, AppConfig } from '../config/config';
import { RedisService } from '../infra/redis.service';

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
      maxHttpBufferSize: 64 * 1024,
      pingInterval: 10_000,
      pingTimeout: 8_000,
    }) as Server;
    server.adapter(
      createAdapter(redis.create('io-pub'), redis.create('io-sub'), { key: redis.key('socket.io') }),
    );
    return server;
  }
}

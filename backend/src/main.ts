import 'reflect-metadata';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppModule } from './app.module';
import { AppConfig, ConfigError, loadConfig } from './config/config';
import { MetricsService } from './health/metrics.service';
import { TokenService } from './auth/token.service';
import type { AuthedRequest } from './auth/auth.decorators';
import { RedisService } from './infra/redis.service';
import { WaitingRoomService } from './timebook/waiting-room.service';
import { registerQueueBoard } from './infra/queue/queue-board';
import { QueueRegistry } from './infra/queue/queue.registry';
import { RedisIoAdapter } from './realtime/redis-io.adapter';

export interface Running {
  app: NestFastifyApplication | Awaited<ReturnType<typeof NestFactory.createApplicationContext>>;
  url?: string;
  close(): Promise<void>;
}

/** Builds and starts the process for its PROCESS_ROLE. Used by `npm start` and by the tests. */
export async function bootstrap(config: AppConfig): Promise<Running> {
  const module = AppModule.forRoot(config);
  if (!config.runsApi) {
    const ctx = await NestFactory.createApplicationContext(module, { bufferLogs: true });
    ctx.useLogger(ctx.get(Logger));
    ctx.enableShutdownHooks();
    await ctx.init();
    return { app: ctx, close: () => ctx.close() };
  }

  const adapter = new FastifyAdapter({ bodyLimit: 256 * 1024, trustProxy: true });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.useWebSocketAdapter(new RedisIoAdapter(app));
  if (config.corsOrigins.length) app.enableCors({ origin: config.corsOrigins, credentials: true });

  const fastify = app.getHttpAdapter().getInstance();

  await fastify.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
      },
    },
  });

  // Rate limits in Redis, so they hold across instances: per principal (a valid token), else per
  // client address. Health, metrics and static files are not limited. Redis down: requests pass
  // (availability first); the limit resumes when Redis is back. Its connection fails fast: on the
  // shared one a command waits for Redis to come back, and so would every request.
  const tokens = app.get(TokenService);
  const redis = app.get(RedisService);
  await fastify.register(fastifyRateLimit, {
    global: true,
    redis: redis.createFailFast('rate-limit'),
    nameSpace: redis.key('rate-limit') + ':',
    skipOnError: true,
    timeWindow: 60_000,
    keyGenerator: (req) => {
      const header = req.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
      const p = token ? tokens.verify(token) : undefined;
      // the AuthGuard uses this result instead of verifying the same token again
      if (token) (req as AuthedRequest).verifiedToken = { token, principal: p };
      if (!p) return `ip:${req.ip}`;
      return p.kind === 'staff' ? `user:${p.userId}` : `citizen:${p.patientId}`;
    },
    max: (_req, key) =>
      key.startsWith('ip:') ? config.RATE_LIMIT_ANON_PER_MINUTE : config.RATE_LIMIT_PER_MINUTE,
    allowList: (req) => !/^\/(api|socket\.io)\//.test(req.url) || /^\/api\/health/.test(req.url),
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `too many requests: at most ${ctx.max} a minute; try again in ${Math.ceil(ctx.ttl / 1000)} s`,
      code: 'RATE_LIMITED',
      retryAfterSeconds: Math.ceil(ctx.ttl / 1000),
    }),
  });

  const metrics = app.get(MetricsService);
  // The waiting room admits at the rate citizens' holds and bookings are served (waiting-room.service.ts).
  const waitingRoom = app.get(WaitingRoomService);
  const CITIZEN_LOAD = new Set(['/api/bookings', '/api/slots/:slotId/hold', '/api/bookings/:id/rebook']);
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions?.url ?? 'unmatched';
    if (
      req.method === 'POST' &&
      CITIZEN_LOAD.has(route) &&
      (req as AuthedRequest).principal?.kind === 'citizen' &&
      reply.statusCode !== 503
    )
      waitingRoom.observe(reply.elapsedTime);
    metrics.httpDuration.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });

  const docs = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('vaxops API')
      .setDescription(
        'Live operations for a regional vaccination programme. Realtime: socket.io namespace /live.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, docs, { jsonDocumentUrl: 'api/docs-json' });

  const dashboardDir = resolve(config.DASHBOARD_DIR);
  if (existsSync(resolve(dashboardDir, 'index.html'))) {
    await fastify.register(fastifyStatic, {
      root: dashboardDir,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
    });
  }

  await registerQueueBoard(fastify, app.get(QueueRegistry), config);

  await app.listen(config.PORT, config.HOST);
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`vaxops: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const running = await bootstrap(config);
  new NestLogger('vaxops').log(
    `started (role ${config.PROCESS_ROLE}${running.url ? `, listening on port ${new URL(running.url).port}` : ''})`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`vaxops: failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

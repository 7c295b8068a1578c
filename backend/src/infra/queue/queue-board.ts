import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BoardAdapter } from '@bull-board/fastify';
import { Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CurrentPrincipal } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { forbidden } from '../../common/errors';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { QueueRegistry } from './queue.registry';

export const QUEUE_BOARD_PATH = '/admin/queues';
const COOKIE = 'vaxops_queues';
const TTL_SECONDS = 15 * 60;

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(`queue-board:${payload}`).digest('base64url');
}

/** `<userId>.<expiry epoch s>.<hmac>`: short-lived, for one path, never readable by scripts. */
export function queueBoardCookie(userId: string, secret: string, now = Date.now()): string {
  const payload = `${Buffer.from(userId).toString('base64url')}.${Math.floor(now / 1000) + TTL_SECONDS}`;
  return `${payload}.${sign(payload, secret)}`;
}

export function verifyQueueBoardCookie(value: string | undefined, secret: string, now = Date.now()): boolean {
  if (!value) return false;
  const i = value.lastIndexOf('.');
  if (i < 0) return false;
  const payload = value.slice(0, i);
  const given = Buffer.from(value.slice(i + 1));
  const expected = Buffer.from(sign(payload, secret));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  const exp = Number(payload.split('.')[1]);
  return Number.isFinite(exp) && exp * 1000 > now;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/**
 * Bull Board for ADMIN at `/admin/queues`. A browser navigating there carries no Bearer header,
 * so the dashboard first calls `POST /api/admin/queues/session` with the admin's token, which
 * sets a short-lived HttpOnly cookie for that path only; without it the board answers 401.
 */
@ApiTags('queues')
@ApiBearerAuth()
@Controller('api/admin/queues')
export class QueueBoardController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Post('session')
  @HttpCode(204)
  @ApiOperation({
    summary: `ADMIN only: a 15-minute cookie that opens the queue board at ${QUEUE_BOARD_PATH}`,
  })
  session(@CurrentPrincipal() p: Principal, @Res({ passthrough: true }) reply: FastifyReply): void {
    if (p.kind !== 'staff' || p.role !== 'ADMIN') throw forbidden('the queue board is for administrators');
    const secure = this.config.PUBLIC_URL.startsWith('https:') ? '; Secure' : '';
    void reply.header(
      'set-cookie',
      `${COOKIE}=${queueBoardCookie(p.userId, this.config.JWT_SECRET)}; Path=${QUEUE_BOARD_PATH}; Max-Age=${TTL_SECONDS}; HttpOnly; SameSite=Strict${secure}`,
    );
  }
}

/** Mounts the board (API instances only); every request under it must carry the cookie. */
export async function registerQueueBoard(
  fastify: FastifyInstance,
  queues: QueueRegistry,
  config: AppConfig,
): Promise<void> {
  const adapter = new BoardAdapter();
  adapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: queues.all().map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
  await fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
        if (!verifyQueueBoardCookie(cookieValue(req.headers.cookie, COOKIE), config.JWT_SECRET)) {
          await reply.code(401).send({
            statusCode: 401,
            error: 'Unauthorized',
            message: 'the queue board needs an administrator session (open it from the dashboard)',
          });
        }
      });
      await scope.register(adapter.registerPlugin());
    },
    { prefix: QUEUE_BOARD_PATH },
  );
}

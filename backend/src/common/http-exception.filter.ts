import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_CONFIG, AppConfig } from '../config/config';
import { isUnavailable } from './unavailable';

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * Every error leaves as `{ statusCode, error, message }` (plus details). Unknown errors are a
 * 500 whose message reveals nothing; they are logged with the request id for the operator.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  /** The dashboard's index.html: unknown non-API pages are the dashboard's own routes. */
  private readonly spaIndex?: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const index = join(config.DASHBOARD_DIR, 'index.html');
    if (existsSync(index)) this.spaIndex = readFileSync(index, 'utf8');
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const body = this.toBody(exception);
    if (
      body.statusCode === 404 &&
      this.spaIndex &&
      req.method === 'GET' &&
      !/^\/(api|metrics|socket\.io)(\/|$)/.test(req.url)
    ) {
      void reply
        .status(200)
        .header('Content-Type', 'text/html; charset=utf-8')
        .header('Cache-Control', 'no-cache')
        .send(this.spaIndex);
      return;
    }
    if (typeof body.retryAfterSeconds === 'number') {
      void reply.header('Retry-After', String(body.retryAfterSeconds));
    }
    if (body.code === 'UNAVAILABLE') {
      this.logger.warn(
        { err: exception instanceof Error ? exception.message : String(exception) },
        'backing service unavailable',
      );
    } else if (body.statusCode >= 500 && body.code !== 'WAITING_ROOM') {
      this.logger.error(
        { err: exception instanceof Error ? exception.stack : String(exception) },
        'unhandled error',
      );
    }
    void reply.status(body.statusCode).send(body);
  }

  private toBody(
    exception: unknown,
  ): { statusCode: number; error: string; message: string } & Record<string, unknown> {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const res = exception.getResponse();
      if (typeof res === 'object' && res !== null) {
        const r = res as Record<string, unknown>;
        const message = Array.isArray(r.message)
          ? r.message.join('; ')
          : String(r.message ?? exception.message);
        return { ...r, statusCode: status, error: String(r.error ?? REASON[status] ?? 'Error'), message };
      }
      return { statusCode: status, error: REASON[status] ?? 'Error', message: String(res) };
    }
    // PostgreSQL restarting, failing over or out of reach: the client may try again (with the same
    // Idempotency-Key, a retry never does a thing twice). Never a 500: nothing is wrong with the request.
    if (isUnavailable(exception)) {
      return {
        statusCode: 503,
        error: REASON[503]!,
        message: 'the database is briefly unavailable: try again in a moment',
        code: 'UNAVAILABLE',
        retryAfterSeconds: 1,
      };
    }
    // PostgreSQL refusing something the request named (a reference that does not exist, a number out of range).
    const pg = exception as { code?: string; constraint?: string };
    if (pg?.code === '23503') {
      return {
        statusCode: 422,
        error: REASON[422]!,
        message: 'the request refers to something that does not exist',
        code: 'RULE_BROKEN',
      };
    }
    if (pg?.code === '22003' || pg?.code === '22P02') {
      return {
        statusCode: 400,
        error: REASON[400]!,
        message: 'a value in the request is out of range or malformed',
        code: 'VALIDATION',
      };
    }
    // Errors raised by Fastify itself (malformed JSON, body too large, wrong content type).
    const e = exception as { statusCode?: number; message?: string; code?: string };
    if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return {
        statusCode: e.statusCode,
        error: REASON[e.statusCode] ?? 'Error',
        message: e.message ?? 'bad request',
        code: e.code,
      };
    }
    return { statusCode: 500, error: REASON[500]!, message: 'internal error' };
  }
}

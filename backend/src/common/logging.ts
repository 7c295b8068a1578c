import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/config';

/**
 * Identity numbers never appear in clear in logs: any 10- or 12-digit run shaped like a Swedish
 * identity number (with or without -/+) keeps its birth date and loses the last four digits.
 * Applied to the finished log line, so it covers URLs, messages and error texts alike.
 */
const IDENTITY_LIKE = /(?<![\d])((?:19|20)?\d{6})[-+]?\d{4}(?![\d])/g;

export function maskIdentityNumbers(line: string): string {
  return line.replace(IDENTITY_LIKE, (_m, birth: string) => `${birth}-****`);
}

export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.LOG_LEVEL,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]'],
        censor: '[redacted]',
      },
      hooks: { streamWrite: maskIdentityNumbers },
      // Health checks and metrics scrapes would drown the log.
      autoLogging: { ignore: (req) => /^\/(metrics|api\/health)/.test(req.url ?? '') },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}

import { z } from 'zod';

/**
 * Environment, parsed and validated once at start. A missing or malformed variable stops the
 * process with one clear line (see main.ts), instead of failing later in a request.
 */
const booleanFlag = z
  .enum(['on', 'off', 'true', 'false', '1', '0'])
  .transform((v) => v === 'on' || v === 'true' || v === '1');

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .default('postgresql://postgres@127.0.0.1:5432/vaxops'),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .default('redis://127.0.0.1:6379'),
    /** Prefix for every Redis key, queue and channel of this installation (tests use their own). */
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-z0-9_-]+$/i)
      .default('vaxops'),
    PROCESS_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
    AUTH_MODE: z.enum(['dev', 'off']).default('off'),
    JWT_SECRET: z.string().optional(),
    JWT_TTL_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(8 * 3600),
    NVR_EXPORT_DIR: z.string().min(1).default('./var/nvr'),
    /** When the nightly NVR export runs (R28): a cron pattern in Swedish time. */
    NVR_EXPORT_CRON: z
      .string()
      .regex(/^\S+( \S+){4,5}$/, 'must be a cron pattern such as "0 2 * * *"')
      .default('0 2 * * *'),
    SMS_PROVIDER_URL: z.string().url().optional(),
    SMS_PROVIDER_USER: z.string().optional(),
    SMS_PROVIDER_PASSWORD: z.string().optional(),
    /** The sender name or number on SMS, and the shared send rate of all workers. */
    SMS_FROM: z.string().min(1).max(15).default('vaxops'),
    SMS_RATE_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(20),
    SMS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** Whether this process relays the outbox to sockets and queues (one relay drains at a time). */
    OUTBOX_RELAY: booleanFlag.default(true),
    /** Where citizens reach the dashboard: the base of links in SMS. */
    PUBLIC_URL: z.string().url().default('http://localhost:3000'),
    /** How long a slot hold lasts (R14), in minutes (fractions allowed, e.g. 0.1 in tests). */
    HOLD_MINUTES: z.coerce.number().min(0.05).max(60).default(5),
    /** Booking rush: at most this many citizens admitted per second from the waiting room (shared by all instances). */
    WAITING_ROOM_RATE: z.coerce.number().int().min(1).max(10_000).default(50),
    /** How long an admitted citizen may go on holding and booking. */
    WAITING_ROOM_ADMISSION_MINUTES: z.coerce.number().int().min(1).max(120).default(15),
    /**
     * The waiting room admits at the rate the system serves: while citizens' holds and bookings
     * answer within this p95, the rate climbs towards WAITING_ROOM_RATE; above it, it backs off.
     */
    WAITING_ROOM_TARGET_MS: z.coerce.number().int().min(1).max(60_000).default(800),
    /** How often the worker releases expired holds and pushes the release live. */
    HOLD_SWEEP_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Comma-separated origins allowed for CORS and socket handshakes; empty = same origin only. */
    CORS_ORIGINS: z.string().default(''),
    /** Where the built dashboard is; served at / when present. */
    DASHBOARD_DIR: z.string().default('dist/dashboard'),
    /** HTTP requests a minute per logged-in user or citizen, and per address without a token. */
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
    RATE_LIMIT_ANON_PER_MINUTE: z.coerce.number().int().min(1).default(300),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  })
  .superRefine((env, ctx) => {
    if (env.AUTH_MODE !== 'dev' && (!env.JWT_SECRET || env.JWT_SECRET.length < 32)) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: 'must be set to at least 32 characters (only AUTH_MODE=dev has a built-in secret)',
      });
    }
  })
  .transform((env) => ({
    ...env,
    JWT_SECRET: env.JWT_SECRET ?? 'vaxops-dev-mode-secret-not-for-production-use',
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    runsApi: env.PROCESS_ROLE !== 'worker',
    runsWorker: env.PROCESS_ROLE !== 'api',
  }));

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${first}`);
  }
  return parsed.data;
}

/** Injection token for the validated config. */
export const APP_CONFIG = Symbol('APP_CONFIG');

// Where PostgreSQL and Redis are: the environment wins, else the local defaults.
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/vaxops';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function resolveDatabaseUrl() {
  return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}
export function resolveRedisUrl() {
  return process.env.REDIS_URL || DEFAULT_REDIS_URL;
}

import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the integration tests run: a database and a Redis key prefix of their own, so that they
 * never touch demo data. `TEST_DATABASE_URL` / `REDIS_URL` win; else the local defaults.
 */
const base = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/vaxops_test';
export const TEST_DATABASE_URL = base;
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_REDIS_PREFIX = process.env.TEST_REDIS_PREFIX ?? 'vaxops-test';
export const SEED_SUMMARY_FILE = join(tmpdir(), `vaxops-test-seed-${new URL(base).pathname.slice(1)}.json`);
/** NVR export files of this test run: a temp folder, never the repository's ./var/nvr. */
export const TEST_NVR_EXPORT_DIR = join(
  tmpdir(),
  `vaxops-test-nvr-export-${new URL(base).pathname.slice(1)}`,
);

export function adminUrl(url: string): { admin: string; name: string } {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  return { admin: u.toString(), name };
}

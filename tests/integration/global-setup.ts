import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Client, Pool } from 'pg';
import { Redis } from 'ioredis';
import { seedDemoRegion } from '../../prisma/seed/demo-region';
import {
  adminUrl,
  SEED_SUMMARY_FILE,
  TEST_DATABASE_URL,
  TEST_REDIS_PREFIX,
  TEST_REDIS_URL,
} from '../support/test-env';

/**
 * Once per integration run: a fresh database migrated from scratch (the migrations are under
 * test too), the tiny demo region seeded, and this run's Redis keys cleared.
 */
export default async function globalSetup(): Promise<void> {
  const { admin, name } = adminUrl(TEST_DATABASE_URL);
  if (!/^vaxops_test[a-z0-9_]*$/.test(name))
    throw new Error(`refusing to recreate a non-test database: ${name}`);
  const c = new Client({ connectionString: admin });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();

  const migrate = spawnSync('node', ['scripts/with-db-url.mjs', 'prisma', 'migrate', 'deploy'], {
    env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL },
    encoding: 'utf8',
  });
  if (migrate.status !== 0) throw new Error(`migration failed:\n${migrate.stdout}\n${migrate.stderr}`);

  const pool = new Pool({ connectionString: TEST_DATABASE_URL });
  const summary = await seedDemoRegion(pool, { scale: 'tiny' });
  await pool.end();
  writeFileSync(SEED_SUMMARY_FILE, JSON.stringify(summary));

  const redis = new Redis(TEST_REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${TEST_REDIS_PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

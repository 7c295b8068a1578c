import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createTestDatabase } from '../support/database';
import { SEED_SUMMARY_FILE, TEST_DATABASE_URL, TEST_REDIS_PREFIX, TEST_REDIS_URL } from '../support/test-env';

/**
 * Once per integration run: a fresh database migrated from scratch (the migrations are under
 * test too), the tiny demo region seeded, and this run's Redis keys cleared.
 */
export default async function globalSetup(): Promise<void> {
  const summary = await createTestDatabase(TEST_DATABASE_URL);
  writeFileSync(SEED_SUMMARY_FILE, JSON.stringify(summary));

  const redis = new Redis(TEST_REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${TEST_REDIS_PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

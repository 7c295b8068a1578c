import { spawnSync } from 'node:child_process';
import { Client, Pool } from 'pg';
import { seedDemoRegion } from '../../prisma/seed/demo-region';
import { adminUrl } from './test-env';

/**
 * A fresh test database at `url`: dropped if it exists, created, migrated from scratch (the
 * migrations are under test too) and seeded with the tiny demo region. Returns the seed summary.
 */
export async function createTestDatabase(url: string): Promise<Awaited<ReturnType<typeof seedDemoRegion>>> {
  const { admin, name } = adminUrl(url);
  if (!/^vaxops_test[a-z0-9_]*$/.test(name))
    throw new Error(`refusing to recreate a non-test database: ${name}`);
  const c = new Client({ connectionString: admin });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();

  const migrate = spawnSync('node', ['scripts/with-db-url.mjs', 'prisma', 'migrate', 'deploy'], {
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
  });
  if (migrate.status !== 0) throw new Error(`migration failed:\n${migrate.stdout}\n${migrate.stderr}`);

  const pool = new Pool({ connectionString: url });
  try {
    return await seedDemoRegion(pool, { scale: 'tiny' });
  } finally {
    await pool.end();
  }
}

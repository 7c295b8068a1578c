#!/usr/bin/env node
// Writes a new migration from the change to prisma/schema.prisma since the last commit:
//   npm run db:diff -- <name>
// Prisma cannot introspect here (no native engines), so the diff is schema-to-schema.
// Add the SQL Prisma cannot express (partial unique indexes, CHECKs, triggers) by hand below
// the generated part.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const name = (process.argv[2] || '').replace(/[^a-z0-9_]/gi, '_');
if (!name) {
  console.error('usage: npm run db:diff -- <migration_name>');
  process.exit(2);
}
const hasMigrations = readdirSync('prisma/migrations', { withFileTypes: true }).some((d) => d.isDirectory());
let from = ['--from-empty'];
if (hasMigrations) {
  const prev = join(mkdtempSync(join(tmpdir(), 'vaxops-')), 'schema.prisma');
  writeFileSync(prev, execFileSync('git', ['show', 'HEAD:prisma/schema.prisma']));
  from = ['--from-schema-datamodel', prev];
}
const r = spawnSync(
  'node',
  [
    'scripts/with-db-url.mjs',
    'prisma',
    'migrate',
    'diff',
    ...from,
    '--to-schema-datamodel',
    'prisma/schema.prisma',
    '--script',
  ],
  {
    encoding: 'utf8',
    env: {
      ...process.env,
      DATABASE_URL: process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres',
    },
  },
);
if (r.status !== 0) {
  process.stderr.write(r.stderr);
  process.exit(r.status ?? 1);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = join('prisma/migrations', `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, 'migration.sql'),
  r.stdout + '\n-- Hand-written constraints (Prisma cannot express them) below.\n',
);
console.log(`wrote ${dir}/migration.sql`);

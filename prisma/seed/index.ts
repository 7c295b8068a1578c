/**
 * CLI: seed the demo region into DATABASE_URL.
 *   npx tsx prisma/seed/index.ts --scale=small|full|tiny [--today=YYYY-MM-DD]
 *   npm run db:seed -- --scale=full
 */
import pg from 'pg';
import { SCALES, Scale } from './catalogue';
import { seedDemoRegion, SeedSummary } from './demo-region';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/vaxops';

interface Args {
  scale: Scale;
  today?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { scale: 'small' };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(scale|today)(?:=(.*))?$/.exec(argv[i]);
    if (!m)
      throw new Error(`unknown argument "${argv[i]}" (use --scale=tiny|small|full, --today=YYYY-MM-DD)`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value`);
    if (m[1] === 'scale') {
      if (!SCALES.includes(value as Scale))
        throw new Error(`--scale must be tiny, small or full, not "${value}"`);
      args.scale = value as Scale;
    } else {
      args.today = value;
    }
  }
  return args;
}

function explain(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return explain(error.errors[0]);
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: string }).code;
  let message = error.message || code || error.name;
  if (code === '42P01') message += ' (is the database migrated? npm run db:migrate)';
  if (code === '3D000' || code === 'ECONNREFUSED') message += ' (check DATABASE_URL)';
  return message;
}

function printSummary(s: SeedSummary): void {
  const counts = Object.entries(s.inserted)
    .map(([k, v]) => `${k} ${v.toLocaleString('sv-SE')}`)
    .join(', ');
  console.log(
    `Seeded Region Jönköpings län (scale ${s.scale}, today ${s.today}) in ${(s.durationMs / 1000).toFixed(1)} s.`,
  );
  console.log(`Inserted: ${counts}.`);
  console.log(
    `Region ${s.regionId}; units U1 ${s.units.U1}, U2 ${s.units.U2}, U3 ${s.units.U3}, SM ${s.units.SM}.`,
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL || DEFAULT_DATABASE_URL, max: 1 });
  try {
    const summary = await seedDemoRegion(pool, { ...args, log: (line) => console.log(line) });
    printSummary(summary);
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`seed failed: ${explain(error)}`);
    process.exit(1);
  });
}

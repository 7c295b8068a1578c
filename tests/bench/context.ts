import { loadavg } from 'node:os';
import type { Pool } from 'pg';
import type { BenchData } from './data';
import type { Scale } from './scale';

/** What every scenario gets: the sizes, the seeded data and a pool on the bench database. */
export interface BenchContext {
  scale: Scale;
  data: BenchData;
  pool: Pool;
}

const started = Date.now();

/** Progress on stderr, so that stdout carries only the table. */
export function log(msg: string): void {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);
}

/**
 * The 1-minute load average when a measurement starts. These machines are shared: a load well
 * above 2 means other work competed for the two cores, which explains an outlying round.
 */
export function load1(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

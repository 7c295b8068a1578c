import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';

/**
 * CPU time actually used, per side, read from /proc (Linux). Unlike latency and throughput it
 * hardly depends on what else the shared machine is doing, so "CPU per attempt" is the steadiest
 * figure for telling where the cost is: the Node server or PostgreSQL.
 */
const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process in ms, or NaN where /proc is not readable. */
export function processCpuMs(pid: number): number {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return NaN;
  }
}

/** The PostgreSQL backends serving the bench database (the server's pool, the relay, ours). */
async function backendPids(pool: Pool): Promise<number[]> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
  );
  return rows.map((r) => r.pid);
}

export interface CpuUse {
  /** the server under test (ours or the baseline child) */
  serverMs: number;
  /** PostgreSQL backends of the bench database (not the other tenants' databases) */
  postgresMs: number;
  /** this process: the load-generating clients */
  benchMs: number;
}

/** Starts measuring; the returned function gives the CPU used since. */
export async function cpuMeter(serverPid: number, pool: Pool): Promise<() => Promise<CpuUse>> {
  const sum = (pids: number[]) => pids.reduce((t, p) => t + (processCpuMs(p) || 0), 0);
  const pids = await backendPids(pool);
  const before = {
    server: processCpuMs(serverPid),
    pg: new Map(pids.map((p) => [p, processCpuMs(p) || 0])),
    bench: processCpuMs(process.pid),
  };
  return async () => {
    // Backends that connected during the run count from zero.
    const now = await backendPids(pool);
    const pgBefore = now.reduce((t, p) => t + (before.pg.get(p) ?? 0), 0);
    return {
      serverMs: processCpuMs(serverPid) - before.server,
      postgresMs: sum(now) - pgBefore,
      benchMs: processCpuMs(process.pid) - before.bench,
    };
  };
}

import type { Pool } from 'pg';

/**
 * What the bench database's active backends are doing, sampled from pg_stat_activity during a
 * run: on CPU (no wait event), waiting for a row lock (Lock:transactionid / Lock:tuple), for the
 * WAL flush of a commit (IO:WALSync, LWLock:WALWrite), and so on, each with the statement it
 * runs. Under contention this tells where requests queue inside PostgreSQL.
 */
export interface WaitProfile {
  samples: number;
  /** mean number of active backends per sample: how much work PostgreSQL had in hand */
  activeMean: number;
  /** active-backend samples per "wait · statement" (merge rounds with mergeWaits) */
  counts: Record<string, number>;
}

const SAMPLE = `
  SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS wait,
         left(regexp_replace(query, '\\s+', ' ', 'g'), 48) AS stmt, count(*)::int AS n
    FROM pg_stat_activity
   WHERE datname = current_database() AND state = 'active' AND backend_type = 'client backend'
     AND pid <> pg_backend_pid()
   GROUP BY 1, 2`;

/** Starts sampling every `everyMs`; the returned function stops and summarizes. */
export function sampleWaits(pool: Pool, everyMs = 100): () => Promise<WaitProfile> {
  const counts = new Map<string, number>();
  let samples = 0;
  let active = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const t0 = Date.now();
      try {
        const { rows } = await pool.query<{ wait: string; stmt: string; n: number }>(SAMPLE);
        samples++;
        for (const r of rows) {
          const key = `${r.wait} · ${r.stmt.trim()}`;
          counts.set(key, (counts.get(key) ?? 0) + r.n);
          active += r.n;
        }
      } catch {
        /* a missed sample is no reason to fail the run */
      }
      await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (Date.now() - t0))));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return { samples, activeMean: samples ? active / samples : 0, counts: Object.fromEntries(counts) };
  };
}

/** The most frequent "wait · statement" pairs over several profiles, as shares of all samples. */
export function topWaits(
  profiles: WaitProfile[],
  n = 4,
): { activeMean: number; top: Array<{ what: string; share: number }> } {
  const merged = new Map<string, number>();
  let total = 0;
  for (const p of profiles) {
    for (const [k, v] of Object.entries(p.counts)) {
      merged.set(k, (merged.get(k) ?? 0) + v);
      total += v;
    }
  }
  const samples = profiles.reduce((t, p) => t + p.samples, 0);
  const top = [...merged]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([what, v]) => ({ what, share: total ? v / total : 0 }));
  return { activeMean: samples ? total / samples : 0, top };
}

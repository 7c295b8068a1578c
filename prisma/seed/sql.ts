import type { PoolClient } from 'pg';

/** One column of a batched insert: its name, its PostgreSQL type, and how to read it from a row. */
export interface Column<R> {
  name: string;
  /** a PostgreSQL type name as used in a cast, e.g. `text`, `int4`, `timestamptz`, `"Sex"` */
  type: string;
  value: (row: R) => unknown;
  /** a cast applied when selecting, for values sent as text (e.g. `int4[]` from '{3,4,5}') */
  cast?: string;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * `unnest($1::t1[], $2::t2[], …) WITH ORDINALITY AS alias(c1, c2, …, ord)`: a whole batch of rows
 * as one array parameter per column, so a batch is one statement and one round trip.
 */
export function unnestSource<R>(
  cols: readonly Column<R>[],
  rows: readonly R[],
  alias = 'u',
  firstParam = 1,
): { sql: string; params: unknown[] } {
  const params = cols.map((c) => rows.map((r) => c.value(r)));
  const args = cols.map((c, i) => `$${firstParam + i}::${c.type}[]`).join(', ');
  const names = cols.map((c) => quoteIdent(c.name)).join(', ');
  return { sql: `unnest(${args}) WITH ORDINALITY AS ${alias}(${names}, ord)`, params };
}

export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * INSERT … SELECT … FROM unnest(…) ON CONFLICT DO NOTHING, in batches, in row order.
 * Returns how many rows were actually inserted (existing ones are skipped: idempotent).
 */
export async function insertRows<R>(
  client: PoolClient,
  table: string,
  cols: readonly Column<R>[],
  rows: readonly R[],
  batchSize = 10_000,
): Promise<number> {
  let inserted = 0;
  const names = cols.map((c) => quoteIdent(c.name)).join(', ');
  const select = cols
    .map((c) => (c.cast ? `${quoteIdent(c.name)}::${c.cast}` : quoteIdent(c.name)))
    .join(', ');
  for (const batch of chunks(rows, batchSize)) {
    const src = unnestSource(cols, batch);
    const res = await client.query(
      `INSERT INTO ${quoteIdent(table)} (${names}) SELECT ${select} FROM ${src.sql} ORDER BY ord ON CONFLICT DO NOTHING`,
      src.params,
    );
    inserted += res.rowCount ?? 0;
  }
  return inserted;
}

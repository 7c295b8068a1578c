import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { Client, Pool } from 'pg';
import type { JsonClient } from './http-client';
import { ROOT } from './proc';

/** The bench's own database and Redis prefix: never the demo's or the tests'. */
export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/vaxops_bench';
export const BENCH_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Follows the database name (vaxops_bench_x → vaxops-bench-x), so two benches on one machine share no queues. */
export const BENCH_REDIS_PREFIX = new URL(BENCH_DATABASE_URL).pathname.slice(1).replace(/_/g, '-');
export const BENCH_HSA_ID = 'SE-BENCH-B001';
/** The stock manager (STOCK_MANAGER at the bench unit) who moves stock in the contention row. */
export const BENCH_STOCK_HSA_ID = 'SE-BENCH-S001';

export interface BenchData {
  unitId: string;
  visitTypeId: string;
  /** slot ids, ordered by start time and column */
  slotIds: string[];
  /** 12-digit personnummer, one per rush attempt */
  patients: string[];
  /** the product whose batches the stock contention row moves */
  productId: string;
}

/** Swedish timestamps and local dates, as the server's own sessions use. */
export function benchPool(max = 4): Pool {
  return new Pool({ connectionString: BENCH_DATABASE_URL, max, options: '-c TimeZone=Europe/Stockholm' });
}

/** Drops and recreates the bench database, then migrates it from scratch like a deployment. */
export async function recreateDatabase(): Promise<void> {
  const url = new URL(BENCH_DATABASE_URL);
  const name = url.pathname.slice(1);
  if (!/^vaxops_bench[a-z0-9_]*$/.test(name))
    throw new Error(`refusing to recreate a non-bench database: ${name}`);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const migrate = spawnSync(process.execPath, ['scripts/with-db-url.mjs', 'prisma', 'migrate', 'deploy'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: BENCH_DATABASE_URL },
    encoding: 'utf8',
  });
  if (migrate.status !== 0) throw new Error(`migration failed:\n${migrate.stdout}\n${migrate.stderr}`);
}

/** Removes the bench's Redis keys (BullMQ queues, socket.io adapter, presence) from earlier runs. */
export async function clearRedis(): Promise<void> {
  const redis = new Redis(BENCH_REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${BENCH_REDIS_PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * A valid 12-digit personnummer for index i: distinct birth dates from 1940 on (one per index,
 * so every number is unique) and a Luhn check digit over the last ten digits.
 */
export function personnummer(i: number): string {
  const birth = new Date(Date.UTC(1940, 0, 1) + i * 86_400_000);
  const yyyymmdd = birth.toISOString().slice(0, 10).replaceAll('-', '');
  const body = `${yyyymmdd}${String(100 + (i % 800)).padStart(3, '0')}`; // 11 digits
  let sum = 0;
  const ten = body.slice(2); // YYMMDDNNN: 9 digits weighted 2,1,2,…
  for (let k = 0; k < 9; k++) {
    let d = Number(ten[k]) * (k % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

const SLOTS_PER_COLUMN_DAY = 54; // 08:00–16:50, ten minutes each
const COLUMNS = 10;

/**
 * One region, municipality, care provider and unit; a nurse resource with ten columns and a
 * visit type bookable on it every day; `slots` free slots from tomorrow on; one booking user
 * with a BOOKING assignment at the unit; `patients` registered patients; one vaccine product and
 * a stock manager (STOCK_MANAGER at the unit). Stock batches are created per run (createBatches).
 */
export async function seed(pool: Pool, sizes: { slots: number; patients: number }): Promise<BenchData> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const one = async (text: string, values: unknown[] = []) =>
      (await c.query(text, values)).rows[0] as { id: string };
    const region = await one(
      `INSERT INTO region (code, name, hsa_id) VALUES ('99', 'Bänkregionen', 'SE-BENCH-R99') RETURNING id`,
    );
    await c.query(`INSERT INTO municipality (code, name, region_id) VALUES ('9999', 'Bänkköping', $1)`, [
      region.id,
    ]);
    const provider = await one(
      `INSERT INTO care_provider (hsa_id, name, kind, region_id) VALUES ('SE-BENCH-CP1', 'Bänkvården', 'REGION', $1) RETURNING id`,
      [region.id],
    );
    const unit = await one(
      `INSERT INTO unit (hsa_id, name, care_provider_id, region_id, municipality_code)
       VALUES ('SE-BENCH-U1', 'Bänkmottagningen', $1, $2, '9999') RETURNING id`,
      [provider.id, region.id],
    );
    const resource = await one(
      `INSERT INTO timebook_resource (unit_id, kind, name, columns) VALUES ($1, 'SKOTERSKA', 'Sköterskor', $2) RETURNING id`,
      [unit.id, COLUMNS],
    );
    const visitType = await one(
      `INSERT INTO visit_type (unit_id, name, resource, allowed_weekdays, web_bookable)
       VALUES ($1, 'Vaccination (bänk)', 'SKOTERSKA', '{}', true) RETURNING id`,
      [unit.id],
    );
    const user = await one(`INSERT INTO app_user (hsa_id, name) VALUES ($1, 'Bänk Bokare') RETURNING id`, [
      BENCH_HSA_ID,
    ]);
    await c.query(`INSERT INTO assignment (user_id, unit_id, role) VALUES ($1, $2, 'BOOKING')`, [
      user.id,
      unit.id,
    ]);
    const product = await one(
      `INSERT INTO product (name, atc_code, npl_id, disease_area, doses_per_vial)
       VALUES ('Bänkvaccin', 'J07BX03', 'BENCH-NPL-1', 'COVID-19', 1) RETURNING id`,
    );
    const stockUser = await one(
      `INSERT INTO app_user (hsa_id, name) VALUES ($1, 'Bänk Förrådsansvarig') RETURNING id`,
      [BENCH_STOCK_HSA_ID],
    );
    await c.query(`INSERT INTO assignment (user_id, unit_id, role) VALUES ($1, $2, 'STOCK_MANAGER')`, [
      stockUser.id,
      unit.id,
    ]);

    // Slots: day by day from tomorrow (local time), 54 times × 10 columns a day, the first `slots`.
    const days = Math.ceil(sizes.slots / (SLOTS_PER_COLUMN_DAY * COLUMNS));
    await c.query(
      `INSERT INTO slot (unit_id, resource_id, "column", date, starts_at, ends_at)
       SELECT $1, $2, col, d::date,
              (d + k * interval '10 minutes' + interval '8 hours') AT TIME ZONE 'Europe/Stockholm',
              (d + (k + 1) * interval '10 minutes' + interval '8 hours') AT TIME ZONE 'Europe/Stockholm'
         FROM generate_series((current_date + 1)::timestamp, (current_date + $3::int)::timestamp, interval '1 day') AS d,
              generate_series(0, ${SLOTS_PER_COLUMN_DAY - 1}) AS k,
              generate_series(1, ${COLUMNS}) AS col
        ORDER BY d, k, col
        LIMIT $4`,
      [unit.id, resource.id, days, sizes.slots],
    );
    const slots = await c.query<{ id: string }>(
      `SELECT id FROM slot WHERE unit_id = $1 ORDER BY starts_at, "column"`,
      [unit.id],
    );

    const patients = Array.from({ length: sizes.patients }, (_, i) => personnummer(i));
    await c.query(
      `INSERT INTO patient (identity_number, identity_type, birth_date, sex, updated_at)
       SELECT n, 'PERSONNUMMER', to_date(substr(n, 1, 8), 'YYYYMMDD'),
              CASE WHEN substr(n, 11, 1)::int % 2 = 0 THEN 'FEMALE'::"Sex" ELSE 'MALE'::"Sex" END, now()
         FROM unnest($1::text[]) AS n`,
      [patients],
    );
    await c.query('COMMIT');
    await c.query('VACUUM ANALYZE');
    return {
      unitId: unit.id,
      visitTypeId: visitType.id,
      slotIds: slots.rows.map((r) => r.id),
      patients,
      productId: product.id,
    };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/**
 * Back to "every slot free, no booking, no event": bookings and the unit's outbox rows are
 * deleted (both allow it; the audit log does not and is left alone). The topic version keeps
 * growing, so that a running server and its clients never see a version go backwards. Then
 * VACUUM and CHECKPOINT, so that dead rows and a pending checkpoint from one run do not land on
 * the next one.
 */
export async function resetBookings(pool: Pool, unitId: string): Promise<void> {
  await pool.query(`DELETE FROM booking WHERE unit_id = $1`, [unitId]);
  await pool.query(`DELETE FROM outbox_event WHERE topic_key = $1`, [`timebook:${unitId}`]);
  await pool.query(`UPDATE slot SET status = 'FREE', hold_id = NULL, held_until = NULL WHERE unit_id = $1`, [
    unitId,
  ]);
  await pool.query('VACUUM ANALYZE slot, booking, outbox_event, topic_version, patient');
  await pool.query('CHECKPOINT');
}

export interface BookingCheck {
  slots: number;
  activeBookings: number;
  /** slots with more than one ACTIVE booking */
  doubleBooked: number;
  /** slots whose status is not BOOKED */
  notBooked: number;
  /** BOOKED slots without an ACTIVE booking */
  bookedWithoutBooking: number;
}

/** What the database says after a rush: the ground truth behind the HTTP answers. */
export async function checkBookings(pool: Pool, unitId: string): Promise<BookingCheck> {
  const { rows } = await pool.query<BookingCheck>(
    `SELECT
       (SELECT count(*)::int FROM slot WHERE unit_id = $1) AS "slots",
       (SELECT count(*)::int FROM booking WHERE unit_id = $1 AND status = 'ACTIVE') AS "activeBookings",
       (SELECT count(*)::int FROM (SELECT slot_id FROM booking WHERE unit_id = $1 AND status = 'ACTIVE'
                                    GROUP BY slot_id HAVING count(*) > 1) d) AS "doubleBooked",
       (SELECT count(*)::int FROM slot WHERE unit_id = $1 AND status <> 'BOOKED') AS "notBooked",
       (SELECT count(*)::int FROM slot s WHERE s.unit_id = $1 AND s.status = 'BOOKED'
           AND NOT EXISTS (SELECT 1 FROM booking b WHERE b.slot_id = s.id AND b.status = 'ACTIVE')) AS "bookedWithoutBooking"`,
    [unitId],
  );
  return rows[0]!;
}

/**
 * The fan-out rows' change: booking the i-th seeded slot for the i-th patient through the API
 * (true when it was a 201).
 */
export function bookSlot(http: JsonClient, data: BenchData, token: string): (i: number) => Promise<boolean> {
  return async (i) => {
    const body = {
      slotId: data.slotIds[i],
      visitTypeId: data.visitTypeId,
      patient: { personalIdentityNumber: data.patients[i] },
    };
    return (await http.post('/api/bookings', body, token)).status === 201;
  };
}

export async function topicVersion(pool: Pool, unitId: string): Promise<number> {
  const { rows } = await pool.query<{ version: string }>(
    `SELECT version FROM topic_version WHERE topic_key = $1`,
    [`timebook:${unitId}`],
  );
  return Number(rows[0]?.version ?? 0);
}

export async function unpublishedOutbox(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL`,
  );
  return rows[0]!.n;
}

export interface RelayBatches {
  /** relay transactions that published this topic's rows (rows of one drain share published_at) */
  drains: number;
  rows: number;
  maxRowsPerDrain: number;
  /**
   * commit → start of the drain that published the row, p95 over the rows, in ms. published_at
   * is now() of the relay's transaction, i.e. its start, before the rows are read and emitted.
   */
  drainStartLagP95Ms: number;
}

/**
 * How the outbox relay published the unit's events: one drain reads a batch of rows, emits them
 * all back to back, and stamps them with the same published_at (its transaction's start).
 */
export async function relayBatches(pool: Pool, unitId: string): Promise<RelayBatches> {
  const { rows } = await pool.query<RelayBatches>(
    `WITH e AS (SELECT published_at, created_at FROM outbox_event WHERE topic_key = $1 AND published_at IS NOT NULL),
          d AS (SELECT count(*)::int AS n FROM e GROUP BY published_at)
     SELECT (SELECT count(*)::int FROM d) AS "drains", (SELECT count(*)::int FROM e) AS "rows",
            (SELECT coalesce(max(n), 0) FROM d) AS "maxRowsPerDrain",
            (SELECT coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM published_at - created_at) * 1000), 0)
               FROM e)::float8 AS "drainStartLagP95Ms"`,
    [`timebook:${unitId}`],
  );
  return rows[0]!;
}

/**
 * Fresh batches of the bench product (no balance, no ledger yet), named `<prefix>-1…n`. The stock
 * ledger is append-only (UPDATE, DELETE and TRUNCATE are refused by triggers), so a run cannot be
 * reset: every run, warm-up or measured, ours or baseline, moves stock on batches of its own.
 */
export async function createBatches(
  pool: Pool,
  productId: string,
  prefix: string,
  n: number,
): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO batch (product_id, batch_number, expires_on)
     SELECT $1, $2 || '-' || i, DATE '2099-12-31' FROM generate_series(1, $3::int) AS i
     ORDER BY i RETURNING id`,
    [productId, prefix, n],
  );
  return rows.map((r) => r.id);
}

/** Dead row versions of the hot balance rows and a pending checkpoint must not land on the next run. */
export async function settleStock(pool: Pool): Promise<void> {
  await pool.query('VACUUM ANALYZE stock_balance, stock_movement, batch, topic_version, outbox_event');
  await pool.query('CHECKPOINT');
}

/** What the database says about one batch at a unit: its balance row and its ledger. */
export interface BatchState {
  batchId: string;
  /** stock_balance.doses (null: no balance row) */
  doses: number | null;
  rowVersion: number | null;
  ledgerRows: number;
  /** sum of the ledger's deltas: must equal the balance */
  ledgerSum: number;
  minBalanceAfter: number | null;
  /**
   * ledger rows whose balance_after is not the running sum of the deltas up to them (in id
   * order, which is lock order: the id is drawn while the balance row is locked). A lost update
   * shows here even when the final sum happens to agree.
   */
  chainBreaks: number;
}

export async function batchStates(pool: Pool, unitId: string, batchIds: string[]): Promise<BatchState[]> {
  const { rows } = await pool.query<BatchState>(
    `WITH m AS (
       SELECT batch_id, delta, balance_after,
              sum(delta) OVER (PARTITION BY batch_id ORDER BY id) AS running
         FROM stock_movement WHERE unit_id = $1 AND batch_id = ANY($2::text[])
     ), l AS (
       SELECT batch_id, count(*)::int AS rows, coalesce(sum(delta), 0)::int AS total,
              min(balance_after)::int AS min_after,
              count(*) FILTER (WHERE balance_after <> running)::int AS breaks
         FROM m GROUP BY batch_id
     )
     SELECT b.id AS "batchId", sb.doses, sb.row_version AS "rowVersion",
            coalesce(l.rows, 0) AS "ledgerRows", coalesce(l.total, 0) AS "ledgerSum",
            l.min_after AS "minBalanceAfter", coalesce(l.breaks, 0) AS "chainBreaks"
       FROM unnest($2::text[]) WITH ORDINALITY AS b(id, ord)
       LEFT JOIN stock_balance sb ON sb.unit_id = $1 AND sb.batch_id = b.id
       LEFT JOIN l ON l.batch_id = b.id
      ORDER BY b.ord`,
    [unitId, batchIds],
  );
  return rows;
}

import type { Pool, PoolClient } from 'pg';
import { BenchContext, load1, log } from './context';
import { devLogin } from './http-client';
import { startServer } from './servers';
import { nowMs, Percentiles, round, summarize } from './stats';

/**
 * R29 coverage at region scale: `scale.coveragePeople` people in a population register (13
 * municipalities) and `scale.coverageVaccinations` doses. Bulk-loaded with the coverage triggers
 * off and then built by `coverage_rebuild` (the rebuild job's work, timed), after which every
 * measured dose goes through the triggers.
 *
 * - query: `GET /api/coverage/matrix` (municipality × age group, one dose) on the running server,
 *   against a plain GROUP BY over population_register, patient and vaccination through `pg`;
 *   both answers must be equal, for doses 1–3.
 * - per event: single-row INSERTs of a new dose, autocommitted, with the coverage triggers and
 *   (on other people) without them; the difference of the medians is what one new vaccination
 *   costs the live figures. Each must move the counters and write one `coverage.changed` row.
 * - afterwards the rebuild, run in compare mode, must find the incremental figures equal to the
 *   ones computed from scratch.
 */
export interface CoverageBenchResult {
  people: number;
  vaccinations: number;
  loadSeconds: number;
  rebuildSeconds: number;
  query: { ours: Percentiles; baseline: Percentiles; oursSql: Percentiles };
  perEvent: { withTriggers: Percentiles; without: Percentiles; costMs: number; events: number };
  failures: string[];
  load: number;
}

const MUNICIPALITIES = 13;
const UNITS = 12;
const REGION_CODE = '98';

async function seedCoverage(c: PoolClient, people: number, vaccinations: number): Promise<string> {
  const one = async (text: string, values: unknown[] = []) =>
    (await c.query(text, values)).rows[0] as { id: string };
  const region = await one(
    `INSERT INTO region (code, name, hsa_id) VALUES ($1, 'Täckningsregionen', 'SE-BENCH-R98') RETURNING id`,
    [REGION_CODE],
  );
  await c.query(
    `INSERT INTO municipality (code, name, region_id)
     SELECT '98' || lpad(m::text, 2, '0'), 'Bänkkommun ' || m, $1 FROM generate_series(1, ${MUNICIPALITIES}) m`,
    [region.id],
  );
  await c.query(
    `INSERT INTO care_provider (hsa_id, name, kind, region_id)
     SELECT 'SE-BENCH-CV' || p, 'Täckningsvården ' || p, 'REGION', $1 FROM generate_series(1, 3) p`,
    [region.id],
  );
  await c.query(
    `INSERT INTO unit (hsa_id, name, care_provider_id, region_id, municipality_code)
     SELECT 'SE-BENCH-CVU' || u, 'Täckningsenheten ' || u,
            (SELECT id FROM care_provider WHERE hsa_id = 'SE-BENCH-CV' || (1 + u % 3)), $1,
            '98' || lpad((1 + u % ${MUNICIPALITIES})::text, 2, '0')
       FROM generate_series(1, ${UNITS}) u`,
    [region.id],
  );
  await c.query(
    `INSERT INTO product (name, atc_code, npl_id, disease_area, doses_per_vial, dose_interval_days, doses_in_series)
     VALUES ('Bänkvaccin A', 'J07BN01', '98000000000001', 'BÄNK-COVID', 6, 21, 2),
            ('Bänkvaccin B', 'J07BN01', '98000000000002', 'BÄNK-COVID', 10, 28, 2),
            ('Bänkvaccin Influensa', 'J07BB02', '98000000000003', 'BÄNK-INFLUENSA', 1, NULL, 1)`,
  );
  await c.query(
    `INSERT INTO batch (product_id, batch_number, expires_on)
     SELECT id, 'CV-' || npl_id, current_date + 365 FROM product WHERE npl_id LIKE '980000000000%'`,
  );
  const smittskydd = await one(
    `INSERT INTO app_user (hsa_id, name) VALUES ('SE-BENCH-R001', 'Bänk Smittskydd') RETURNING id`,
  );
  await c.query(
    `INSERT INTO assignment (user_id, unit_id, role)
     SELECT $1, id, 'SMITTSKYDD' FROM unit WHERE hsa_id = 'SE-BENCH-CVU1'`,
    [smittskydd.id],
  );

  // The bulk load: triggers off (as a data migration would run), then the rebuild.
  await c.query(`SET session_replication_role = replica`);
  await c.query(
    `INSERT INTO population_register (identity_number, region_id, municipality_code, birth_date, sex)
     SELECT '77' || lpad(i::text, 10, '0'), $1,
            '98' || lpad((1 + (hashint4(i) & 2147483647) % ${MUNICIPALITIES})::text, 2, '0'),
            date '1922-01-01' + ((hashint4(i + 7) & 2147483647) % 37000),
            CASE WHEN i % 2 = 0 THEN 'FEMALE' ELSE 'MALE' END::"Sex"
       FROM generate_series(1, $2::int) i`,
    [region.id, people],
  );
  // ~95% of the register has a patient record; each gets 0–4 doses (about 3 on average, so that 370,000 people carry the full 1,000,000 doses).
  await c.query(
    `INSERT INTO patient (identity_number, identity_type, birth_date, sex)
     SELECT identity_number, 'PERSONNUMMER', birth_date, sex FROM population_register
      WHERE region_id = $1 AND (hashint4(substr(identity_number, 3)::int + 13) & 2147483647) % 100 < 95`,
    [region.id],
  );
  await c.query(
    `WITH p AS (
       SELECT pa.id, row_number() OVER (ORDER BY pa.identity_number) AS n,
              (hashint4(substr(pa.identity_number, 3)::int) & 2147483647) % 100 AS h
         FROM patient pa WHERE pa.identity_number LIKE '77%'
     ), plan AS (
       SELECT p.id, p.n, d.dose,
              CASE WHEN p.h % 2 = 0 THEN 'A' ELSE 'B' END AS prod
         FROM p CROSS JOIN LATERAL generate_series(1, CASE WHEN p.h < 5 THEN 0 WHEN p.h < 10 THEN 1 WHEN p.h < 25 THEN 2
                                                              WHEN p.h < 60 THEN 3 ELSE 4 END) AS d(dose)
     ), numbered AS (
       SELECT plan.*, row_number() OVER (ORDER BY plan.n, plan.dose) AS k FROM plan
     )
     INSERT INTO vaccination (patient_id, product_id, batch_id, dose_number, given_at, given_on, unit_id,
                              care_provider_id, historical)
     SELECT x.id, pr.id, CASE WHEN x.historical THEN NULL ELSE b.id END, x.dose_number, x.given_on::timestamptz + interval '10 hours',
            x.given_on, CASE WHEN x.historical THEN NULL ELSE u.id END, CASE WHEN x.historical THEN NULL ELSE u.care_provider_id END,
            x.historical
       FROM (SELECT nb.id, nb.k, nb.dose AS dose_number,
                    CASE WHEN nb.dose = 4 THEN 'Bänkvaccin Influensa'
                         WHEN nb.prod = 'A' THEN 'Bänkvaccin A' ELSE 'Bänkvaccin B' END AS product_name,
                    current_date - 360 + ((hashint4(nb.n::int) & 2147483647) % 200) + (nb.dose - 1) * 40 AS given_on,
                    (hashint4(nb.k::int) & 2147483647) % 50 = 0 AS historical,
                    (hashint4(nb.k::int + 3) & 2147483647) % ${UNITS} + 1 AS unit_no
               FROM numbered nb WHERE nb.k <= $1) x
       JOIN product pr ON pr.name = x.product_name
       JOIN batch b ON b.product_id = pr.id
       JOIN unit u ON u.hsa_id = 'SE-BENCH-CVU' || x.unit_no`,
    [vaccinations],
  );
  await c.query(`SET session_replication_role = origin`);
  await c.query(`ANALYZE population_register, patient, vaccination`);
  return region.id;
}

/** The baseline: municipality × age group for one dose, straight from the raw tables. */
const BASELINE_SQL = `
  WITH top AS (
    SELECT v.patient_id, max(v.dose_number) AS m FROM vaccination v WHERE v.status = 'GIVEN' GROUP BY 1
  )
  SELECT pr.municipality_code AS municipality,
         CASE WHEN a.age < 18 THEN '0-17' WHEN a.age < 30 THEN '18-29' WHEN a.age < 40 THEN '30-39'
              WHEN a.age < 50 THEN '40-49' WHEN a.age < 60 THEN '50-59' WHEN a.age < 70 THEN '60-69'
              WHEN a.age < 80 THEN '70-79' ELSE '80+' END AS age_group,
         count(*)::int AS population, count(*) FILTER (WHERE top.m >= $2)::int AS vaccinated
    FROM population_register pr
    CROSS JOIN LATERAL (SELECT extract(year FROM current_date)::int - extract(year FROM pr.birth_date)::int AS age) a
    LEFT JOIN patient pa ON pa.identity_number = pr.identity_number
    LEFT JOIN top ON top.patient_id = pa.id
   WHERE pr.region_id = $1
   GROUP BY 1, 2`;

/** The counter read our repository does for the same table (CoverageRepository.cells), for the SQL-only figure. */
const OURS_SQL = `
  WITH pop AS (
    SELECT split_part(key, '|', 1) AS municipality,
           coverage_age_group(split_part(key, '|', 2)::int, current_date) AS age_group, sum(population)::int AS n
      FROM coverage_population WHERE region_id = $1 AND dim = 'cell' GROUP BY 1, 2
  ), vac AS (
    SELECT split_part(key, '|', 1) AS municipality,
           coverage_age_group(split_part(key, '|', 2)::int, current_date) AS age_group, sum(vaccinated)::int AS n
      FROM coverage_count WHERE region_id = $1 AND dim = 'cell' AND product_key = '*' AND dose = $2 GROUP BY 1, 2
  )
  SELECT * FROM pop FULL JOIN vac USING (municipality, age_group)`;

type Matrix = Map<string, { population: number; vaccinated: number }>;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = nowMs();
  const value = await fn();
  return { ms: nowMs() - t0, value };
}

async function insertDoses(pool: Pool, regionId: string, count: number, offset: number) {
  // people with fewer than four doses get their next one (a new dose 1 for the unvaccinated)
  const { rows } = await pool.query<{
    patient_id: string;
    next: number;
    product_id: string;
    batch_id: string;
    unit_id: string;
    cp: string;
  }>(
    `SELECT pa.id AS patient_id, coalesce(max(v.dose_number), 0) + 1 AS next,
            (SELECT id FROM product WHERE name = 'Bänkvaccin A') AS product_id,
            (SELECT b.id FROM batch b JOIN product p ON p.id = b.product_id WHERE p.name = 'Bänkvaccin A') AS batch_id,
            (SELECT id FROM unit WHERE hsa_id = 'SE-BENCH-CVU1') AS unit_id,
            (SELECT care_provider_id FROM unit WHERE hsa_id = 'SE-BENCH-CVU1') AS cp
       FROM patient pa JOIN population_register pr ON pr.identity_number = pa.identity_number AND pr.region_id = $1
       LEFT JOIN vaccination v ON v.patient_id = pa.id
      GROUP BY pa.id HAVING coalesce(max(v.dose_number), 0) < 3
      ORDER BY pa.id OFFSET $2 LIMIT $3`,
    [regionId, offset, count],
  );
  const c = await pool.connect();
  const ms: number[] = [];
  const ids: string[] = [];
  try {
    for (const r of rows) {
      const t0 = nowMs();
      const res = await c.query<{ id: string }>(
        `INSERT INTO vaccination (patient_id, product_id, batch_id, dose_number, given_at, given_on, unit_id, care_provider_id)
         VALUES ($1, $2, $3, $4, now(), current_date, $5, $6) RETURNING id`,
        [r.patient_id, r.product_id, r.batch_id, r.next, r.unit_id, r.cp],
      );
      ms.push(nowMs() - t0);
      ids.push(res.rows[0]!.id);
    }
  } finally {
    c.release();
  }
  return { ms, ids };
}

export async function benchCoverage(ctx: BenchContext): Promise<CoverageBenchResult> {
  const { scale, pool } = ctx;
  const failures: string[] = [];
  const load = load1();
  log(`coverage: loading ${scale.coveragePeople} people and ${scale.coverageVaccinations} vaccinations`);
  const c = await pool.connect();
  let regionId: string;
  let loadSeconds: number;
  let rebuildSeconds: number;
  try {
    await c.query(`SET statement_timeout = 0`);
    const loaded = await timed(() => seedCoverage(c, scale.coveragePeople, scale.coverageVaccinations));
    regionId = loaded.value;
    loadSeconds = loaded.ms / 1000;
    log(`coverage: loaded in ${round(loadSeconds)} s; rebuilding the counters from scratch`);
    const rebuilt = await timed(() => c.query(`SELECT tbl, mismatched FROM coverage_rebuild(true)`));
    rebuildSeconds = rebuilt.ms / 1000;
    // what autovacuum does after a rebuild replaced every row: visibility map and statistics
    await c.query(`VACUUM ANALYZE coverage_count, coverage_population, coverage_person, coverage_daily`);
    log(`coverage: rebuild took ${round(rebuildSeconds)} s`);
  } finally {
    c.release();
  }
  const { rows: counted } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM vaccination v JOIN patient pa ON pa.id = v.patient_id WHERE pa.identity_number LIKE '77%'`,
  );
  const vaccinations = counted[0]!.n;

  // ---- per event: with the triggers, then without (on other people, rolled back by hand)
  const events = scale.coverageEvents;
  const outboxBefore = (
    await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_event WHERE topic = 'coverage'`)
  ).rows[0]!.n;
  const regionBefore = (
    await pool.query<{ n: number }>(
      `SELECT coalesce(sum(vaccinated), 0)::int AS n FROM coverage_count WHERE region_id = $1 AND dim = 'region' AND product_key = '*'`,
      [regionId],
    )
  ).rows[0]!.n;
  await insertDoses(pool, regionId, 20, 0); // warm-up (plans, caches)
  const withT = await insertDoses(pool, regionId, events, 100);
  const outboxAfter = (
    await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_event WHERE topic = 'coverage'`)
  ).rows[0]!.n;
  const regionAfter = (
    await pool.query<{ n: number }>(
      `SELECT coalesce(sum(vaccinated), 0)::int AS n FROM coverage_count WHERE region_id = $1 AND dim = 'region' AND product_key = '*'`,
      [regionId],
    )
  ).rows[0]!.n;
  if (outboxAfter - outboxBefore !== events + 20)
    failures.push(`${outboxAfter - outboxBefore} coverage events for ${events + 20} doses`);
  if (regionAfter - regionBefore !== events + 20)
    failures.push(`region counters moved by ${regionAfter - regionBefore} for ${events + 20} new doses`);

  await pool.query(`ALTER TABLE vaccination DISABLE TRIGGER coverage_vaccination_insert`);
  const unseen: string[] = [];
  let without: { ms: number[]; ids: string[] } | undefined;
  try {
    unseen.push(...(await insertDoses(pool, regionId, 20, 5000)).ids);
    without = await insertDoses(pool, regionId, events, 6000);
    unseen.push(...without.ids);
  } finally {
    // the doses the counters never saw go again, just as unseen
    await pool.query(`ALTER TABLE vaccination DISABLE TRIGGER coverage_vaccination_delete`);
    await pool.query(`DELETE FROM vaccination WHERE id = ANY($1::text[])`, [unseen]);
    await pool.query(`ALTER TABLE vaccination ENABLE TRIGGER coverage_vaccination_insert`);
    await pool.query(`ALTER TABLE vaccination ENABLE TRIGGER coverage_vaccination_delete`);
  }

  // ---- query: ours over HTTP (and its SQL alone), baseline GROUP BY, same answers
  const server = await startServer();
  const oursMs: number[] = [];
  const oursSqlMs: number[] = [];
  const baselineMs: number[] = [];
  try {
    const token = await devLogin(server.url, 'SE-BENCH-R001');
    const matrixOf = async (dose: number) => {
      const res = await fetch(`${server.url}/api/coverage/matrix?regionId=${regionId}&dose=${dose}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 200) throw new Error(`matrix: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as {
        rows: Array<{
          key: string;
          cells: Array<{ ageGroup: string; population: number; vaccinated: number }>;
        }>;
      };
      const m: Matrix = new Map();
      for (const r of body.rows)
        for (const cell of r.cells)
          if (cell.population > 0 || cell.vaccinated > 0)
            m.set(`${r.key}|${cell.ageGroup}`, { population: cell.population, vaccinated: cell.vaccinated });
      return m;
    };
    const baselineOf = async (dose: number) => {
      const { rows } = await pool.query<{
        municipality: string;
        age_group: string;
        population: number;
        vaccinated: number;
      }>(BASELINE_SQL, [regionId, dose]);
      return new Map(
        rows.map((r) => [
          `${r.municipality}|${r.age_group}`,
          { population: r.population, vaccinated: r.vaccinated },
        ]),
      );
    };
    for (let i = 0; i < 5; i++) await matrixOf(1 + (i % 3)); // warm-up
    for (let i = 0; i < scale.coverageQueries; i++) {
      const dose = 1 + (i % 3);
      oursMs.push((await timed(() => matrixOf(dose))).ms);
      oursSqlMs.push((await timed(() => pool.query(OURS_SQL, [regionId, dose]))).ms);
    }
    for (let dose = 1; dose <= 3; dose++) {
      const b = await timed(() => baselineOf(dose));
      baselineMs.push(b.ms);
      const ours = await matrixOf(dose);
      const same =
        ours.size === b.value.size &&
        [...b.value].every(
          ([k, v]) => ours.get(k)?.population === v.population && ours.get(k)?.vaccinated === v.vaccinated,
        );
      if (!same) failures.push(`dose ${dose}: the matrix differs from the GROUP BY`);
    }
    for (let i = 3; i < scale.coverageBaselineRuns; i++)
      baselineMs.push((await timed(() => baselineOf(1 + (i % 3)))).ms);
  } finally {
    await server.stop();
  }

  // ---- the incremental figures, after the measured doses, against a rebuild from scratch
  const check = await pool.connect();
  try {
    await check.query('SET statement_timeout = 0');
    await check.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const { rows } = await check.query<{ tbl: string; mismatched: number }>(
      `SELECT tbl, mismatched::int FROM coverage_rebuild(false)`,
    );
    await check.query('ROLLBACK');
    for (const r of rows)
      if (r.mismatched > 0) failures.push(`${r.tbl}: ${r.mismatched} rows differ from a rebuild`);
  } finally {
    check.release();
  }

  const withS = summarize(withT.ms);
  const withoutS = summarize(without?.ms ?? []);
  const result: CoverageBenchResult = {
    people: scale.coveragePeople,
    vaccinations,
    loadSeconds,
    rebuildSeconds,
    query: { ours: summarize(oursMs), baseline: summarize(baselineMs), oursSql: summarize(oursSqlMs) },
    perEvent: { withTriggers: withS, without: withoutS, costMs: withS.p50 - withoutS.p50, events },
    failures,
    load,
  };
  log(
    `coverage: matrix p50 ${round(result.query.ours.p50)} ms (SQL ${round(result.query.oursSql.p50)} ms) vs GROUP BY ` +
      `p50 ${round(result.query.baseline.p50)} ms; insert p50 ${round(withS.p50, 2)} ms with triggers, ` +
      `${round(withoutS.p50, 2)} ms without; ${failures.length ? failures.join('; ') : 'checks pass'}`,
  );
  return result;
}

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Pool } from 'pg';
import { BenchContext, load1, log } from './context';
import { BENCH_DATABASE_URL } from './data';
import { devLogin } from './http-client';
import { startServer } from './servers';
import { round, sleep } from './stats';

/** Where the server under test writes its export files (removed after each round's check). */
export const BENCH_NVR_DIR = join(tmpdir(), 'vaxops-bench-nvr');
export const BENCH_NVR_HSA_ID = 'SE-BENCH-N001'; // not the coverage row's SE-BENCH-R001: both run in one database
/** Doses of the small run that shows memory does not grow with the size of the run. */
const SMALL_RUN = 1000;
const BULK = 'bench-nvr-bulk';

export interface NvrMeasurement {
  doses: number;
  seconds: number;
  rowsPerSec: number;
  /** peak resident set size of the process, sampled every 50 ms during the run */
  peakRssMb: number;
  /** its resident set size just before the run */
  startRssMb: number;
  bytes: number;
  load: number;
  failures: string[];
}

export interface NvrRound {
  ours: NvrMeasurement;
  baseline: NvrMeasurement;
}

export interface NvrResult {
  rounds: NvrRound[];
  /** ours with SMALL_RUN doses, before the big runs: peak RSS should not grow with size */
  small: NvrMeasurement;
}

/**
 * R28 "NVR export": N doses to FHIR R4 NDJSON (plus CSV, control report, manifest) through the
 * real server and its worker (`POST /api/nvr/exports`, until the run is COMPLETED), against the
 * most direct way PostgreSQL hands out the same rows: `COPY (SELECT …) TO STDOUT` into a file
 * through psql. Rounds alternate sides; between rounds the doses are made unreported again.
 * Every round checks exactly once: N distinct dose ids in the file, the manifest's SHA-256, and
 * every dose marked in the database.
 */
export async function benchNvr(ctx: BenchContext): Promise<NvrResult> {
  const { pool, data } = ctx;
  const setup = await prepare(pool, data.unitId);
  await insertDoses(pool, setup, SMALL_RUN, 'bench-nvr-small', data.patients);
  const small = await oursOnce(ctx, 'NVR small run', SMALL_RUN);
  log(`NVR: inserting ${ctx.scale.nvrDoses} doses`);
  await insertDoses(pool, setup, ctx.scale.nvrDoses, BULK, data.patients);
  await pool.query('VACUUM ANALYZE vaccination');

  const rounds: NvrRound[] = [];
  for (let r = 0; r < ctx.scale.nvrRounds; r++) {
    const order: Array<'ours' | 'baseline'> = r % 2 === 0 ? ['baseline', 'ours'] : ['ours', 'baseline'];
    const got: Partial<NvrRound> = {};
    for (const side of order) {
      if (side === 'ours') {
        got.ours = await oursOnce(ctx, `NVR ours #${r + 1}`, ctx.scale.nvrDoses);
        await makeUnreported(pool);
      } else {
        got.baseline = await baselineOnce(`NVR baseline #${r + 1}`, setup.regionId, ctx.scale.nvrDoses);
      }
    }
    rounds.push(got as NvrRound);
  }
  return { rounds, small };
}

interface Setup {
  regionId: string;
  productId: string;
  batchId: string;
  careProviderId: string;
}

/** A product with real-looking codes, a batch, and a SMITTSKYDD user of the bench region. */
async function prepare(pool: Pool, unitId: string): Promise<Setup> {
  const { rows } = await pool.query<{ region_id: string; care_provider_id: string }>(
    `SELECT region_id, care_provider_id FROM unit WHERE id = $1`,
    [unitId],
  );
  const { region_id: regionId, care_provider_id: careProviderId } = rows[0]!;
  const product = await pool.query<{ id: string }>(
    `INSERT INTO product (name, atc_code, npl_id, disease_area, manufacturer)
     VALUES ('Bänkvaccin NVR', 'J07BN01', '20991231100001', 'COVID-19', 'Bänk AB') RETURNING id`,
  );
  const batch = await pool.query<{ id: string }>(
    `INSERT INTO batch (product_id, batch_number, expires_on) VALUES ($1, 'NVR-BENCH-1', '2030-01-01') RETURNING id`,
    [product.rows[0]!.id],
  );
  const user = await pool.query<{ id: string }>(
    `INSERT INTO app_user (hsa_id, name) VALUES ($1, 'Bänk Smittskydd') RETURNING id`,
    [BENCH_NVR_HSA_ID],
  );
  await pool.query(`INSERT INTO assignment (user_id, unit_id, role) VALUES ($1, $2, 'SMITTSKYDD')`, [
    user.rows[0]!.id,
    unitId,
  ]);
  return { regionId, productId: product.rows[0]!.id, batchId: batch.rows[0]!.id, careProviderId };
}

async function insertDoses(pool: Pool, s: Setup, n: number, comment: string, patients: string[]) {
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM unit WHERE region_id = $1 LIMIT 1`, [
    s.regionId,
  ]);
  await pool.query(
    `WITH pats AS (SELECT array_agg(id ORDER BY identity_number) AS ids FROM patient WHERE identity_number = ANY($7::text[]))
     INSERT INTO vaccination (patient_id, product_id, batch_id, dose_number, given_at, given_on, unit_id,
                              care_provider_id, comment)
     SELECT pats.ids[1 + g % cardinality(pats.ids)], $1, $2, 1 + g % 3, now() - make_interval(secs => g),
            (now() - make_interval(secs => g))::date, $3, $4, $5
       FROM generate_series(1, $6::int) g, pats`,
    [s.productId, s.batchId, rows[0]!.id, s.careProviderId, comment, n, patients],
  );
}

/**
 * The bulk doses unreported again (their items gone: the ledger is what marks a dose reported),
 * and the runs that covered them, so the next round has them all. The small run stays: its doses
 * stay reported.
 */
async function makeUnreported(pool: Pool): Promise<void> {
  await pool.query(
    `DELETE FROM nvr_export_item i USING vaccination v WHERE v.id = i.vaccination_id AND v.comment = $1`,
    [BULK],
  );
  await pool.query(`DELETE FROM nvr_export_error`);
  await pool.query(
    `DELETE FROM nvr_export_run r WHERE NOT EXISTS (SELECT 1 FROM nvr_export_item i WHERE i.run_id = r.id)`,
  );
  await pool.query('VACUUM ANALYZE vaccination, nvr_export_item');
  await pool.query('CHECKPOINT');
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function sampleRss(pid: number): () => number {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    const now = rssMb(pid);
    if (now > peak) peak = now;
  }, 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssMb(pid));
  };
}

async function oursOnce(ctx: BenchContext, label: string, expected: number): Promise<NvrMeasurement> {
  rmSync(BENCH_NVR_DIR, { recursive: true, force: true });
  const server = await startServer({ NVR_EXPORT_DIR: BENCH_NVR_DIR });
  try {
    const token = await devLogin(server.url, BENCH_NVR_HSA_ID);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await sleep(500);
    const pid = server.proc.pid!;
    const startRssMb = rssMb(pid);
    const load = load1();
    const stop = sampleRss(pid);
    const t0 = performance.now();
    const res = await fetch(`${server.url}/api/nvr/exports`, { method: 'POST', headers, body: '{}' });
    const { exportId } = (await res.json()) as { exportId: string };
    let run: any;
    for (;;) {
      const got = await fetch(`${server.url}/api/nvr/exports/${exportId}`, { headers });
      run = await got.json();
      if (run.status === 'COMPLETED' || run.status === 'FAILED') break;
      await sleep(50);
    }
    const seconds = (performance.now() - t0) / 1000;
    const peakRssMb = stop();
    const failures =
      run.status === 'COMPLETED' ? await checkOurs(ctx.pool, run, expected) : [`run ${run.status}`];
    const ndjson = (run.files as Array<{ kind: string; bytes: number }>).find(
      (f) => f.kind === 'fhir-ndjson',
    );
    const m: NvrMeasurement = {
      doses: run.doseCount,
      seconds,
      rowsPerSec: run.doseCount / seconds,
      peakRssMb,
      startRssMb,
      bytes: ndjson?.bytes ?? 0,
      load,
      failures,
    };
    log(
      `${label}: ${run.doseCount} doses in ${round(seconds, 2)} s = ${Math.round(m.rowsPerSec)} rows/s, ` +
        `RSS ${round(startRssMb)} → peak ${round(peakRssMb)} MB; ${failures.length ? failures.join('; ') : 'exactly once'}; load ${load}`,
    );
    return m;
  } finally {
    await server.stop();
    rmSync(BENCH_NVR_DIR, { recursive: true, force: true });
  }
}

/** Exactly once: N records, N distinct dose ids, the manifest's hash, every dose marked. */
async function checkOurs(pool: Pool, run: any, expected: number): Promise<string[]> {
  const out: string[] = [];
  if (run.doseCount !== expected) out.push(`${run.doseCount} doses for ${expected}`);
  const { rows } = await pool.query<{ dir: string }>(`SELECT dir FROM nvr_export_run WHERE id = $1`, [
    run.id,
  ]);
  const file = (run.files as Array<{ kind: string; name: string; sha256: string }>).find(
    (f) => f.kind === 'fhir-ndjson',
  )!;
  const hash = createHash('sha256');
  const ids = new Set<string>();
  let lines = 0;
  const input = createReadStream(join(BENCH_NVR_DIR, rows[0]!.dir, file.name));
  input.on('data', (c) => hash.update(c));
  for await (const line of createInterface({ input })) {
    if (!line) continue;
    lines++;
    const m = /"value":"urn:uuid:([0-9a-f-]{36})"/.exec(line);
    if (m) ids.add(m[1]!);
  }
  if (hash.digest('hex') !== file.sha256) out.push('NDJSON does not match the manifest SHA-256');
  if (lines !== expected) out.push(`${lines} NDJSON lines for ${expected} doses`);
  if (ids.size !== expected) out.push(`${ids.size} distinct dose ids for ${expected} doses`);
  const marked = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM nvr_export_item i JOIN vaccination v ON v.id = i.vaccination_id
      WHERE i.run_id = $1 AND i.revision = v.revision
        AND NOT EXISTS (SELECT 1 FROM nvr_export_item j WHERE j.vaccination_id = i.vaccination_id AND j.revision > i.revision)`,
    [run.id],
  );
  if (marked.rows[0]!.n !== expected) out.push(`${marked.rows[0]!.n} doses marked reported for ${expected}`);
  return out;
}

/** The same rows, the most direct way: one COPY through psql into a file. */
async function baselineOnce(label: string, regionId: string, expected: number): Promise<NvrMeasurement> {
  const file = join(tmpdir(), 'vaxops-bench-nvr-copy.txt');
  const query = `COPY (
    SELECT v.id, v.revision, p.identity_number, p.identity_type, v.dose_number,
           to_char(v.given_at, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'), to_char(v.created_at, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'),
           pr.npl_id, pr.atc_code, pr.name, pr.manufacturer, b.batch_number, b.expires_on,
           cp.hsa_id, cp.name, u.hsa_id, u.name
      FROM vaccination v JOIN patient p ON p.id = v.patient_id JOIN product pr ON pr.id = v.product_id
      LEFT JOIN batch b ON b.id = v.batch_id JOIN unit u ON u.id = v.unit_id
      LEFT JOIN care_provider cp ON cp.id = v.care_provider_id
     WHERE u.region_id = '${regionId.replace(/'/g, '')}' AND NOT v.historical
       AND NOT EXISTS (SELECT 1 FROM nvr_export_item i WHERE i.vaccination_id = v.id AND i.revision >= v.revision)
  ) TO STDOUT`;
  const load = load1();
  const t0 = performance.now();
  let peak = 0;
  const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', query, BENCH_DATABASE_URL], {
      env: { ...process.env, PGOPTIONS: '-c TimeZone=Europe/Stockholm' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stopRss = sampleRss(child.pid!);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.pipe(createWriteStream(file));
    child.once('error', reject);
    child.once('exit', (code) => {
      peak = stopRss();
      resolve({ code, stderr });
    });
  });
  const seconds = (performance.now() - t0) / 1000;
  const failures: string[] = [];
  if (result.code !== 0) failures.push(`psql exited ${result.code}: ${result.stderr.trim().slice(0, 200)}`);
  let lines = 0;
  let bytes = 0;
  const input = createReadStream(file);
  input.on('data', (c) => (bytes += c.length));
  for await (const line of createInterface({ input })) if (line) lines++;
  rmSync(file, { force: true });
  // The small run's doses were reported; the bulk is pending in every round.
  if (lines !== expected) failures.push(`${lines} rows for ${expected} doses`);
  const m: NvrMeasurement = {
    doses: lines,
    seconds,
    rowsPerSec: lines / seconds,
    peakRssMb: peak,
    startRssMb: NaN,
    bytes,
    load,
    failures,
  };
  log(`${label}: ${lines} rows in ${round(seconds, 2)} s = ${Math.round(m.rowsPerSec)} rows/s; load ${load}`);
  return m;
}

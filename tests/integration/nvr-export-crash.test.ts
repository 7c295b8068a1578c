import { ChildProcess, spawn } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { api, closeDb, db, login, seedInfo, startApp } from '../support/harness';
import { NvrExporter } from '../../backend/src/nvr/nvr-exporter';
import { NvrService } from '../../backend/src/nvr/nvr.service';
import { doseOf, exportNow, finished, sha256 } from '../support/nvr';
import {
  TEST_DATABASE_URL,
  TEST_NVR_EXPORT_DIR,
  TEST_REDIS_PREFIX,
  TEST_REDIS_URL,
} from '../support/test-env';

/**
 * R28 "exactly once even across crashes": a real worker process is killed with SIGKILL halfway
 * through writing a large run; after recovery (BullMQ hands the stalled job to another worker,
 * which redoes the run) every dose is in exactly one completed run, counted by id across files.
 * `NVR_CRASH_DOSES` sets the size (the 200,000 works; the default keeps `npm test` short).
 */
const DOSES = Number(process.env.NVR_CRASH_DOSES ?? 20_000);
const ROOT = resolve(__dirname, '../..');
const { units } = seedInfo();

afterAll(async () => {
  await closeDb();
});

function startWorkerProcess(): { child: ChildProcess; half: Promise<string> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'tests/support/nvr-export-worker.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: TEST_DATABASE_URL,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: TEST_REDIS_PREFIX,
        NVR_EXPORT_DIR: TEST_NVR_EXPORT_DIR,
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const half = new Promise<string>((res, rej) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => {
      if (l.startsWith('HALF')) res(l);
    });
    child.once('exit', (code) =>
      rej(new Error(`worker process exited (${code}) before halfway:\n${stderr}`)),
    );
  });
  return { child, half };
}

/** Every record of every completed run's NDJSON, streamed: dose id → how many completed records. */
async function completedRecordsByDose(): Promise<Map<string, number>> {
  const { rows: runs } = await db().query(
    `SELECT r.dir, r.files FROM nvr_export_run r
      WHERE r.status = 'COMPLETED' AND r.dir IS NOT NULL
        AND EXISTS (SELECT 1 FROM nvr_export_item i WHERE i.run_id = r.id)`,
  );
  const count = new Map<string, number>();
  for (const run of runs) {
    for (const f of run.files as Array<{ name: string; kind: string; sha256: string }>) {
      if (f.kind !== 'fhir-ndjson') continue;
      const lines = createInterface({ input: createReadStream(join(TEST_NVR_EXPORT_DIR, run.dir, f.name)) });
      for await (const line of lines) {
        if (!line) continue;
        const r = JSON.parse(line);
        if (r.status === 'completed') count.set(doseOf(r), (count.get(doseOf(r)) ?? 0) + 1);
      }
    }
  }
  return count;
}

describe('NVR export: a worker killed mid-export (R28)', () => {
  it(`${DOSES} doses, worker SIGKILLed halfway: after recovery every dose is in exactly one completed run`, async () => {
    const apiOnly = await startApp({ PROCESS_ROLE: 'api' });
    let worker: Awaited<ReturnType<typeof startApp>> | undefined;
    let child: ChildProcess | undefined;
    try {
      const token = (await login(apiOnly.url, 'SE2321000057-R001')).token;
      // Report what is pending first, with an in-process worker, so the run below covers the new doses.
      // Doses other tests left failing validation are listed again in every run: count them here.
      let errorsBefore = 0;
      {
        const w = await startApp({ PROCESS_ROLE: 'worker' });
        try {
          const flushed = await exportNow(apiOnly.url, token);
          expect(flushed.status).toBe('COMPLETED');
          errorsBefore = flushed.errorCount;
        } finally {
          await w.close();
        }
      }
      const { rows: inserted } = await db().query(
        `WITH tpl AS (
           SELECT product_id, batch_id, unit_id, care_provider_id FROM vaccination
            WHERE unit_id = $2 AND NOT historical AND status = 'GIVEN' LIMIT 1
         ), pats AS (
           SELECT array_agg(id ORDER BY id) AS ids FROM patient
            WHERE identity_type = 'PERSONNUMMER' AND nvr_identity_valid(identity_number, identity_type)
         )
         INSERT INTO vaccination (patient_id, product_id, batch_id, dose_number, given_at, given_on, unit_id, care_provider_id)
         SELECT pats.ids[1 + g % cardinality(pats.ids)], tpl.product_id, tpl.batch_id, 1 + g % 3,
                now() - make_interval(mins => g % 10000), current_date, tpl.unit_id, tpl.care_provider_id
           FROM generate_series(1, $1::int) g, tpl, pats
         RETURNING id`,
        [DOSES, units.U1],
      );
      const ids = inserted.map((r) => r.id as string);
      expect(ids).toHaveLength(DOSES);

      const started = await api(apiOnly.url, 'POST', '/api/nvr/exports', { token, body: {} });
      expect(started.status).toBe(202);
      const exportId = started.body.exportId as string;

      // A real worker process takes the job, writes half the files, and is killed.
      const w = startWorkerProcess();
      child = w.child;
      const half = await w.half;
      expect(half).toMatch(/^HALF \d+\/\d+$/);
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));

      // Killed while writing the files: the run is still RUNNING with its committed claim (every
      // dose an item of this run), and none of them reported yet (the run is not COMPLETED).
      const { rows: mid } = await db().query(
        `SELECT r.status::text, r.dir, r.attempts,
                (SELECT count(*)::int FROM nvr_export_item i WHERE i.run_id = r.id) AS items,
                (SELECT count(*)::int FROM vaccination v WHERE v.id = ANY($2::text[]) AND v.nvr_reported_rev IS NOT NULL) AS marked
           FROM nvr_export_run r WHERE r.id = $1`,
        [exportId, ids],
      );
      expect(mid[0]).toMatchObject({ status: 'RUNNING', items: DOSES, marked: 0, attempts: 1 });

      // Recovery: a worker starts; BullMQ finds the stalled job and the run resumes from its claim.
      worker = await startApp({ PROCESS_ROLE: 'worker' });
      const done = await finished(apiOnly.url, token, exportId, 240_000);
      expect(done).toMatchObject({
        status: 'COMPLETED',
        doseCount: DOSES,
        recordCount: DOSES,
        // the new doses are all valid: only what was already failing is listed
        errorCount: errorsBefore,
      });
      const { rows: after } = await db().query(`SELECT attempts FROM nvr_export_run WHERE id = $1`, [
        exportId,
      ]);
      expect(after[0].attempts).toBe(2);

      // Files agree with the manifest: no half-written leftovers of the killed attempt.
      const { rows: dirRow } = await db().query(`SELECT dir FROM nvr_export_run WHERE id = $1`, [exportId]);
      for (const f of done.files) {
        const path = join(TEST_NVR_EXPORT_DIR, dirRow[0].dir, f.name);
        expect(existsSync(path)).toBe(true);
        if (f.kind !== 'fhir-ndjson') expect(sha256(readFileSync(path, 'utf8'))).toBe(f.sha256);
      }

      // Exactly once, counted by id across every completed run's files.
      const count = await completedRecordsByDose();
      const wrong = ids.filter((id) => count.get(id) !== 1);
      expect(wrong).toEqual([]);
      const { rows: unmarked } = await db().query(
        `SELECT count(*)::int AS n FROM vaccination v WHERE v.id = ANY($1::text[]) AND v.nvr_reported_rev IS DISTINCT FROM v.revision`,
        [ids],
      );
      expect(unmarked[0].n).toBe(0);
      const { rows: items } = await db().query(
        `SELECT count(*)::int AS n, count(DISTINCT i.run_id)::int AS runs FROM nvr_export_item i
          WHERE i.vaccination_id = ANY($1::text[])`,
        [ids],
      );
      expect(items[0]).toEqual({ n: DOSES, runs: 1 });

      // And the next run has nothing left to send.
      const next = await exportNow(apiOnly.url, token);
      expect(next.doseCount).toBe(0);
    } finally {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      await worker?.close();
      await apiOnly.close();
    }
  }, 420_000);

  it('a run that cannot write its files fails visibly after its retries, claims nothing, and the next run sends its doses', async () => {
    const apiOnly = await startApp({ PROCESS_ROLE: 'api' });
    // a worker whose export directory cannot be created (a file stands where the folder should be)
    const notADir = join(tmpdir(), `vaxops-nvr-not-a-dir-${process.pid}`);
    writeFileSync(notADir, '');
    let worker = await startApp({ PROCESS_ROLE: 'worker', NVR_EXPORT_DIR: notADir });
    try {
      const token = (await login(apiOnly.url, 'SE2321000057-R001')).token;
      const { rows } = await db().query(
        `INSERT INTO vaccination (patient_id, product_id, batch_id, dose_number, given_at, given_on, unit_id, care_provider_id)
         SELECT patient_id, product_id, batch_id, 1, now(), current_date, unit_id, care_provider_id
           FROM vaccination WHERE unit_id = $1 AND NOT historical AND status = 'GIVEN' LIMIT 1
         RETURNING id`,
        [units.U1],
      );
      const dose = rows[0].id as string;
      const started = await api(apiOnly.url, 'POST', '/api/nvr/exports', { token, body: {} });
      const failed = await finished(apiOnly.url, token, started.body.exportId, 120_000);
      expect(failed.status).toBe('FAILED');
      expect(failed.failures).toHaveLength(5); // one line per attempt
      const { rows: state } = await db().query(
        `SELECT (SELECT count(*)::int FROM nvr_export_item WHERE run_id = $1) AS items,
                (SELECT v.nvr_reported_rev FROM vaccination v WHERE v.id = $2) AS reported`,
        [failed.id, dose],
      );
      expect(state[0]).toEqual({ items: 0, reported: null });

      await worker.close();
      worker = await startApp({ PROCESS_ROLE: 'worker' });
      const next = await exportNow(apiOnly.url, token);
      expect(next.status).toBe('COMPLETED');
      const { rows: item } = await db().query(
        `SELECT run_id FROM nvr_export_item WHERE vaccination_id = $1`,
        [dose],
      );
      expect(item).toEqual([{ run_id: next.id }]);
    } finally {
      await worker.close();
      await apiOnly.close();
    }
  }, 180_000);

  it('a run that fails after its claim releases the claim on its last attempt, and the next run sends those doses', async () => {
    // an API process only: the run below is driven by hand, as the worker's job would drive it
    const app = await startApp({ PROCESS_ROLE: 'api' });
    try {
      const token = (await login(app.url, 'SE2321000057-R001')).token;
      const { rows } = await db().query(
        `INSERT INTO vaccination (patient_id, product_id, batch_id, dose_number, given_at, given_on, unit_id, care_provider_id)
         SELECT patient_id, product_id, batch_id, 1, now(), current_date, unit_id, care_provider_id
           FROM vaccination WHERE unit_id = $1 AND NOT historical AND status = 'GIVEN' LIMIT 1
         RETURNING id`,
        [units.U1],
      );
      const dose = rows[0].id as string;
      const started = await api(app.url, 'POST', '/api/nvr/exports', { token, body: {} });
      expect(started.status).toBe(202);
      const exportId = started.body.exportId as string;
      // the attempt claims, then fails while writing (the first progress after the claim throws)
      await expect(
        app.app.get(NvrExporter).run(exportId, {
          onProgress: () => {
            throw new Error('disk full');
          },
        }),
      ).rejects.toThrow('disk full');
      const claimed = async () =>
        (
          await db().query(
            `SELECT r.status::text, (SELECT count(*)::int FROM nvr_export_item i WHERE i.run_id = r.id) AS items,
                    (SELECT i.run_id FROM nvr_export_item i WHERE i.vaccination_id = $2) AS dose_run
               FROM nvr_export_run r WHERE r.id = $1`,
            [exportId, dose],
          )
        ).rows[0];
      expect(await claimed()).toMatchObject({ status: 'RUNNING', dose_run: exportId });

      // an attempt that is not the last keeps the claim (the next attempt resumes from it) ...
      await app.app.get(NvrService).markFailed(exportId, 'disk full', false);
      expect(await claimed()).toMatchObject({ status: 'RUNNING', dose_run: exportId });
      // ... the last one releases it: the run covers nothing and its doses are pending again
      await app.app.get(NvrService).markFailed(exportId, 'disk full', true);
      expect(await claimed()).toEqual({ status: 'FAILED', items: 0, dose_run: null });
      const failed = await finished(app.url, token, exportId);
      expect(failed).toMatchObject({ status: 'FAILED', doseCount: 0 });

      const worker = await startApp({ PROCESS_ROLE: 'worker' });
      try {
        const next = await exportNow(app.url, token);
        expect(next.status).toBe('COMPLETED');
        const { rows: item } = await db().query(
          `SELECT run_id FROM nvr_export_item WHERE vaccination_id = $1`,
          [dose],
        );
        expect(item).toEqual([{ run_id: next.id }]);
      } finally {
        await worker.close();
      }
    } finally {
      await app.close();
    }
  }, 120_000);
});

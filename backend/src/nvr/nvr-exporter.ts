import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DatabaseService } from '../infra/database.service';
import { OUTBOX_CHANNEL } from '../infra/outbox/outbox';
import { sql, Sql } from '../infra/sql';
import { maskIdentityNumber } from '../patients/identity';
import { ExportDirectory, HashedFileWriter, WrittenFile } from './export-files';
import { CopyOutBatches } from './copy-out';
import { CSV_HEADER, csvLine, identitySystem, SYSTEMS } from './fhir';

/** Rows per FETCH of the control report. */
const FETCH = 1000;
/**
 * Doses per batch of the records' COPY: a batch is about 3 MB of text, and the socket is paused
 * while one is written, so memory stays flat however large the run.
 */
const BATCH_ROWS = 2500;
/** How often progress goes out (to the job and the `jobs` topic) while a run streams. */
const PROGRESS_EVERY_MS = 500;

export interface ExportOutcome {
  status: 'done' | 'skipped';
  reason?: string;
  doses?: number;
  records?: number;
  errors?: number;
}

export type ProgressFn = (p: { done: number; total: number }) => Promise<void> | void;

export interface ExportOptions {
  jobId?: string;
  onProgress?: ProgressFn;
  /** how often progress goes out while streaming (default 500 ms; 0 = after every fetch) */
  progressEveryMs?: number;
}

interface Claim {
  doses: number;
  new_count: number;
  correction_count: number;
  void_count: number;
  none_count: number;
  records: number;
  error_doses: number;
  /** Dates when just claimed, their ISO text when read back from the run's `claim` */
  window_from: Date | string | null;
  window_to: Date | string;
}

/**
 * Parts the records are built in at once, each by a PostgreSQL backend of its own (the JSON is
 * most of a run's work): two for the two cores these machines have.
 */
const STREAM_PARTS = 2;

/** Ranges of dose id (random UUIDs as text) that split a run into `parts` about equal parts. */
export function partBounds(parts: number): Array<[string | null, string | null]> {
  const hex = (i: number) => Math.floor((16 * i) / parts).toString(16);
  return Array.from({ length: parts }, (_, i) => [
    i === 0 ? null : hex(i),
    i === parts - 1 ? null : hex(i + 1),
  ]);
}

/**
 * The statement that puts a run's progress on its region's `jobs` topic (topic version, outbox
 * row, NOTIFY), and on the run's row when `updateRun` is set.
 */
export function progressEvent(
  run: { id: string; regionId: string; jobId: string | null },
  state: 'waiting' | 'active' | 'completed' | 'failed',
  done: number,
  total: number,
  updateRun = true,
): Sql {
  const key = `jobs:region:${run.regionId}`;
  const upd = updateRun
    ? sql`upd AS (
        UPDATE nvr_export_run SET progress_done = ${done}::int, progress_total = ${total}::int WHERE id = ${run.id}
      ),`
    : sql``;
  return sql`
    WITH ${upd} v AS (
      INSERT INTO topic_version (topic_key, version) VALUES (${key}, 1)
      ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
      RETURNING topic_key, version
    ), o AS (
      INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
      SELECT 'jobs', v.topic_key, v.version, 'job.progress',
             json_build_object('regionId', ${run.regionId}::text, 'jobId', ${run.jobId}::text,
                               'exportId', ${run.id}::text, 'queue', 'nvr', 'name', 'nvr.export',
                               'state', ${state}::text,
                               'progress', json_build_object('done', ${done}::int, 'total', ${total}::int))
        FROM v RETURNING id
    )
    SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o`;
}

/**
 * R28: one NVR export run, exactly once.
 *
 * 1. **Claim** (one transaction): every pending dose of the region becomes an item of this run (a
 *    row per (dose, revision) in `nvr_export_item`, whose primary key makes a second claim
 *    impossible), the doses that fail validation are recorded as the run's errors, and the counts
 *    go on the run. Committed, the claim is the run's for good.
 * 2. **Files**: the claimed items are read (in parts, on several connections, one snapshot) into
 *    the NDJSON, CSV and control-report files and the manifest.
 * 3. **Complete**: the run is marked COMPLETED, which makes its items the reported revisions.
 *
 * A worker killed in step 1 leaves nothing claimed; killed in step 2 or 3, a RUNNING run with its
 * claim: BullMQ hands the stalled job to another worker, which resumes from the claim and writes
 * the files again (the folder emptied first). After the last failed attempt the run is FAILED and
 * its claim released in the same statement, so its doses go out with the next run. After step 3 a
 * retry finds the run COMPLETED and does nothing. One run per region at a time: a partial unique
 * index on the runs and a session advisory lock per region held while a worker exports it.
 */
@Injectable()
export class NvrExporter {
  private readonly logger = new Logger(NvrExporter.name);
  private readonly dir: ExportDirectory;

  constructor(
    private readonly db: DatabaseService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.dir = new ExportDirectory(config.NVR_EXPORT_DIR);
  }

  async run(exportId: string, opts: ExportOptions = {}): Promise<ExportOutcome> {
    const found = await this.db.one<{ region_id: string; status: string; job_id: string | null }>(
      sql`SELECT region_id, status::text, job_id FROM nvr_export_run WHERE id = ${exportId}`,
    );
    if (!found) return { status: 'skipped', reason: 'unknown export run' };
    if (found.status === 'COMPLETED' || found.status === 'FAILED')
      return { status: 'skipped', reason: `already ${found.status.toLowerCase()}` };

    const client = await this.db.pool.connect();
    let locked = false;
    try {
      const lock = await client.query<{ ok: boolean }>(
        `SELECT pg_try_advisory_lock(hashtext('nvr-export'), hashtext($1)) AS ok`,
        [found.region_id],
      );
      locked = lock.rows[0]?.ok === true;
      // Another live worker holds the region (e.g. BullMQ thought its job stalled): it finishes it.
      if (!locked) return { status: 'skipped', reason: 'another worker is exporting this region' };
      return await this.export(client, exportId, opts);
    } finally {
      if (locked)
        await client
          .query(`SELECT pg_advisory_unlock(hashtext('nvr-export'), hashtext($1))`, [found.region_id])
          .catch(() => undefined);
      client.release();
    }
  }

  private async export(client: PoolClient, exportId: string, opts: ExportOptions): Promise<ExportOutcome> {
    const q = async <R extends object>(s: Sql): Promise<R[]> => {
      const { text, values } = s.toQuery();
      return (await client.query(text, values)).rows as R[];
    };
    const [run] = await q<{
      id: string;
      region_id: string;
      job_id: string | null;
      region_code: string;
      reserve_number_oid: string | null;
      region_hsa: string;
      created_on: string;
      claim: Claim | null;
    }>(sql`
      UPDATE nvr_export_run r
         SET status = 'RUNNING', started_at = coalesce(r.started_at, now()), attempts = r.attempts + 1,
             job_id = coalesce(${opts.jobId ?? null}::text, r.job_id), progress_done = 0
        FROM region g
       WHERE r.id = ${exportId} AND g.id = r.region_id AND r.status IN ('QUEUED', 'RUNNING')
      RETURNING r.id, r.region_id, r.job_id, g.code AS region_code, g.reserve_number_oid, g.hsa_id AS region_hsa,
                to_char(r.created_at, 'YYYY-MM-DD') AS created_on, r.claim`);
    if (!run) return { status: 'skipped', reason: 'no longer waiting to run' };
    const ref = { id: run.id, regionId: run.region_id, jobId: run.job_id };
    await this.progress(ref, 'active', 0, 0);

    const dir = `${run.region_code}/${run.created_on}-${run.id}`;
    const abs = await this.dir.fresh(dir);
    const base = `nvr-${run.region_code}-${run.created_on}-${run.id.slice(0, 8)}`;
    const ndjson = new HashedFileWriter(`${base}.ndjson`, 'fhir-ndjson', `${abs}/${base}.ndjson`);
    const csv = new HashedFileWriter(`${base}.csv`, 'csv', `${abs}/${base}.csv`);
    const control = new HashedFileWriter(
      `${base}-kontrollrapport.csv`,
      'control-report',
      `${abs}/${base}-kontrollrapport.csv`,
    );
    const writers = [ndjson, csv, control];

    try {
      const t0 = performance.now();
      // A run killed after its claim committed resumes from it: the same items, files written anew.
      const claim = run.claim ?? (await this.claimDoses(client, run.id, run.region_id));
      const tClaim = performance.now();
      const total = claim.doses;
      await this.progress(ref, 'active', 0, total);
      await opts.onProgress?.({ done: 0, total });

      await csv.write(csvLine([...CSV_HEADER]));
      let done = 0;
      let last = Date.now();
      // One batch at a time into the files, whichever part it comes from (the order of NDJSON
      // lines and CSV rows carries no meaning).
      let writing: Promise<void> = Promise.resolve();
      const streamed = await this.streamRecords(
        client,
        run.id,
        run.reserve_number_oid,
        ([lines, csvText], rows) => {
          const mine = writing.then(async () => {
            await Promise.all([ndjson.write(lines!), csv.write(csvText!)]);
            done += rows;
            if (Date.now() - last >= (opts.progressEveryMs ?? PROGRESS_EVERY_MS)) {
              last = Date.now();
              await this.progress(ref, 'active', done, total);
              await opts.onProgress?.({ done, total });
            }
          });
          writing = mine.catch(() => undefined);
          return mine;
        },
      );
      if (streamed !== claim.doses - claim.none_count)
        throw new Error(`NVR export streamed ${streamed} doses of ${claim.doses - claim.none_count} claimed`);
      ndjson.records = claim.records;
      csv.records = claim.records;
      const tStream = performance.now();

      await client.query('BEGIN READ ONLY');
      try {
        await this.writeControlReport(client, control, run.id, run.region_id, claim);
      } finally {
        await client.query('COMMIT').catch(() => undefined);
      }
      const files: WrittenFile[] = [];
      for (const w of writers) files.push(await w.close());
      const manifest = await this.dir.writeJson(dir, `${base}-manifest.json`, {
        format: 'vaxops NVR export 1',
        exportId: run.id,
        region: { code: run.region_code, hsaId: run.region_hsa },
        window: { from: claim.window_from, to: claim.window_to },
        generatedAt: new Date().toISOString(),
        counts: {
          doses: claim.doses,
          records: claim.records,
          new: claim.new_count,
          corrections: claim.correction_count,
          voids: claim.void_count,
          voidedBeforeReport: claim.none_count,
          errors: claim.error_doses,
        },
        files: files.map(({ name, kind, bytes, sha256, records }) => ({
          name,
          kind,
          bytes,
          sha256,
          records,
        })),
      });
      files.push(manifest);

      const tFiles = performance.now();
      // COMPLETED makes the claimed items the reported revisions (`nvr_reported_rev`).
      await client.query('BEGIN');
      try {
        const [completed] = await q<{ id: string }>(sql`
          UPDATE nvr_export_run
             SET status = 'COMPLETED', finished_at = now(), progress_done = ${total}, progress_total = ${total},
                 files = ${JSON.stringify(files)}::jsonb, dir = ${dir}
           WHERE id = ${run.id} AND status = 'RUNNING'
          RETURNING id`);
        if (!completed) throw new Error('the run was no longer running when its files were written');
        await q(progressEvent(ref, 'completed', total, total));
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      const tDone = performance.now();
      await opts.onProgress?.({ done: total, total });
      this.logger.log(
        {
          exportId: run.id,
          doses: claim.doses,
          records: claim.records,
          errors: claim.error_doses,
          resumed: run.claim !== null,
          ms: {
            claim: Math.round(tClaim - t0),
            stream: Math.round(tStream - tClaim),
            reportAndManifest: Math.round(tFiles - tStream),
            markAndCommit: Math.round(tDone - tFiles),
          },
        },
        'NVR export completed',
      );
      return { status: 'done', doses: claim.doses, records: claim.records, errors: claim.error_doses };
    } catch (err) {
      for (const w of writers) w.destroy();
      throw err;
    }
  }

  /**
   * Claims the run's doses and commits the claim (one transaction): the items, the errors, and
   * the counts on the run. From here the run covers these doses whatever happens to the worker.
   */
  private async claimDoses(client: PoolClient, runId: string, regionId: string): Promise<Claim> {
    // The reference tables are small and rarely change, so autovacuum may never have analyzed
    // them (its threshold is 50 changed rows): the planner then takes each for a single row and
    // re-runs the claim's scan of the pending doses once per product. Cheap to refresh, and done
    // before the claim's transaction so that its lock is not held for the claim.
    await client.query('ANALYZE product, batch, unit, care_provider');
    await client.query('BEGIN');
    let claim: Claim;
    try {
      // A claim may cover a million doses: the pool's per-statement limit is for requests.
      await client.query('SET LOCAL statement_timeout = 0');
      // The claim sorts up to a million rows: in memory.
      await client.query(`SET LOCAL work_mem = '128MB'`);
      // The planner takes the pending doses of a region for a few thousand (it cannot estimate the
      // region filter or the revision test), and then looks each one's patient up by index: for
      // a large claim that is four times slower than the hash joins it takes without that choice.
      await client.query('SET LOCAL enable_nestloop = off');
      const { text, values } = this.claim(runId, regionId).toQuery();
      claim = (await client.query<Claim>(text, values)).rows[0]!;
      const { text: upd, values: updValues } = sql`
        UPDATE nvr_export_run
           SET claim = ${JSON.stringify(claim)}::jsonb, window_from = ${claim.window_from},
               window_to = ${claim.window_to}, dose_count = ${claim.doses}, record_count = ${claim.records},
               correction_count = ${claim.correction_count + claim.void_count}, error_count = ${claim.error_doses}
         WHERE id = ${runId}`.toQuery();
      await client.query(upd, updValues);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    // The statistics still think the run has no items: without this the COPY looks each dose up
    // by index (a nested loop), twice as slow as the hash joins it gets with them.
    if (claim.doses >= 10_000) await client.query('ANALYZE nvr_export_item');
    return claim;
  }

  /**
   * The run's records, written by PostgreSQL and streamed with COPY (see recordsCopy), in
   * STREAM_PARTS parts by range of dose id, each on a connection of its own so that they are
   * built on as many cores at once. All parts read one snapshot (exported by the first). Resolves
   * with the number of doses streamed.
   */
  private async streamRecords(
    client: PoolClient,
    runId: string,
    reserveNumberOid: string | null,
    sink: (columns: Buffer[], rows: number) => Promise<void>,
  ): Promise<number> {
    const clients = [client];
    try {
      for (let i = 1; i < STREAM_PARTS; i++) clients.push(await this.db.pool.connect());
      let snapshot: string | undefined;
      for (const c of clients) {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await c.query('SET LOCAL statement_timeout = 0');
        await c.query(`SET LOCAL work_mem = '64MB'`);
        // the parts are the parallelism: parallel workers of each on top only compete for the cores
        if (STREAM_PARTS > 1) await c.query('SET LOCAL max_parallel_workers_per_gather = 0');
        if (snapshot === undefined)
          snapshot = (await c.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
        else await c.query(`SET TRANSACTION SNAPSHOT '${snapshot.replace(/'/g, '')}'`);
      }
      const bounds = partBounds(STREAM_PARTS);
      const copies = clients.map((c, i) => {
        const copy = new CopyOutBatches(
          this.recordsCopy(runId, reserveNumberOid, bounds[i]!),
          2,
          BATCH_ROWS,
          sink,
        );
        void c.query(copy);
        return copy.done;
      });
      const results = await Promise.allSettled(copies);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      return results.reduce((n, r) => n + (r as PromiseFulfilledResult<number>).value, 0);
    } finally {
      for (const c of clients) await c.query('ROLLBACK').catch(() => undefined);
      for (const c of clients.slice(1)) c.release();
    }
  }

  /**
   * Claims, in one statement (one snapshot): every pending dose of the region that passes
   * validation becomes an item of this run; every one that does not is listed as this run's
   * error and stays pending, so it goes out in the first run after it is fixed.
   */
  private claim(runId: string, regionId: string): Sql {
    return sql`
      WITH pending AS MATERIALIZED (
        SELECT * FROM nvr_pending_dose WHERE region_id = ${regionId}
      ), errs AS (
        INSERT INTO nvr_export_error (run_id, vaccination_id, revision, code, field, message)
        SELECT ${runId}, d.vaccination_id, d.revision, e.code, e.field, e.message
          FROM (SELECT * FROM pending WHERE action IN ('NEW', 'CORRECTION')
                   AND (missing_batch OR invalid_identity OR unknown_product)) d
          CROSS JOIN LATERAL (VALUES
            (d.missing_batch, 'MISSING_BATCH', 'batch', 'the dose has no batch number'),
            (d.invalid_identity, 'INVALID_IDENTITY', 'identityNumber',
             'the identity number is not valid for NVR (R1: a personnummer or samordningsnummer with a real date and check digit; reserve numbers are not reported)'),
            (d.unknown_product, 'UNKNOWN_PRODUCT', 'product',
             'the product has no valid NPL-id (14 digits) or vaccine ATC code (J07…)')
          ) AS e(failed, code, field, message)
         WHERE e.failed
        RETURNING vaccination_id
      ), ins AS (
        INSERT INTO nvr_export_item (run_id, vaccination_id, revision, correction, action, previous_revision,
                                     identity_number, identity_type)
        SELECT ${runId}, d.vaccination_id, d.revision, d.action IN ('CORRECTION', 'VOID'), d.action,
               d.previous_revision, d.identity_number, d.identity_type
          FROM pending d
         WHERE d.action IN ('VOID', 'NONE') OR NOT (d.missing_batch OR d.invalid_identity OR d.unknown_product)
         -- in key order: the two indexes are filled front to back instead of at random
         ORDER BY d.vaccination_id
        RETURNING action
      ), counts AS (
        SELECT count(*)::int AS doses,
               (count(*) FILTER (WHERE action = 'NEW'))::int AS new_count,
               (count(*) FILTER (WHERE action = 'CORRECTION'))::int AS correction_count,
               (count(*) FILTER (WHERE action = 'VOID'))::int AS void_count,
               (count(*) FILTER (WHERE action = 'NONE'))::int AS none_count
          FROM ins
      )
      SELECT c.*, c.new_count + 2 * c.correction_count + c.void_count AS records,
             (SELECT count(DISTINCT vaccination_id)::int FROM errs) AS error_doses,
             (SELECT max(window_to) FROM nvr_export_run WHERE region_id = ${regionId} AND status = 'COMPLETED')
               AS window_from,
             now() AS window_to
        FROM counts c`;
  }

  /**
   * The run's records, written by PostgreSQL: per claimed dose one text of NDJSON lines (FHIR R4
   * `Immunization`) and one of CSV rows, the same records `toImmunizations` and `toCsvLines` in
   * fhir.ts describe (fhir.spec.ts and the integration test hold the two to the same output):
   * NEW → the record; VOID → the reported record entered-in-error; CORRECTION → the reported
   * record entered-in-error, then the new one. The parts that depend only on the product, batch,
   * care provider or unit are built once per row of those tables. COPY takes no parameters: the
   * run id is a UUID from our own row and the rest are our constants, quoted as literals.
   */
  private recordsCopy(
    runId: string,
    reserveNumberOid: string | null,
    [from, to]: [string | null, string | null] = [null, null],
  ): string {
    if (!/^[0-9a-f-]{36}$/.test(runId)) throw new Error(`unexpected export run id ${runId}`);
    for (const b of [from, to])
      if (b !== null && !/^[0-9a-f]+$/.test(b)) throw new Error(`unexpected dose id bound ${b}`);
    const range =
      (from === null ? '' : ` AND i.vaccination_id >= '${from}'`) +
      (to === null ? '' : ` AND i.vaccination_id < '${to}'`);
    const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
    /** a JSON value as JSON.stringify writes it (null for SQL NULL) */
    const j = (e: string) => `coalesce(to_json(${e})::text, 'null')`;
    const jsonLit = (s: string) => lit(JSON.stringify(s));
    /** RFC 4180, as csvField: quoted when it holds a comma, quote or line break */
    const c = (e: string) =>
      `CASE WHEN ${e} ~ '[",\r\n]' THEN '"' || replace(${e}, '"', '""') || '"' ELSE coalesce(${e}, '') END`;
    const iso = `'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'`;
    const org = (hsa: string, name: string) =>
      `CASE WHEN coalesce(${hsa}, '') <> '' THEN '{"actor":{"type":"Organization","identifier":{"system":' || ${jsonLit(
        SYSTEMS.HSA,
      )} || ',"value":' || ${j(hsa)} || '}' || CASE WHEN coalesce(${name}, '') <> '' THEN ',"display":' || ${j(
        name,
      )} ELSE '' END || '}}' END`;
    const system = (type: string) =>
      `CASE ${type}::text WHEN 'PERSONNUMMER' THEN ${jsonLit(SYSTEMS.PERSONNUMMER)}
                          WHEN 'SAMORDNINGSNUMMER' THEN ${jsonLit(SYSTEMS.SAMORDNINGSNUMMER)}
                          ELSE ${jsonLit(identitySystem('RESERVNUMMER', reserveNumberOid))} END`;
    /**
     * Per row, the pieces are joined by one concat() call: a chain of `||` copies the growing
     * text once per piece (about forty pieces to a record of about a kilobyte), which was most of
     * the export's time. concat() takes a NULL piece as empty.
     */
    const cat = (...parts: string[]) => `concat(${parts.join(', ')})`;
    // Dose ids (UUIDs), revisions and formatted dates hold nothing JSON escapes: they are quoted
    // as they are (to_json per value was a tenth of the run); free text goes through j().
    const record = (rev: string, old: boolean, num: string, type: string) =>
      cat(
        `'{"resourceType":"Immunization","id":"'`,
        'd.vid',
        `'-'`,
        rev,
        `'","meta":{"versionId":"'`,
        rev,
        `'"},"identifier":[{"system":'`,
        jsonLit(SYSTEMS.URI),
        `',"value":"urn:uuid:'`,
        'd.vid',
        `'"}],'`,
        ...(old
          ? [
              `'"status":"entered-in-error","statusReason":{"text":'`,
              j(`coalesce(d.void_reason, 'Ändrad efter rapportering (ersätts)')`),
              `'},'`,
            ]
          : [`'"status":"completed",'`]),
        'd.vaccine_code',
        `',"patient":{"type":"Patient","identifier":{"system":'`,
        system(type),
        `',"value":'`,
        j(num),
        `'}},'`,
        'd.tail',
        `E'\n'`,
      );
    const csvRow = (rev: string, old: boolean, num: string, type: string) =>
      cat(
        'd.vid',
        `'-'`,
        rev,
        `','`,
        'd.vid',
        `','`,
        rev,
        old
          ? `',entered-in-error,,'`
          : `',completed,' || CASE WHEN d.action = 'CORRECTION' THEN d.vid || '-' || coalesce(d.previous_revision, 0) ELSE '' END || ','`,
        `${type}::text`,
        `','`,
        c(num),
        `','`,
        'd.csv_dims',
        `','`,
        'd.dose_number',
        `','`,
        'd.given_at',
        `','`,
        'd.csv_orgs',
        `E'\r\n'`,
      );
    const oldRev = 'coalesce(d.previous_revision, d.revision)';
    const oldNum = 'coalesce(d.previous_identity_number, d.identity_number)';
    const oldType = 'coalesce(d.previous_identity_type, d.identity_type)';
    return `COPY (
      WITH pr AS MATERIALIZED (
        SELECT id,
               '"vaccineCode":{"coding":[{"system":' || ${jsonLit(SYSTEMS.NPL_ID)} || ',"code":' || ${j('npl_id')} ||
               ',"display":' || ${j('name')} || '},{"system":' || ${jsonLit(SYSTEMS.ATC)} || ',"code":' || ${j('atc_code')} ||
               '}],"text":' || ${j('name')} || '}' AS vaccine_code,
               CASE WHEN coalesce(manufacturer, '') <> '' THEN ',"manufacturer":{"display":' || ${j(
                 'manufacturer',
               )} || '}' ELSE '' END AS manufacturer,
               ${c('npl_id')} || ',' || ${c('atc_code')} || ',' || ${c('name')} AS csv
          FROM product
      ), b AS MATERIALIZED (
        SELECT id,
               CASE WHEN coalesce(batch_number, '') <> '' THEN ',"lotNumber":' || ${j('batch_number')} ELSE '' END ||
               ',"expirationDate":' || ${j(`to_char(expires_on, 'YYYY-MM-DD')`)} AS json,
               ${c('batch_number')} || ',' || to_char(expires_on, 'YYYY-MM-DD') AS csv
          FROM batch
      ), u AS MATERIALIZED (
        SELECT id, ${org('hsa_id', 'name')} AS json, ${c('hsa_id')} AS csv FROM unit
      ), cp AS MATERIALIZED (
        SELECT id, ${org('hsa_id', 'name')} AS json, ${c('hsa_id')} AS csv FROM care_provider
      ), d AS (
        SELECT i.vaccination_id AS vid, i.revision, i.action, i.previous_revision, i.identity_number, i.identity_type,
               -- the identity NVR holds: only a correction or void has one (a lookup for those few rows,
               -- not a join of the whole ledger to itself for a run of new doses)
               CASE WHEN i.previous_revision IS NOT NULL THEN (SELECT pi.identity_number FROM nvr_export_item pi
                 WHERE pi.vaccination_id = i.vaccination_id AND pi.revision = i.previous_revision) END
                 AS previous_identity_number,
               CASE WHEN i.previous_revision IS NOT NULL THEN (SELECT pi.identity_type FROM nvr_export_item pi
                 WHERE pi.vaccination_id = i.vaccination_id AND pi.revision = i.previous_revision) END
                 AS previous_identity_type,
               v.void_reason, v.dose_number, to_char(v.given_at, ${iso}) AS given_at, pr.vaccine_code,
               ${cat(
                 `'"occurrenceDateTime":"'`,
                 `to_char(v.given_at, ${iso})`,
                 `'","recorded":"'`,
                 `to_char(v.created_at, ${iso})`,
                 `'","primarySource":true'`,
                 'pr.manufacturer',
                 'b.json',
                 `CASE WHEN cp.json IS NULL AND u.json IS NULL THEN '' ELSE ',"performer":[' || concat_ws(',', cp.json, u.json) || ']' END`,
                 `',"protocolApplied":[{"doseNumberPositiveInt":'`,
                 'v.dose_number',
                 `'}]}'`,
               )} AS tail,
               pr.csv || ',' || coalesce(b.csv, ',') AS csv_dims,
               coalesce(cp.csv, '') || ',' || coalesce(u.csv, '') AS csv_orgs
          FROM nvr_export_item i
          JOIN vaccination v ON v.id = i.vaccination_id
          JOIN pr ON pr.id = v.product_id
          LEFT JOIN b ON b.id = v.batch_id
          LEFT JOIN u ON u.id = v.unit_id
          LEFT JOIN cp ON cp.id = v.care_provider_id
         WHERE i.run_id = ${lit(runId)} AND i.action <> 'NONE'${range}
      )
      SELECT ${cat(
        `CASE WHEN d.action IN ('VOID', 'CORRECTION') THEN ${record(oldRev, true, oldNum, oldType)} END`,
        `CASE WHEN d.action IN ('NEW', 'CORRECTION') THEN ${record('d.revision', false, 'd.identity_number', 'd.identity_type')} END`,
      )},
             ${cat(
               `CASE WHEN d.action IN ('VOID', 'CORRECTION') THEN ${csvRow(oldRev, true, oldNum, oldType)} END`,
               `CASE WHEN d.action IN ('NEW', 'CORRECTION') THEN ${csvRow('d.revision', false, 'd.identity_number', 'd.identity_type')} END`,
             )}
        FROM d
    ) TO STDOUT (FORMAT binary)`;
  }

  /**
   * Kontrollrapport: the doses not sent because they failed validation, and the historical doses
   * registered in the run's window (R22: never sent, but a human looks at them). Identity numbers
   * masked: the vaccination id and unit find the record.
   */
  private async writeControlReport(
    client: PoolClient,
    out: HashedFileWriter,
    runId: string,
    regionId: string,
    claim: Claim,
  ): Promise<void> {
    await out.write(
      csvLine([
        'vaccination_id',
        'revision',
        'code',
        'field',
        'message',
        'identity_number',
        'given_on',
        'unit_hsa_id',
        'unit',
      ]),
    );
    await client.query(
      `DECLARE nvr_control NO SCROLL CURSOR FOR
       SELECT e.vaccination_id, e.revision, e.code, e.field, e.message, p.identity_number,
              to_char(v.given_on, 'YYYY-MM-DD') AS given_on, u.hsa_id AS unit_hsa, u.name AS unit_name
         FROM nvr_export_error e JOIN vaccination v ON v.id = e.vaccination_id JOIN patient p ON p.id = v.patient_id
         LEFT JOIN unit u ON u.id = v.unit_id
        WHERE e.run_id = $1
       UNION ALL
       SELECT v.id, v.revision, 'HISTORICAL', 'historical',
              'registered as given elsewhere or abroad (R22): never sent to NVR', p.identity_number,
              to_char(v.given_on, 'YYYY-MM-DD'), u.hsa_id, u.name
         FROM vaccination v JOIN patient p ON p.id = v.patient_id
         LEFT JOIN unit u ON u.id = coalesce(v.unit_id, v.recorded_unit_id)
         LEFT JOIN care_provider cp ON cp.id = v.care_provider_id
        WHERE v.historical AND coalesce(u.region_id, cp.region_id) = $2
          AND ($3::timestamptz IS NULL OR v.created_at > $3::timestamptz) AND v.created_at <= $4::timestamptz`,
      [runId, regionId, claim.window_from, claim.window_to],
    );
    for (;;) {
      const { rows } = await client.query<{
        vaccination_id: string;
        revision: number;
        code: string;
        field: string;
        message: string;
        identity_number: string;
        given_on: string;
        unit_hsa: string | null;
        unit_name: string | null;
      }>(`FETCH ${FETCH} FROM nvr_control`);
      if (rows.length === 0) break;
      let text = '';
      for (const r of rows)
        text += csvLine([
          r.vaccination_id,
          r.revision,
          r.code,
          r.field,
          r.message,
          maskIdentityNumber(r.identity_number),
          r.given_on,
          r.unit_hsa,
          r.unit_name,
        ]);
      await out.write(text, rows.length);
    }
    await client.query('CLOSE nvr_control');
  }

  /** Progress outside the run's transaction (its own commit), so that watchers see it now. */
  private async progress(
    run: { id: string; regionId: string; jobId: string | null },
    state: 'active',
    done: number,
    total: number,
  ): Promise<void> {
    await this.db.query(progressEvent(run, state, done, total));
  }
}

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
 * Doses per batch of the records' COPY: a batch is about 7 MB of text, and the socket is paused
 * while one is written, so memory stays flat however large the run.
 */
const BATCH_ROWS = 5000;
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
  window_from: Date | null;
  window_to: Date;
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
 * Everything a run decides and marks is one transaction on one connection: it claims the doses
 * (a row per (dose, revision) in `nvr_export_item`, whose primary key makes a second claim
 * impossible; the ledger is also what marks them reported, see `nvr_reported_rev`) and records
 * the doses that fail validation; streams the claimed rows through a cursor into the NDJSON, CSV
 * and control-report files (the next batch is fetched while one is written); writes the
 * manifest; marks the run COMPLETED. A worker killed anywhere before the commit leaves nothing
 * claimed or marked: the run stays RUNNING, BullMQ hands the stalled job to another worker, and
 * the run is redone from scratch (its folder emptied first). After the commit a retry finds the
 * run COMPLETED and does nothing. One run per region at a time: a partial unique index on the
 * runs and a session advisory lock per region held while a worker exports it.
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
    }>(sql`
      UPDATE nvr_export_run r
         SET status = 'RUNNING', started_at = coalesce(r.started_at, now()), attempts = r.attempts + 1,
             job_id = coalesce(${opts.jobId ?? null}::text, r.job_id), progress_done = 0
        FROM region g
       WHERE r.id = ${exportId} AND g.id = r.region_id AND r.status IN ('QUEUED', 'RUNNING')
      RETURNING r.id, r.region_id, r.job_id, g.code AS region_code, g.reserve_number_oid, g.hsa_id AS region_hsa,
                to_char(r.created_at, 'YYYY-MM-DD') AS created_on`);
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

    // The reference tables are small and rarely change, so autovacuum may never have analyzed
    // them (its threshold is 50 changed rows): the planner then takes each for a single row and
    // re-runs the claim's scan of the pending doses once per product. Cheap to refresh, and done
    // before the run's transaction so that its lock is not held for the whole run.
    await client.query('ANALYZE product, batch, unit, care_provider');
    await client.query('BEGIN');
    try {
      // One run may stream a million rows: the pool's per-statement limit is for requests.
      await client.query('SET LOCAL statement_timeout = 0');
      // The claim sorts up to a million rows and the COPY joins them to the doses: in memory.
      await client.query(`SET LOCAL work_mem = '128MB'`);
      const t0 = performance.now();
      const [claim] = await q<Claim>(this.claim(run.id, run.region_id));
      // The statistics still think the run has no items: without this the COPY below looks each
      // dose up by index (a nested loop), twice as slow as the hash joins it gets with them.
      if (claim!.doses >= 10_000) await client.query('ANALYZE nvr_export_item');
      const tClaim = performance.now();
      const total = claim!.doses;
      await this.progress(ref, 'active', 0, total);
      await opts.onProgress?.({ done: 0, total });

      await csv.write(csvLine([...CSV_HEADER]));
      let done = 0;
      let last = Date.now();
      // The records are written by PostgreSQL (one NDJSON and one CSV text per dose, see
      // recordsCopy) and streamed with COPY: the bytes go to the files as they come.
      const copy = new CopyOutBatches(
        this.recordsCopy(run.id, run.reserve_number_oid),
        2,
        BATCH_ROWS,
        async ([lines, csvText], rows) => {
          await Promise.all([ndjson.write(lines!), csv.write(csvText!)]);
          done += rows;
          if (Date.now() - last >= (opts.progressEveryMs ?? PROGRESS_EVERY_MS)) {
            last = Date.now();
            await this.progress(ref, 'active', done, total);
            await opts.onProgress?.({ done, total });
          }
        },
      );
      void client.query(copy);
      const streamed = await copy.done;
      if (streamed !== claim!.doses - claim!.none_count)
        throw new Error(
          `NVR export streamed ${streamed} doses of ${claim!.doses - claim!.none_count} claimed`,
        );
      ndjson.records = claim!.records;
      csv.records = claim!.records;
      const tStream = performance.now();

      await this.writeControlReport(client, control, run.id, run.region_id, claim!);
      const files: WrittenFile[] = [];
      for (const w of writers) files.push(await w.close());
      const manifest = await this.dir.writeJson(dir, `${base}-manifest.json`, {
        format: 'vaxops NVR export 1',
        exportId: run.id,
        region: { code: run.region_code, hsaId: run.region_hsa },
        window: { from: claim!.window_from, to: claim!.window_to },
        generatedAt: new Date().toISOString(),
        counts: {
          doses: claim!.doses,
          records: claim!.records,
          new: claim!.new_count,
          corrections: claim!.correction_count,
          voids: claim!.void_count,
          voidedBeforeReport: claim!.none_count,
          errors: claim!.error_doses,
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
      // The claimed items are the mark: committed with COMPLETED, they make `nvr_reported_rev` the
      // revision sent (a dose changed meanwhile has a newer revision, still pending).
      await q(sql`
        UPDATE nvr_export_run
           SET status = 'COMPLETED', finished_at = now(), window_from = ${claim!.window_from},
               window_to = ${claim!.window_to}, dose_count = ${claim!.doses}, record_count = ${claim!.records},
               correction_count = ${claim!.correction_count + claim!.void_count}, error_count = ${claim!.error_doses},
               progress_done = ${total}, progress_total = ${total}, files = ${JSON.stringify(files)}::jsonb, dir = ${dir}
         WHERE id = ${run.id}`);
      await q(progressEvent(ref, 'completed', total, total));
      await client.query('COMMIT');
      const tDone = performance.now();
      await opts.onProgress?.({ done: total, total });
      this.logger.log(
        {
          exportId: run.id,
          doses: claim!.doses,
          records: claim!.records,
          errors: claim!.error_doses,
          ms: {
            claim: Math.round(tClaim - t0),
            stream: Math.round(tStream - tClaim),
            reportAndManifest: Math.round(tFiles - tStream),
            markAndCommit: Math.round(tDone - tFiles),
          },
        },
        'NVR export completed',
      );
      return { status: 'done', doses: claim!.doses, records: claim!.records, errors: claim!.error_doses };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      for (const w of writers) w.destroy();
      throw err;
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
          FROM pending d
          CROSS JOIN LATERAL (VALUES
            (d.missing_batch, 'MISSING_BATCH', 'batch', 'the dose has no batch number'),
            (d.invalid_identity, 'INVALID_IDENTITY', 'identityNumber',
             'the identity number is not valid for NVR (R1: a personnummer or samordningsnummer with a real date and check digit; reserve numbers are not reported)'),
            (d.unknown_product, 'UNKNOWN_PRODUCT', 'product',
             'the product has no valid NPL-id (14 digits) or vaccine ATC code (J07…)')
          ) AS e(failed, code, field, message)
         WHERE d.action IN ('NEW', 'CORRECTION') AND e.failed
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
  private recordsCopy(runId: string, reserveNumberOid: string | null): string {
    if (!/^[0-9a-f-]{36}$/.test(runId)) throw new Error(`unexpected export run id ${runId}`);
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
    const record = (rev: string, old: boolean, num: string, type: string) =>
      `'{"resourceType":"Immunization","id":' || ${j(`d.vid || '-' || ${rev}`)} ||
       ',"meta":{"versionId":' || ${j(`${rev}::text`)} ||
       '},"identifier":[{"system":' || ${jsonLit(SYSTEMS.URI)} || ',"value":' || ${j(`'urn:uuid:' || d.vid`)} || '}],' ||
       ${
         old
           ? `'"status":"entered-in-error","statusReason":{"text":' || ${j(
               `coalesce(d.void_reason, 'Ändrad efter rapportering (ersätts)')`,
             )} || '},'`
           : `'"status":"completed",'`
       } ||
       d.vaccine_code || ',"patient":{"type":"Patient","identifier":{"system":' || ${system(type)} ||
       ',"value":' || ${j(num)} || '}},' || d.tail || E'\n'`;
    const csvRow = (rev: string, old: boolean, num: string, type: string) =>
      `d.vid || '-' || ${rev} || ',' || d.vid || ',' || ${rev} || ${
        old
          ? `',entered-in-error,,'`
          : `',completed,' || CASE WHEN d.action = 'CORRECTION' THEN d.vid || '-' || coalesce(d.previous_revision, 0) ELSE '' END || ','`
      } || ${type}::text || ',' || ${c(num)} || ',' || d.csv_dims || ',' || d.dose_number || ',' || d.given_at || ',' || d.csv_orgs || E'\r\n'`;
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
               '"occurrenceDateTime":' || ${j(`to_char(v.given_at, ${iso})`)} || ',"recorded":' ||
               ${j(`to_char(v.created_at, ${iso})`)} || ',"primarySource":true' || pr.manufacturer ||
               coalesce(b.json, '') ||
               CASE WHEN cp.json IS NULL AND u.json IS NULL THEN ''
                    ELSE ',"performer":[' || concat_ws(',', cp.json, u.json) || ']' END ||
               ',"protocolApplied":[{"doseNumberPositiveInt":' || v.dose_number || '}]}' AS tail,
               pr.csv || ',' || coalesce(b.csv, ',') AS csv_dims,
               coalesce(cp.csv, '') || ',' || coalesce(u.csv, '') AS csv_orgs
          FROM nvr_export_item i
          JOIN vaccination v ON v.id = i.vaccination_id
          JOIN pr ON pr.id = v.product_id
          LEFT JOIN b ON b.id = v.batch_id
          LEFT JOIN u ON u.id = v.unit_id
          LEFT JOIN cp ON cp.id = v.care_provider_id
         WHERE i.run_id = ${lit(runId)} AND i.action <> 'NONE'
      )
      SELECT CASE WHEN d.action IN ('VOID', 'CORRECTION') THEN ${record(oldRev, true, oldNum, oldType)} ELSE '' END ||
             CASE WHEN d.action IN ('NEW', 'CORRECTION') THEN ${record('d.revision', false, 'd.identity_number', 'd.identity_type')} ELSE '' END,
             CASE WHEN d.action IN ('VOID', 'CORRECTION') THEN ${csvRow(oldRev, true, oldNum, oldType)} ELSE '' END ||
             CASE WHEN d.action IN ('NEW', 'CORRECTION') THEN ${csvRow('d.revision', false, 'd.identity_number', 'd.identity_type')} ELSE '' END
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

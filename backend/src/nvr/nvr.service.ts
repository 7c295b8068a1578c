import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { can } from '../auth/access-policy';
import type { Principal, StaffPrincipal } from '../auth/principal';
import { forbidden, notFound } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DatabaseService } from '../infra/database.service';
import { OUTBOX_CHANNEL } from '../infra/outbox/outbox';
import { QueueRegistry } from '../infra/queue/queue.registry';
import { sql } from '../infra/sql';
import { AccessService } from '../organisation/access.service';
import { maskIdentityNumber } from '../patients/identity';
import { ExportDirectory, WrittenFile } from './export-files';
import type { NvrRun } from './nvr-api';
import { progressEvent } from './nvr-exporter';

/** A download link lives this long: enough to click, too short to pass around. */
const TICKET_SECONDS = 300;
/** The run's errors shown with it; the control report file lists them all. */
const ERRORS_SHOWN = 500;

export const nvrJobId = (exportId: string) => `nvr-export-${exportId}`;

/** A run's row as read: the API's shape before the caller's download rights are added. */
interface RunRow extends Omit<NvrRun, 'files' | 'errors'> {
  files: WrittenFile[];
  dir: string | null;
}

const RUN_COLUMNS = sql`
  r.id, r.region_id AS "regionId", r.status::text AS status, r.trigger, r.requested_by AS "requestedBy",
  r.job_id AS "jobId", r.attempts, r.window_from AS "windowFrom", r.window_to AS "windowTo",
  r.created_at AS "createdAt", r.started_at AS "startedAt", r.finished_at AS "finishedAt",
  r.dose_count AS "doseCount", r.record_count AS "recordCount", r.correction_count AS "correctionCount",
  r.error_count AS "errorCount", r.progress_done AS "progressDone", r.progress_total AS "progressTotal",
  r.files, r.errors AS failures, r.dir`;

/** R28: starting export runs, reading them, and handing out their files to those allowed. */
@Injectable()
export class NvrService {
  private readonly dir: ExportDirectory;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DatabaseService,
    private readonly access: AccessService,
    private readonly queues: QueueRegistry,
  ) {
    this.dir = new ExportDirectory(config.NVR_EXPORT_DIR);
  }

  /** `POST /api/nvr/exports`: a new run, or the region's unfinished one (one at a time). */
  async start(p: StaffPrincipal, regionId: string | undefined) {
    const region = regionId ?? p.regionId;
    this.access.region(p, 'nvr.export', region);
    const run = await this.createRun(region, 'manual', p.userId);
    return { jobId: run.jobId, exportId: run.exportId, status: run.status, alreadyRunning: !run.created };
  }

  /**
   * The run and its job in one statement: the job rides on the outbox event (enqueued after
   * commit), so a run is never recorded without its job. If the region already has a run waiting
   * or running (a partial unique index allows one), that run is returned and its job made sure of:
   * a run left behind by a killed worker whose job is gone or failed is started again.
   */
  async createRun(
    regionId: string,
    trigger: 'manual' | 'schedule',
    requestedBy: string | null,
  ): Promise<{ exportId: string; jobId: string; status: string; created: boolean }> {
    const created = await this.db.one<{ id: string; job_id: string }>(sql`
      WITH nid AS (SELECT gen_random_uuid()::text AS id), ins AS (
        INSERT INTO nvr_export_run (id, region_id, trigger, requested_by, job_id)
        SELECT nid.id, ${regionId}, ${trigger}, ${requestedBy}, 'nvr-export-' || nid.id FROM nid
        ON CONFLICT (region_id) WHERE status IN ('QUEUED', 'RUNNING') DO NOTHING
        RETURNING id, job_id
      ), v AS (
        INSERT INTO topic_version (topic_key, version) SELECT ${`jobs:region:${regionId}`}, 1 FROM ins
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING topic_key, version
      ), o AS (
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'jobs', v.topic_key, v.version, 'job.progress',
               json_build_object('regionId', ${regionId}::text, 'jobId', ins.job_id, 'exportId', ins.id,
                 'queue', 'nvr', 'name', 'nvr.export', 'state', 'waiting',
                 'progress', json_build_object('done', 0, 'total', 0),
                 'enqueue', json_build_array(json_build_object('name', 'nvr.export',
                   'data', json_build_object('exportId', ins.id, 'regionId', ${regionId}::text),
                   'jobId', ins.job_id)))
          FROM v, ins
        RETURNING id
      )
      SELECT ins.id, ins.job_id, (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o LIMIT 1) AS notified FROM ins`);
    if (created) return { exportId: created.id, jobId: created.job_id, status: 'QUEUED', created: true };
    const active = await this.db.one<{ id: string; job_id: string | null; status: string }>(sql`
      SELECT id, job_id, status::text FROM nvr_export_run
       WHERE region_id = ${regionId} AND status IN ('QUEUED', 'RUNNING')`);
    if (!active) return this.createRun(regionId, trigger, requestedBy); // it finished meanwhile
    const jobId = active.job_id ?? nvrJobId(active.id);
    await this.ensureJob(active.id, regionId, jobId);
    return { exportId: active.id, jobId, status: active.status, created: false };
  }

  private async ensureJob(exportId: string, regionId: string, jobId: string): Promise<void> {
    const job = await this.queues.queue('nvr').getJob(jobId);
    if (!job) {
      await this.queues.enqueue('nvr.export', { exportId, regionId }, { jobId });
      return;
    }
    const state = await job.getState();
    if (state === 'failed' || state === 'completed') await job.retry(state);
  }

  /**
   * A failed attempt is noted on the run. After the job's last attempt the run is FAILED and its
   * claim, if it made one, is released in the same statement: its doses are pending again and go
   * out with the next run.
   */
  async markFailed(exportId: string, message: string, final: boolean): Promise<void> {
    const run = await this.db.one<{ region_id: string; job_id: string | null }>(sql`
      WITH run AS (
        UPDATE nvr_export_run
           SET errors = errors || jsonb_build_array(jsonb_build_object('at', now(), 'message', ${message}::text)),
               status = CASE WHEN ${final} THEN 'FAILED'::"ExportStatus" ELSE status END,
               finished_at = CASE WHEN ${final} THEN now() ELSE finished_at END,
               claim = CASE WHEN ${final} THEN NULL ELSE claim END,
               dose_count = CASE WHEN ${final} THEN 0 ELSE dose_count END,
               record_count = CASE WHEN ${final} THEN 0 ELSE record_count END,
               correction_count = CASE WHEN ${final} THEN 0 ELSE correction_count END
         WHERE id = ${exportId} AND status IN ('QUEUED', 'RUNNING')
        RETURNING region_id, job_id
      ), released AS (
        DELETE FROM nvr_export_item i WHERE ${final} AND i.run_id = ${exportId} AND EXISTS (SELECT 1 FROM run)
      )
      SELECT region_id, job_id FROM run`);
    if (run && final)
      await this.db.query(
        progressEvent({ id: exportId, regionId: run.region_id, jobId: run.job_id }, 'failed', 0, 0, false),
      );
  }

  async list(p: StaffPrincipal, regionId: string | undefined, limit: number) {
    const region = regionId ?? p.regionId;
    this.access.region(p, 'nvr.export', region);
    const runs = await this.db.query<RunRow>(sql`
      SELECT ${RUN_COLUMNS} FROM nvr_export_run r
       WHERE r.region_id = ${region} ORDER BY r.created_at DESC LIMIT ${limit}`);
    return { regionId: region, runs: runs.map((r) => this.view(p, r)) };
  }

  async get(p: StaffPrincipal, exportId: string) {
    const run = await this.db.one<RunRow>(
      sql`SELECT ${RUN_COLUMNS} FROM nvr_export_run r WHERE r.id = ${exportId}`,
    );
    if (!run) throw notFound(`export ${exportId} not found`);
    this.access.region(p, 'nvr.export', run.regionId);
    const errors = await this.db.query<{
      vaccinationId: string;
      revision: number;
      code: string;
      field: string;
      message: string;
      identityNumber: string;
      givenOn: string;
      unitName: string | null;
      unitHsaId: string | null;
    }>(sql`
      SELECT e.vaccination_id AS "vaccinationId", e.revision, e.code, e.field, e.message,
             p.identity_number AS "identityNumber", to_char(v.given_on, 'YYYY-MM-DD') AS "givenOn",
             u.name AS "unitName", u.hsa_id AS "unitHsaId"
        FROM nvr_export_error e JOIN vaccination v ON v.id = e.vaccination_id JOIN patient p ON p.id = v.patient_id
        LEFT JOIN unit u ON u.id = v.unit_id
       WHERE e.run_id = ${exportId} ORDER BY e.id LIMIT ${ERRORS_SHOWN}`);
    return {
      ...this.view(p, run),
      // masked: smittskydd sees no patient data (R9); the vaccination id and unit find the dose
      errors: errors.map((e) => ({ ...e, identityNumber: maskIdentityNumber(e.identityNumber) })),
    };
  }

  private view(p: StaffPrincipal, r: RunRow): NvrRun {
    const { dir: _dir, files, ...rest } = r;
    return {
      ...rest,
      files: (files ?? []).map((f) => ({
        ...f,
        // the data files hold identity numbers: only ADMIN; manifest and control report (masked) for both
        downloadable: r.status === 'COMPLETED' && this.mayDownload(p, r.regionId, f.kind),
      })),
    };
  }

  private mayDownload(p: Principal, regionId: string, kind: WrittenFile['kind']): boolean {
    if (kind === 'manifest' || kind === 'control-report') return can(p, 'nvr.export', { regionId });
    return can(p, 'nvr.download', { regionId });
  }

  private async file(exportId: string, name: string) {
    const run = await this.db.one<{
      region_id: string;
      status: string;
      files: WrittenFile[];
      dir: string | null;
    }>(sql`SELECT region_id, status::text, files, dir FROM nvr_export_run WHERE id = ${exportId}`);
    if (!run) throw notFound(`export ${exportId} not found`);
    const file = run.status === 'COMPLETED' && run.dir ? run.files.find((f) => f.name === name) : undefined;
    if (!file || !run.dir) throw notFound(`export ${exportId} has no file ${name}`);
    return { run, file, path: this.dir.resolve(run.dir, file.name) };
  }

  /** A short-lived signed link, so that a plain browser download needs no Authorization header. */
  async downloadLink(p: StaffPrincipal, exportId: string, name: string) {
    const { run, file } = await this.file(exportId, name);
    if (!this.mayDownload(p, run.region_id, file.kind))
      throw forbidden('your assignment may not download this file (it holds identity numbers)');
    const exp = Math.floor(Date.now() / 1000) + TICKET_SECONDS;
    const body = `${exp}.${p.userId}.${p.assignmentId}`;
    const ticket = `${Buffer.from(body).toString('base64url')}.${this.sign(exportId, name, body)}`;
    return {
      url: `/api/nvr/exports/${exportId}/files/${encodeURIComponent(name)}?ticket=${ticket}`,
      expiresAt: new Date(exp * 1000).toISOString(),
    };
  }

  private sign(exportId: string, name: string, body: string): string {
    return createHmac('sha256', this.config.JWT_SECRET)
      .update(`nvr-download\n${exportId}\n${name}\n${body}`)
      .digest('base64url');
  }

  /** Checks a ticket; returns who it was issued to. */
  verifyTicket(exportId: string, name: string, ticket: string): { userId: string; assignmentId: string } {
    const [b64, sig] = ticket.split('.');
    if (!b64 || !sig) throw forbidden('invalid download link');
    const body = Buffer.from(b64, 'base64url').toString();
    const expected = Buffer.from(this.sign(exportId, name, body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      throw forbidden('invalid download link');
    const [exp, userId, assignmentId] = body.split('.');
    if (!exp || Number(exp) * 1000 < Date.now()) throw forbidden('the download link has expired');
    return { userId: userId ?? '', assignmentId: assignmentId ?? '' };
  }

  /** Opens a file for download, with the audit row (R30: the data files hold identity numbers). */
  async open(exportId: string, name: string, who: { userId: string; assignmentId: string | null }) {
    const { file, path } = await this.file(exportId, name);
    const size = (await stat(path).catch(() => undefined))?.size;
    if (size === undefined) throw notFound(`the file ${name} is no longer in the export directory`);
    await this.db.query(sql`
      INSERT INTO audit_log (user_id, assignment_id, action, detail)
      VALUES (${who.userId}, ${who.assignmentId}, 'nvr.download',
              ${JSON.stringify({ exportId, file: name, kind: file.kind })}::jsonb)`);
    const type =
      file.kind === 'fhir-ndjson'
        ? 'application/fhir+ndjson'
        : file.kind === 'manifest'
          ? 'application/json'
          : 'text/csv; charset=utf-8';
    return { stream: createReadStream(path), size, type, file };
  }

  /** `jobs` topic for a region: its recent export runs with progress. */
  async jobsSnapshot(regionId: string) {
    const row = await this.db.one<{ version: number | null; jobs: unknown[] }>(sql`
      SELECT (SELECT version FROM topic_version WHERE topic_key = ${`jobs:region:${regionId}`}) AS version,
             (SELECT coalesce(json_agg(json_build_object('jobId', job_id, 'exportId', id, 'queue', 'nvr',
                       'name', 'nvr.export', 'state', CASE status WHEN 'COMPLETED' THEN 'completed'
                       WHEN 'FAILED' THEN 'failed' WHEN 'QUEUED' THEN 'waiting' ELSE 'active' END,
                       'progress', json_build_object('done', progress_done, 'total', progress_total))
                       ORDER BY created_at DESC), '[]'::json)
                FROM (SELECT * FROM nvr_export_run WHERE region_id = ${regionId}
                       ORDER BY created_at DESC LIMIT 20) r) AS jobs`);
    return { version: row?.version ?? 0, snapshot: { regionId, jobs: row?.jobs ?? [] } };
  }
}

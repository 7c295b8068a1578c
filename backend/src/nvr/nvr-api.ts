/**
 * The NVR export API's shapes (R28), shared by the backend and the dashboard (no runtime imports:
 * the dashboard bundles this file).
 */

export type NvrRunStatus = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED';
export type NvrFileKind = 'fhir-ndjson' | 'csv' | 'control-report' | 'manifest';
export type NvrErrorCode = 'MISSING_BATCH' | 'INVALID_IDENTITY' | 'UNKNOWN_PRODUCT';

/** A file of a run as the manifest and the run's row list it. */
export interface NvrWrittenFile {
  name: string;
  kind: NvrFileKind;
  bytes: number;
  sha256: string;
  records: number;
}

export interface NvrFile extends NvrWrittenFile {
  /** the caller's assignment may download it (data files: ADMIN only) */
  downloadable: boolean;
}

/** A dose a run did not send (R28); the identity number comes masked. */
export interface NvrDoseError {
  vaccinationId: string;
  revision: number;
  code: NvrErrorCode | string;
  field: string;
  message: string;
  identityNumber: string;
  givenOn: string;
  unitName: string | null;
  unitHsaId: string | null;
}

/** `GET /api/nvr/exports` rows and `GET /api/nvr/exports/:id`. */
export interface NvrRun {
  id: string;
  regionId: string;
  status: NvrRunStatus;
  trigger: 'manual' | 'schedule' | string;
  requestedBy: string | null;
  jobId: string | null;
  attempts: number;
  windowFrom: string | null;
  windowTo: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** doses (dose revisions) the run covers */
  doseCount: number;
  /** FHIR records written (a correction of a changed dose is two) */
  recordCount: number;
  correctionCount: number;
  errorCount: number;
  progressDone: number;
  progressTotal: number;
  files: NvrFile[];
  /** run-level failures, one per failed attempt */
  failures: Array<{ at: string; message: string }>;
  /** only in `GET /api/nvr/exports/:id` */
  errors?: NvrDoseError[];
}

/** `POST /api/nvr/exports` */
export interface NvrStarted {
  jobId: string;
  exportId: string;
  status: NvrRunStatus;
  alreadyRunning: boolean;
}

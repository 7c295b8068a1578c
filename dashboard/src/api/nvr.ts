import { http, seg } from './http';

export type NvrRunStatus = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED';
export type NvrFileKind = 'fhir-ndjson' | 'csv' | 'control-report' | 'manifest';
export type NvrErrorCode = 'MISSING_BATCH' | 'INVALID_IDENTITY' | 'UNKNOWN_PRODUCT';

export interface NvrFile {
  name: string;
  kind: NvrFileKind;
  bytes: number;
  sha256: string;
  records: number;
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
  doseCount: number;
  recordCount: number;
  correctionCount: number;
  errorCount: number;
  progressDone: number;
  progressTotal: number;
  files: NvrFile[];
  failures: Array<{ at: string; message: string }>;
  /** only in `GET /api/nvr/exports/:id` */
  errors?: NvrDoseError[];
}

export interface NvrStarted {
  jobId: string;
  exportId: string;
  status: NvrRunStatus;
  alreadyRunning: boolean;
}

export const nvrApi = {
  list: (regionId: string) =>
    http.get<{ regionId: string; runs: NvrRun[] }>('/nvr/exports', { query: { regionId } }),
  get: (id: string) => http.get<NvrRun>(`/nvr/exports/${seg(id)}`),
  start: (regionId: string) => http.post<NvrStarted>('/nvr/exports', { regionId }),
  link: (id: string, name: string) =>
    http.post<{ url: string; expiresAt: string }>(`/nvr/exports/${seg(id)}/files/${seg(name)}/link`, {}),
};

import { http, seg } from './http';

import type { NvrRun, NvrStarted } from '@nvr-api';

export type {
  NvrDoseError,
  NvrErrorCode,
  NvrFile,
  NvrFileKind,
  NvrRun,
  NvrRunStatus,
  NvrStarted,
} from '@nvr-api';

export const nvrApi = {
  list: (regionId: string) =>
    http.get<{ regionId: string; runs: NvrRun[] }>('/nvr/exports', { query: { regionId } }),
  get: (id: string) => http.get<NvrRun>(`/nvr/exports/${seg(id)}`),
  start: (regionId: string) => http.post<NvrStarted>('/nvr/exports', { regionId }),
  link: (id: string, name: string) =>
    http.post<{ url: string; expiresAt: string }>(`/nvr/exports/${seg(id)}/files/${seg(name)}/link`, {}),
};

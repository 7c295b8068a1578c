import { http, seg } from './http';
import type { JobStatus } from './types';

export const jobsApi = {
  get: (id: string) => http.get<JobStatus>(`/jobs/${seg(id)}`),
};

import { http, seg } from './http';
import type { MassCancellation, MassCancellationRequest, MassCancellationStarted } from './types';

export const massCancellationsApi = {
  start: (unitId: string, body: MassCancellationRequest) =>
    http.post<MassCancellationStarted>(`/units/${seg(unitId)}/mass-cancellations`, body),
  get: (id: string) => http.get<MassCancellation>(`/mass-cancellations/${seg(id)}`),
};

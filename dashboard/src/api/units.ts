import { http, seg } from './http';
import type { AvailabilityResponse, SlotsResponse, Unit, VisitType } from './types';

export const unitsApi = {
  list: () => http.get<Unit[]>('/units'),
  slots: (unitId: string, date: string) =>
    http.get<SlotsResponse>(`/units/${seg(unitId)}/slots`, { query: { date } }),
  availability: (unitId: string, from: string, to: string) =>
    http.get<AvailabilityResponse>(`/units/${seg(unitId)}/availability`, { query: { from, to } }),
  visitTypes: (unitId: string) => http.get<VisitType[]>(`/units/${seg(unitId)}/visit-types`),
};

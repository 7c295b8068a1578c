import { ApiError, http, seg, type ApiErrorBody } from './http';
import type { CreateVisitTypeRequest, DeletedVisitType, UpdateVisitTypeRequest, VisitType } from './types';

/** 409 from DELETE /api/visit-types/:id while future bookings use the type (R12). */
export interface VisitTypeInUseBody extends ApiErrorBody {
  futureBookings: number;
}

export function isVisitTypeInUse(e: unknown): e is ApiError<VisitTypeInUseBody> {
  return e instanceof ApiError && e.status === 409;
}

/** How many future bookings a 409 names; a body without the count still means "some". */
export function futureBookingsOf(e: ApiError<VisitTypeInUseBody>): number | null {
  const n = e.body.futureBookings;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
}

/** Visit types (R11, R12). The unit's list is `unitsApi.visitTypes` (retired ones are not in it). */
export const visitTypesApi = {
  create: (unitId: string, body: CreateVisitTypeRequest) =>
    http.post<VisitType>(`/units/${seg(unitId)}/visit-types`, body),
  update: (id: string, body: UpdateVisitTypeRequest) =>
    http.patch<VisitType>(`/visit-types/${seg(id)}`, body),
  remove: (id: string) => http.delete<DeletedVisitType>(`/visit-types/${seg(id)}`),
};

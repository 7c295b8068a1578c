import type { SlotView } from '@events';
import { ApiError, http, seg, type ApiErrorBody } from './http';
import type { BookingDetails, CancelledBooking, CreateBookingRequest, CreatedBooking } from './types';

/** 409 from POST /api/bookings when someone else got the slot first (R13). */
export interface SlotTakenBody extends ApiErrorBody {
  code: 'SLOT_TAKEN';
  alternatives: SlotView[];
}

export function isSlotTaken(e: unknown): e is ApiError<SlotTakenBody> {
  return e instanceof ApiError && e.status === 409 && e.code === 'SLOT_TAKEN';
}

/** The alternatives of a SLOT_TAKEN answer, tolerating a body without the list. */
export function alternativesOf(e: ApiError<SlotTakenBody>): SlotView[] {
  return Array.isArray(e.body.alternatives) ? e.body.alternatives : [];
}

export const bookingsApi = {
  /** With an Idempotency-Key, a retried submission gets the first answer, never a second booking. */
  create: (req: CreateBookingRequest, idempotencyKey?: string) =>
    http.post<CreatedBooking>(
      '/bookings',
      req,
      idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : undefined,
    ),
  get: (id: string) => http.get<BookingDetails>(`/bookings/${seg(id)}`),
  cancel: (id: string) => http.delete<CancelledBooking>(`/bookings/${seg(id)}`),
};

import type { SlotView } from '@events';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { alternativesOf, bookingsApi, isSlotTaken } from '../api/bookings';
import { ApiError, NetworkError } from '../api/http';
import type { BookingDetails, CreateBookingRequest, CreatedBooking } from '../api/types';
import { randomUuid } from '../lib/uuid';

/** The booking form's fields, for putting a server message next to the right one. */
export type BookingField = 'personalIdentityNumber' | 'phone' | 'visitTypeId' | 'slotId';

export type BookingOutcome =
  | { kind: 'created'; booking: CreatedBooking }
  | { kind: 'taken'; alternatives: SlotView[] }
  | { kind: 'invalid'; field: BookingField | null; message: string }
  | { kind: 'rule'; message: string }
  | { kind: 'failed'; message: string | null };

/**
 * Booking actions for the dialogs. The outcome is returned rather than stored: it belongs to the
 * dialog that asked, and the timebook itself updates from the live event, not from here.
 */
export const useBookingsStore = defineStore('bookings', () => {
  const submitting = ref(false);

  /**
   * The last submission that got no definite answer (network, 5xx, 503): sending the same body
   * again is the same submission, with the same Idempotency-Key — if the first one was in fact
   * booked, the answer is that booking, not a 409 against it.
   */
  let unanswered: { key: string; body: string } | null = null;

  async function create(req: CreateBookingRequest): Promise<BookingOutcome> {
    submitting.value = true;
    const body = JSON.stringify(req);
    const key = unanswered?.body === body ? unanswered.key : randomUuid();
    try {
      const booking = await bookingsApi.create(req, key);
      unanswered = null;
      return { kind: 'created', booking };
    } catch (e) {
      const outcome = bookingFailure(e);
      unanswered = outcome.kind === 'failed' ? { key, body } : null;
      return outcome;
    } finally {
      submitting.value = false;
    }
  }

  function get(id: string): Promise<BookingDetails> {
    return bookingsApi.get(id);
  }

  async function cancel(id: string): Promise<void> {
    await bookingsApi.cancel(id);
  }

  function $reset(): void {
    submitting.value = false;
  }

  return { submitting, create, get, cancel, $reset };
});

export function bookingFailure(e: unknown): BookingOutcome {
  if (isSlotTaken(e)) return { kind: 'taken', alternatives: alternativesOf(e) };
  if (e instanceof ApiError && e.status === 400) {
    const message = e.messages.join(' ') || e.message;
    return { kind: 'invalid', field: fieldOf(e), message };
  }
  if (e instanceof ApiError && (e.status === 422 || e.status === 409)) {
    return { kind: 'rule', message: e.messages.join(' ') || e.message };
  }
  if (e instanceof ApiError && e.status !== 401)
    return { kind: 'failed', message: e.messages.join(' ') || null };
  if (e instanceof NetworkError || e instanceof ApiError) return { kind: 'failed', message: null };
  throw e;
}

const FIELD_PATTERNS: Array<[BookingField, RegExp]> = [
  ['personalIdentityNumber', /personalIdentityNumber|personnummer|identity/i],
  ['phone', /phone|telefon|mobil/i],
  ['visitTypeId', /visitType|besökstyp/i],
  ['slotId', /slotId/i],
];

/**
 * Which field a 400 is about: an explicit `field` extra wins; otherwise the message names it
 * (ValidationPipe style "patient.personalIdentityNumber must …").
 */
export function fieldOf(e: ApiError): BookingField | null {
  const explicit = e.body.field;
  const haystack = typeof explicit === 'string' ? explicit : e.messages.join(' ');
  for (const [field, re] of FIELD_PATTERNS) if (re.test(haystack)) return field;
  return null;
}

import { createHmac } from 'node:crypto';

/** What an SMS about a cancelled booking needs; never an identity number (minimal personal data). */
export interface CancelledBooking {
  bookingId: string;
  unitName: string;
  start: Date;
  phone: string | null;
  protectedIdentity: boolean;
  smsOptOut: boolean;
}

export interface Notice {
  bookingId: string;
  toPhone: string;
  body: string;
}

const WHEN = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/** A link that lets the person rebook without logging in to find the booking: HMAC-signed id. */
export function rebookLink(baseUrl: string, bookingId: string, secret: string): string {
  const sig = createHmac('sha256', secret).update(`rebook:${bookingId}`).digest('base64url').slice(0, 22);
  return `${baseUrl.replace(/\/$/, '')}/boka?ombokning=${encodeURIComponent(bookingId)}.${sig}`;
}

/**
 * R17: one cancellation SMS per booking, in Swedish, with a rebooking link. None for protected
 * identity (R3), none without a phone, none after an opt-out (R18).
 */
export function cancellationNotice(
  b: CancelledBooking,
  opts: { message?: string; baseUrl: string; secret: string },
): Notice | undefined {
  if (!b.phone || b.protectedIdentity || b.smsOptOut) return undefined;
  const why = opts.message?.trim() ? ` ${opts.message.trim()}` : '';
  const body =
    `Din tid ${WHEN.format(b.start)} på ${b.unitName} är avbokad.${why} ` +
    `Boka ny tid: ${rebookLink(opts.baseUrl, b.bookingId, opts.secret)}`;
  return { bookingId: b.bookingId, toPhone: b.phone, body };
}

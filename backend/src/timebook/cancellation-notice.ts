import { createHmac, timingSafeEqual } from 'node:crypto';

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

function linkSignature(bookingId: string, secret: string): string {
  return createHmac('sha256', secret).update(`rebook:${bookingId}`).digest('base64url').slice(0, 22);
}

/** The signed token of a booking link: `<bookingId>.<signature>`. */
export function bookingLinkToken(bookingId: string, secret: string): string {
  return `${bookingId}.${linkSignature(bookingId, secret)}`;
}

/** The booking id of a genuine link token, or undefined for a forged or mangled one. */
export function verifyBookingLinkToken(token: string, secret: string): string | undefined {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const id = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(linkSignature(id, secret));
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
}

/** A link that lets the person rebook without logging in to find the booking: HMAC-signed id. */
export function rebookLink(baseUrl: string, bookingId: string, secret: string): string {
  return `${baseUrl.replace(/\/$/, '')}/boka?ombokning=${encodeURIComponent(bookingLinkToken(bookingId, secret))}`;
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

/**
 * Shape check only. The backend owns the real rules (R1: century inference, Luhn, coordination
 * and reserve numbers) and answers 400 saying why; this catches typos before a round trip.
 * The input is sent as typed (spaces removed): a `+` says the person is 100 or older, which the
 * server needs to infer the century, so we must not normalise it away.
 */
const SHAPE = /^(\d{6}|\d{8})[-+]?\d{4}$/;

export function cleanPersonalIdentityNumber(input: string): string {
  return input.replace(/\s+/g, '');
}

export function looksLikePersonalIdentityNumber(input: string): boolean {
  return SHAPE.test(cleanPersonalIdentityNumber(input));
}

/** 12 stored digits shown the way Swedish staff read them: YYYYMMDD-NNNN. */
export function formatPersonalIdentityNumber(digits: string): string {
  return /^\d{12}$/.test(digits) ? `${digits.slice(0, 8)}-${digits.slice(8)}` : digits;
}

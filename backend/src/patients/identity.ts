import Personnummer from 'personnummer';

/** R1: a parsed Swedish identity number, normalised to 12 digits. */
export interface ParsedIdentity {
  number: string; // YYYYMMDDNNNC
  type: 'PERSONNUMMER' | 'SAMORDNINGSNUMMER';
  birthDate: string; // YYYY-MM-DD (for samordningsnummer: the day minus 60)
  sex: 'FEMALE' | 'MALE';
}

export class IdentityError extends Error {}

function luhnOk(tenDigits: string): boolean {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = Number(tenDigits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Accepts 10 or 12 digits, with or without `-`/`+` (R1). A 10-digit number gets its century
 * inferred (`+` means 100 years or older, as an ID scanner that drops "19"/"20" relies on).
 * Checks the Luhn digit and the date; day + 60 is a coordination number.
 * Throws IdentityError saying what is wrong.
 */
export function parseIdentityNumber(input: string, now: Date = new Date()): ParsedIdentity {
  const trimmed = String(input ?? '').trim();
  if (!/^(\d{6}|\d{8})[-+]?\d{4}$/.test(trimmed)) {
    throw new IdentityError('must be 10 or 12 digits, as YYMMDD-NNNN or YYYYMMDDNNNN');
  }
  const digits = trimmed.replace(/[-+]/g, '');
  if (!luhnOk(digits.slice(-10))) throw new IdentityError('has a wrong check digit');
  // the birth number (the three digits after the date) runs from 001: 000 is never issued
  if (digits.slice(-4, -1) === '000')
    throw new IdentityError('has the birth number 000, which is never issued');
  let parsed: InstanceType<typeof Personnummer>;
  try {
    parsed = Personnummer.parse(trimmed, { allowCoordinationNumber: true, allowInterimNumber: false });
  } catch {
    throw new IdentityError('does not contain a valid date');
  }
  const number = parsed.format(true);
  const coordination = parsed.isCoordinationNumber();
  const year = Number(number.slice(0, 4));
  const month = Number(number.slice(4, 6));
  const day = Number(number.slice(6, 8)) - (coordination ? 60 : 0);
  const birth = new Date(Date.UTC(year, month - 1, day));
  if (birth.getUTCMonth() !== month - 1 || birth.getUTCDate() !== day) {
    throw new IdentityError('does not contain a valid date');
  }
  if (birth.getTime() > now.getTime()) throw new IdentityError('has a birth date in the future');
  return {
    number,
    type: coordination ? 'SAMORDNINGSNUMMER' : 'PERSONNUMMER',
    birthDate: birth.toISOString().slice(0, 10),
    sex: parsed.isFemale() ? 'FEMALE' : 'MALE',
  };
}

/** For logs and lists: the birth date part stays, the rest is hidden. */
export function maskIdentityNumber(n: string): string {
  return n.length >= 8 ? `${n.slice(0, 8)}-****` : '****';
}

/**
 * R4: this region's reserve numbers (reservnummer): "99", the birth date as YYMMDD, then a
 * four-digit sequence. Twelve digits that cannot be a personnummer (year 99xx is in the future).
 * Each region has its own format and OID; ours is stored on the region row (reserve_number_oid).
 */
export const RESERVE_NUMBER = /^99\d{10}$/;

export function isReserveNumber(input: string): boolean {
  return RESERVE_NUMBER.test(String(input ?? '').trim());
}

/** The reserve number for a birth date and a sequence value (wraps at 10,000 per day of birth). */
export function makeReserveNumber(birthDate: string, seq: number): string {
  const yymmdd = birthDate.slice(2, 4) + birthDate.slice(5, 7) + birthDate.slice(8, 10);
  return `99${yymmdd}${String(seq % 10_000).padStart(4, '0')}`;
}

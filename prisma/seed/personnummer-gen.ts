import { yearMonthDay } from './dates';

/**
 * Luhn check digit over the nine digits YYMMDDNNN (the last ten digits of a 12-digit
 * personnummer, without the check digit itself): weights 2,1,2,1,…, digit sums of the products.
 */
export function luhnCheckDigit(nineDigits: string): number {
  if (!/^\d{9}$/.test(nineDigits)) throw new Error(`luhnCheckDigit wants 9 digits, got ${nineDigits}`);
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let v = (nineDigits.charCodeAt(i) - 48) * (i % 2 === 0 ? 2 : 1);
    if (v > 9) v -= 9;
    sum += v;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * A 12-digit identity number YYYYMMDDNNNC for a birth date (a day number) and a birth number
 * NNN (1–999). The second-to-last digit (the last of NNN) is odd for men, even for women.
 * A samordningsnummer (coordination number) is the same with 60 added to the day.
 */
export function makeIdentityNumber(birthDay: number, serial: number, coordination = false): string {
  if (!Number.isInteger(serial) || serial < 1 || serial > 999) throw new Error(`bad birth number ${serial}`);
  const { y, m, d } = yearMonthDay(birthDay);
  const dd = coordination ? d + 60 : d;
  const tail = `${String(y % 100).padStart(2, '0')}${String(m).padStart(2, '0')}${String(dd).padStart(2, '0')}${String(serial).padStart(3, '0')}`;
  return `${String(y).padStart(4, '0').slice(0, 2)}${tail}${luhnCheckDigit(tail)}`;
}

/** Sex as the identity number states it (second-to-last digit: odd = male). */
export function sexOfIdentityNumber(identityNumber: string): 'MALE' | 'FEMALE' {
  return Number(identityNumber[identityNumber.length - 2]) % 2 === 1 ? 'MALE' : 'FEMALE';
}

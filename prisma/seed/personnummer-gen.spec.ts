import Personnummer from 'personnummer';
import { parseDay } from './dates';
import { luhnCheckDigit, makeIdentityNumber, sexOfIdentityNumber } from './personnummer-gen';
import { Rng } from './prng';

describe('personnummer generator', () => {
  it('computes the Luhn digit of the textbook example 811218-9876', () => {
    expect(luhnCheckDigit('811218987')).toBe(6);
    expect(makeIdentityNumber(parseDay('1981-12-18'), 987)).toBe('198112189876');
  });

  it('makes 12-digit numbers that the personnummer package accepts, with sex in the ninth digit', () => {
    const rng = new Rng('spec:personnummer');
    for (let i = 0; i < 5000; i++) {
      const birthDay = parseDay('1915-01-01') + rng.int(40_000);
      const serial = rng.range(1, 999);
      const pnr = makeIdentityNumber(birthDay, serial);
      expect(pnr).toMatch(/^\d{12}$/);
      expect(Personnummer.valid(pnr, { allowCoordinationNumber: false, allowInterimNumber: false })).toBe(
        true,
      );
      const parsed = Personnummer.parse(pnr);
      expect(parsed.isMale()).toBe(serial % 2 === 1);
      expect(sexOfIdentityNumber(pnr)).toBe(serial % 2 === 1 ? 'MALE' : 'FEMALE');
    }
  });

  it('rejects a number whose check digit is off by one', () => {
    const pnr = makeIdentityNumber(parseDay('1990-05-14'), 238);
    const wrong = pnr.slice(0, 11) + ((Number(pnr[11]) + 1) % 10);
    expect(Personnummer.valid(wrong)).toBe(false);
  });

  it('makes samordningsnummer (day + 60) that are valid coordination numbers', () => {
    const rng = new Rng('spec:samordningsnummer');
    for (let i = 0; i < 1000; i++) {
      const birthDay = parseDay('1940-01-01') + rng.int(25_000);
      const nr = makeIdentityNumber(birthDay, rng.range(1, 999), true);
      expect(Number(nr.slice(6, 8))).toBeGreaterThan(60);
      expect(Personnummer.valid(nr, { allowCoordinationNumber: true, allowInterimNumber: false })).toBe(true);
      expect(Personnummer.parse(nr).isCoordinationNumber()).toBe(true);
    }
  });

  it('refuses birth number 000 and numbers above 999', () => {
    expect(() => makeIdentityNumber(parseDay('2000-01-01'), 0)).toThrow();
    expect(() => makeIdentityNumber(parseDay('2000-01-01'), 1000)).toThrow();
  });
});

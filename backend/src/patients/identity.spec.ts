import { IdentityError, parseIdentityNumber } from './identity';

const now = new Date('2026-11-21T12:00:00Z');

/** Appends the Luhn check digit to 11 digits (YYYYMMDDNNN), to build numbers that fail only on their date. */
function withCheckDigit(first11: string): string {
  const ten = first11.slice(2);
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(ten[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return first11 + String((10 - (sum % 10)) % 10);
}

describe('identity numbers (R1)', () => {
  it.each([
    ['199001010017', '199001010017'],
    ['19900101-0017', '199001010017'],
    ['900101-0017', '199001010017'],
    ['9001010017', '199001010017'],
    ['121212+1212', '191212121212'],
    ['201212121212', '201212121212'],
  ])('accepts %s and stores 12 digits', (input, stored) => {
    expect(parseIdentityNumber(input, now).number).toBe(stored);
  });

  it('infers the century of a 10-digit number (an ID scanner drops "19"/"20")', () => {
    expect(parseIdentityNumber('1212121212', now).number).toBe('201212121212');
    expect(parseIdentityNumber('4607137454', now).number).toBe('194607137454');
  });

  it('recognises a coordination number (day + 60) and its real birth date', () => {
    const p = parseIdentityNumber('900161-0014', now);
    expect(p.type).toBe('SAMORDNINGSNUMMER');
    expect(p.birthDate).toBe('1990-01-01');
  });

  it('derives sex from the second-to-last digit', () => {
    expect(parseIdentityNumber('19900101-0017', now).sex).toBe('MALE');
  });

  it.each([
    ['19900101-0018', 'check digit'],
    ['12345', '10 or 12 digits'],
    ['abcdefghij', '10 or 12 digits'],
    [withCheckDigit('19901301001'), 'date'],
    [withCheckDigit('20990101001'), 'future'],
    [withCheckDigit('19900101000'), 'birth number 000'],
    ['', '10 or 12 digits'],
  ])('refuses %s, saying why (%s)', (input, why) => {
    expect(() => parseIdentityNumber(input, now)).toThrow(IdentityError);
    expect(() => parseIdentityNumber(input, now)).toThrow(new RegExp(why));
  });
});

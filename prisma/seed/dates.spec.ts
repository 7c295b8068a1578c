import { TZDate } from '@date-fns/tz';
import { formatDay, isoWeekday, nextWeekday, parseDay, stockholmInstantMs, stockholmToday } from './dates';

describe('Stockholm dates', () => {
  it('round-trips calendar dates and rejects impossible ones', () => {
    expect(formatDay(parseDay('2024-02-29'))).toBe('2024-02-29');
    expect(() => parseDay('2026-02-30')).toThrow();
    expect(() => parseDay('26-02-01')).toThrow();
  });

  it('knows the weekday', () => {
    expect(isoWeekday(parseDay('2026-11-23'))).toBe(1);
    expect(isoWeekday(parseDay('2026-11-22'))).toBe(7);
    expect(formatDay(nextWeekday(parseDay('2026-11-21')))).toBe('2026-11-23');
  });

  it('computes local wall-clock times across the DST changes like TZDate does', () => {
    for (const date of [
      '2026-03-28',
      '2026-03-29',
      '2026-03-30',
      '2026-10-24',
      '2026-10-25',
      '2026-10-26',
      '2026-07-01',
    ]) {
      const day = parseDay(date);
      const [y, m, d] = date.split('-').map(Number);
      for (const minutes of [0, 90, 150, 179, 180, 480, 725, 960]) {
        const expected = new TZDate(
          y,
          m - 1,
          d,
          Math.floor(minutes / 60),
          minutes % 60,
          0,
          'Europe/Stockholm',
        ).getTime();
        expect(stockholmInstantMs(day, minutes)).toBe(expected);
      }
    }
    expect(new Date(stockholmInstantMs(parseDay('2026-07-01'), 8 * 60)).toISOString()).toBe(
      '2026-07-01T06:00:00.000Z',
    );
    expect(new Date(stockholmInstantMs(parseDay('2026-01-15'), 8 * 60)).toISOString()).toBe(
      '2026-01-15T07:00:00.000Z',
    );
  });

  it("gives today's date in Sweden, not in UTC", () => {
    expect(stockholmToday(new Date('2026-11-21T23:30:00Z'))).toBe('2026-11-22');
    expect(stockholmToday(new Date('2026-07-01T21:59:00Z'))).toBe('2026-07-01');
    expect(stockholmToday(new Date('2026-07-01T22:00:00Z'))).toBe('2026-07-02');
  });
});

import { notBefore } from './quiet-hours';

describe('quiet hours (R18)', () => {
  it('sends at once during the day', () => {
    const noon = new Date('2026-11-23T11:00:00Z'); // 12:00 CET
    expect(notBefore(noon)).toEqual(noon);
  });
  it('waits from 20:00 until 08:00 the next morning', () => {
    expect(notBefore(new Date('2026-11-23T19:30:00Z')).toISOString()).toBe('2026-11-24T07:00:00.000Z');
  });
  it('waits after midnight until 08:00 the same day, also in summer time', () => {
    expect(notBefore(new Date('2026-06-10T01:00:00Z')).toISOString()).toBe('2026-06-10T06:00:00.000Z');
  });
});

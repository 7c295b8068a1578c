import { EventBudget, originAllowed } from './socket-guard';

describe('EventBudget', () => {
  it('serves a burst, refuses the flood, refills over time, and cuts off a client that will not stop', () => {
    const b = new EventBudget(10, 5, 3, 0);
    expect(Array.from({ length: 5 }, () => b.take(0))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(b.take(0)).toBe('refuse');
    expect(b.take(100)).toBe('ok'); // 0.1 s × 10/s = one event
    expect(b.take(100)).toBe('refuse');
    expect(b.take(100)).toBe('refuse');
    expect(b.take(100)).toBe('disconnect');
  });
});

describe('originAllowed', () => {
  const req = (origin: string | undefined, host = 'vaxops.example:3000') => ({
    headers: { origin, host },
  });
  it('allows no origin (non-browser), the same origin, and listed origins; refuses others', () => {
    expect(originAllowed(req(undefined), [])).toBe(true);
    expect(originAllowed(req('http://vaxops.example:3000'), [])).toBe(true);
    expect(originAllowed(req('https://evil.example'), [])).toBe(false);
    expect(originAllowed(req('https://dash.region.se'), ['https://dash.region.se'])).toBe(true);
    expect(originAllowed(req('null'), [])).toBe(false);
  });
});

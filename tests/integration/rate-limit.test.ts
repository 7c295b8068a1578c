import { api, closeDb, login, seedInfo, startApp } from '../support/harness';

const { units } = seedInfo();

describe('HTTP rate limits (shared by instances through Redis)', () => {
  it('counts one user across two instances, answers 429 with Retry-After, and keeps others unaffected', async () => {
    const env = {
      RATE_LIMIT_PER_MINUTE: '30',
      RATE_LIMIT_ANON_PER_MINUTE: '1000',
      REDIS_PREFIX: `vaxops-test-rl-${Date.now()}`,
    };
    const a = await startApp(env);
    const b = await startApp({ ...env, OUTBOX_RELAY: 'false' });
    try {
      const booker = (await login(a.url, 'SE2321000057-B001', units.U1)).token;
      const other = (await login(a.url, 'SE2321000057-T001', units.U1)).token;
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) {
        const base = i % 2 ? a.url : b.url;
        statuses.push(
          (await api(base, 'GET', `/api/units/${units.U1}/visit-types`, { token: booker })).status,
        );
      }
      // 30 a minute for this user: the login's assignment switch was the first, then 29 of these
      expect(statuses.filter((s) => s === 200)).toHaveLength(29);
      expect(statuses.slice(29).every((s) => s === 429)).toBe(true);

      const res = await fetch(`${b.url}/api/units/${units.U1}/visit-types`, {
        headers: { authorization: `Bearer ${booker}` },
      });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', code: 'RATE_LIMITED' });
      expect(String(body.message)).toMatch(/at most 30 a minute/);

      // another user, and the health check, are not affected
      expect((await api(a.url, 'GET', `/api/units/${units.U1}/visit-types`, { token: other })).status).toBe(
        200,
      );
      expect((await api(a.url, 'GET', '/api/health')).status).toBe(200);
    } finally {
      await b.close();
      await a.close();
      await closeDb();
    }
  });

  it('without a token the limit is per address', async () => {
    const app = await startApp({
      RATE_LIMIT_ANON_PER_MINUTE: '5',
      REDIS_PREFIX: `vaxops-test-rl2-${Date.now()}`,
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await api(app.url, 'GET', '/api/auth/dev-users')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    } finally {
      await app.close();
    }
  });
});

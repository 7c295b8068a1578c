import { api, closeDb, connectLive, connected, login, seedInfo, startApp } from '../support/harness';

/**
 * Issue 8 §2/§3, the parts a browser attacker meets: security headers (helmet), the CORS
 * allowlist, the request size limit, and an expired token ending both REST access and the live
 * socket session.
 */

const ALLOWED = 'https://dashboard.region.example';
let app: Awaited<ReturnType<typeof startApp>>;
const { units } = seedInfo();

beforeAll(async () => {
  app = await startApp({ CORS_ORIGINS: ALLOWED, JWT_TTL_SECONDS: '3' });
});
afterAll(async () => {
  await app.close();
  await closeDb();
});

describe('HTTP hardening', () => {
  it('answers with security headers: CSP, no sniffing, no framing', async () => {
    const res = await fetch(`${app.url}/api/health/live`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('CORS: a listed origin may call the API from a browser, any other origin gets no CORS grant', async () => {
    const preflight = (origin: string) =>
      fetch(`${app.url}/api/units`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    expect((await preflight(ALLOWED)).headers.get('access-control-allow-origin')).toBe(ALLOWED);
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await fetch(`${app.url}/api/health/live`, { headers: { origin: 'https://evil.example' } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a body over the limit is refused with 413 and a message, and the server goes on', async () => {
    const { token } = await login(app.url, 'SE2321000057-B001', units.U1);
    const res = await api(app.url, 'POST', '/api/bookings', {
      token,
      rawBody: JSON.stringify({ slotId: 'x'.repeat(400 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(res.body.message).toBeTruthy();
    expect((await api(app.url, 'GET', '/api/health/live')).status).toBe(200);
  });

  it('an SMS delivery receipt (public callback) without the right signature is refused', async () => {
    const res = await api(app.url, 'POST', '/api/sms/delivery/some-notification?sig=forged', {
      body: { status: 'delivered' },
    });
    expect(res.status).toBe(403);
  });

  it('outside dev mode the dev logins do not exist', async () => {
    const prod = await startApp({
      AUTH_MODE: 'off',
      JWT_SECRET: 'a-production-like-secret-0123456789abcdef',
    });
    try {
      for (const [method, path, body] of [
        ['GET', '/api/auth/dev-users', undefined],
        ['POST', '/api/auth/dev-login', { hsaId: 'SE2321000057-A001' }],
        ['GET', '/api/citizen/dev-citizens', undefined],
        ['POST', '/api/citizen/dev-login', { personalIdentityNumber: '191212121212' }],
      ] as const)
        expect({ path, status: (await api(prod.url, method, path, { body })).status }).toEqual({
          path,
          status: 404,
        });
    } finally {
      await prod.close();
    }
  });

  it('an expired token: REST answers 401, and the live socket session is ended', async () => {
    const { token } = await login(app.url, 'SE2321000057-B001', units.U1);
    expect((await api(app.url, 'GET', '/api/units', { token })).status).toBe(200);
    const s = connectLive(app.url, token);
    expect(await connected(s)).toBe(true);
    // the server ends the session when the token expires (JWT_TTL_SECONDS=3), not the client
    const reason = await new Promise<string>((resolve) => s.once('disconnect', resolve));
    expect(reason).toBe('io server disconnect');
    const res = await api(app.url, 'GET', '/api/units', { token });
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/expired/);
    // and a new session with the expired token is refused in the handshake
    const again = connectLive(app.url, token);
    expect(await connected(again)).toBe('unauthorized');
    again.close();
  });
});

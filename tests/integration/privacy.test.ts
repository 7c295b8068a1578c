import fs from 'node:fs';
import { api, closeDb, freeSlot, login, newPersonnummer, seedInfo, startApp } from '../support/harness';
import { Cuttable } from '../support/cuttable';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env';

/**
 * Issue 8 §7 (privacy and operations):
 * - secrets (JWT_SECRET, the SMS provider's password, the database password, access tokens) never
 *   appear in the log, even at LOG_LEVEL=debug, and identity numbers appear masked only;
 * - liveness (`/api/health/live`) and readiness (`/api/health`) are separate: readiness answers
 *   503 while PostgreSQL or Redis does not answer, liveness stays 200, and readiness comes back
 *   by itself when the dependency does.
 */

const { units } = seedInfo();

/**
 * The process's log as written: pino writes through sonic-boom straight to fd 1 / 2 with
 * `fs.write` / `fs.writeSync`, so the test listens there (and still passes everything on).
 */
function captureStdout(): { text: () => string; stop: () => void } {
  const chunks: string[] = [];
  const origWrite = fs.write;
  const origWriteSync = fs.writeSync;
  const keep = (fd: unknown, data: unknown) => {
    if ((fd === 1 || fd === 2) && (typeof data === 'string' || Buffer.isBuffer(data)))
      chunks.push(String(data));
  };
  (fs as { write: unknown }).write = function (fd: unknown, data: unknown, ...rest: unknown[]) {
    keep(fd, data);
    return (origWrite as (...a: unknown[]) => unknown).call(fs, fd, data, ...rest);
  };
  (fs as { writeSync: unknown }).writeSync = function (fd: unknown, data: unknown, ...rest: unknown[]) {
    keep(fd, data);
    return (origWriteSync as (...a: unknown[]) => unknown).call(fs, fd, data, ...rest);
  };
  const origStdout = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((data: unknown, ...rest: unknown[]) => {
    keep(1, data);
    return (origStdout as (...a: unknown[]) => boolean)(data, ...rest);
  }) as typeof process.stdout.write;
  return {
    text: () => chunks.join(''),
    stop: () => {
      (fs as { write: unknown }).write = origWrite;
      (fs as { writeSync: unknown }).writeSync = origWriteSync;
      process.stdout.write = origStdout as typeof process.stdout.write;
    },
  };
}

describe('logs', () => {
  it('never carry a secret, a token or an identity number in clear, even at debug level', async () => {
    const jwtSecret = 'jwt-secret-DO-NOT-LOG-0123456789abcdef';
    const smsPassword = 'sms-password-DO-NOT-LOG-42';
    const dbPassword = 'db-password-DO-NOT-LOG-7';
    const dbUrl = new URL(TEST_DATABASE_URL);
    dbUrl.password = dbPassword; // the test server trusts local connections, so any password works
    const pnr = newPersonnummer();
    const capture = captureStdout();
    let token: string | undefined;
    try {
      const app = await startApp({
        LOG_LEVEL: 'debug',
        JWT_SECRET: jwtSecret,
        SMS_PROVIDER_USER: 'vaxops',
        SMS_PROVIDER_PASSWORD: smsPassword,
        DATABASE_URL: dbUrl.toString(),
      });
      try {
        token = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
        // identity numbers in a URL, in a body, in an error; a forged token; a bad login
        await api(app.url, 'GET', `/api/patients/${pnr}`, { token });
        await api(app.url, 'GET', `/api/patients/${pnr.slice(2, 8)}-${pnr.slice(8)}/bookings`, { token });
        const slot = await freeSlot(units.U1);
        const booked = await api(app.url, 'POST', '/api/bookings', {
          token,
          body: {
            slotId: slot.slotId,
            visitTypeId: slot.visitTypeId,
            patient: { personalIdentityNumber: pnr },
          },
        });
        expect(booked.status).toBe(201);
        await api(app.url, 'DELETE', `/api/bookings/${booked.body.id}`, { token });
        await api(app.url, 'POST', '/api/bookings', {
          token,
          body: {
            slotId: 'x',
            visitTypeId: 'y',
            patient: { personalIdentityNumber: `${pnr.slice(0, 11)}0` },
          },
        });
        await api(app.url, 'GET', '/api/units', { token: `${token.slice(0, -4)}AAAA` });
        await api(app.url, 'POST', '/api/citizen/dev-login', { body: { personalIdentityNumber: pnr } });
      } finally {
        await app.close();
      }
    } finally {
      capture.stop();
    }
    const log = capture.text();
    // the log is really there: request lines at debug level, with the number masked
    expect(log).toMatch(/"url":"\/api\/patients\//);
    expect(log).toContain(`${pnr.slice(0, 8)}-****`);
    const leaks = [
      ['JWT_SECRET', jwtSecret],
      ['SMS_PROVIDER_PASSWORD', smsPassword],
      ['database password', dbPassword],
      ['access token', token ?? 'no token'],
      ['access token signature', token?.split('.')[2] ?? 'no token'],
      ['identity number (12 digits)', pnr],
      ['identity number (10 digits)', pnr.slice(2)],
      ['identity number (with dash)', `${pnr.slice(2, 8)}-${pnr.slice(8)}`],
    ].filter(([, secret]) => log.includes(secret));
    expect(leaks.map(([what]) => what)).toEqual([]);
  });
});

describe('liveness and readiness', () => {
  const pgUrl = new URL(TEST_DATABASE_URL);
  const redisUrl = new URL(TEST_REDIS_URL);
  const pg = new Cuttable(Number(pgUrl.port || 5432), pgUrl.hostname);
  const redis = new Cuttable(Number(redisUrl.port || 6379), redisUrl.hostname);
  let app: Awaited<ReturnType<typeof startApp>> | undefined;

  beforeAll(async () => {
    await pg.up();
    await redis.up();
    const dbUrl = new URL(TEST_DATABASE_URL);
    dbUrl.hostname = '127.0.0.1';
    dbUrl.port = String(pg.port);
    const rUrl = new URL(TEST_REDIS_URL);
    rUrl.hostname = '127.0.0.1';
    rUrl.port = String(redis.port);
    app = await startApp({ DATABASE_URL: dbUrl.toString(), REDIS_URL: rUrl.toString() });
  });
  afterAll(async () => {
    await pg.up().catch(() => undefined);
    await redis.up().catch(() => undefined);
    await app?.close();
    await pg.down();
    await redis.down();
    await closeDb();
  });

  const health = () => api(app!.url, 'GET', '/api/health');
  const live = () => api(app!.url, 'GET', '/api/health/live');
  async function readyAgain(): Promise<void> {
    for (let i = 0; i < 75; i++) {
      if ((await health()).status === 200) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('readiness did not come back within 15 s');
  }

  it('are both 200 when PostgreSQL and Redis answer', async () => {
    expect(await health()).toMatchObject({ status: 200, body: { postgres: 'up', redis: 'up' } });
    expect((await live()).status).toBe(200);
  });

  it('readiness is 503 while PostgreSQL is down, liveness stays 200, and readiness recovers', async () => {
    await pg.down();
    expect(await health()).toMatchObject({ status: 503, body: { postgres: 'down', redis: 'up' } });
    expect((await live()).status).toBe(200);
    await pg.up();
    const started = Date.now();
    await readyAgain();
    console.log(`readiness back ${Date.now() - started} ms after PostgreSQL returned`);
  });

  it('readiness is 503 while Redis is down, liveness stays 200, and readiness recovers', async () => {
    await redis.down();
    expect(await health()).toMatchObject({ status: 503, body: { postgres: 'up', redis: 'down' } });
    expect((await live()).status).toBe(200);
    await redis.up();
    const started = Date.now();
    await readyAgain();
    console.log(`readiness back ${Date.now() - started} ms after Redis returned`);
  });

  it('shutdown finishes while Redis is unreachable (workers are closed by force after the grace period)', async () => {
    await redis.down();
    await new Promise((r) => setTimeout(r, 300)); // every connection now reconnecting
    const started = Date.now();
    await app!.close();
    app = undefined;
    const took = Date.now() - started;
    console.log(`shutdown with Redis unreachable took ${took} ms`);
    expect(took).toBeLessThan(20_000); // 10 s grace for jobs in hand, then by force
  }, 30_000);
});

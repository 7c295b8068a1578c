import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { Redis } from 'ioredis';
import { isUnavailable } from '../../backend/src/common/unavailable';
import { DatabaseService } from '../../backend/src/infra/database.service';
import { sql } from '../../backend/src/infra/sql';
import { createTestDatabase } from '../support/database';
import { api, login, newPersonnummer, startApp } from '../support/harness';
import { freePort, PostgresServer, startPostgresServer } from '../support/processes';
import { TEST_REDIS_PREFIX, TEST_REDIS_URL } from '../support/test-env';

/**
 * Issue 8 §5, fault scenario: PostgreSQL restarted during a booking load. A private PostgreSQL
 * cluster (the shared one is never touched) is stopped and started again twice while clients
 * keep booking over HTTP: once with `pg_ctl -m fast` (sessions ended, checkpoint) and once with
 * `-m immediate` (a crash: recovery from the WAL at the next start).
 *
 * The clients behave as a careful client does: every booking carries an Idempotency-Key, and a
 * 503 (or a dropped connection) is retried with the same key until a definite answer. Afterwards:
 * every 201 is a booking that exists exactly once, no slot has two active bookings, no request
 * hung or got a 500, a request answered 409 wrote nothing, and every committed change reached the
 * outbox relay. Readiness says 503 during the outage and liveness stays 200. The time from
 * PostgreSQL being back to the first successful booking is printed.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A request that gets no answer in this time counts as a hang (and fails the test). */
const HANG_MS = 20_000;

interface Planned {
  slotId: string;
  visitTypeId: string;
  pnr: string;
  key: string;
}

interface Outcome {
  planned: Planned;
  /** every answer, in order: HTTP status, or 'network' (connection refused/reset) or 'hang' */
  answers: Array<number | 'network' | 'hang'>;
  final?: number;
  bookingId?: string;
  answeredAt?: number;
}

describe('fault: PostgreSQL restarted during a booking load', () => {
  let pg: PostgresServer | undefined;
  let pool: Pool | undefined;
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  const redisPrefix = `${TEST_REDIS_PREFIX}-pgrestart`;

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await pg?.destroy();
    // this test's Redis keys (its own prefix on the shared Redis)
    const redis = new Redis(TEST_REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  });

  let unitId: string;
  beforeAll(async () => {
    pg = await startPostgresServer(await freePort());
    const url = pg.url('vaxops_test_pgrestart');
    const seed = await createTestDatabase(url);
    unitId = seed.units.U1;
    pool = new Pool({ connectionString: url, max: 2 });
    pool.on('error', () => undefined);
    app = await startApp({ DATABASE_URL: url, REDIS_PREFIX: redisPrefix });
  }, 120_000);

  it('every 201 is one booking, no slot is booked twice, nothing hangs or 500s, and booking resumes within seconds', async () => {
    if (!pg || !pool || !app) throw new Error('setup failed');
    const base = app.url;
    const booker = (await login(base, 'SE2321000057-B001', unitId)).token;

    // Free slots with a visit type that fits; one in four requests goes for a slot another
    // request also wants, so the outage also meets contention.
    const { rows: slots } = await pool.query<{ slotId: string; visitTypeId: string }>(
      `SELECT s.id AS "slotId", v.id AS "visitTypeId"
         FROM slot s JOIN timebook_resource r ON r.id = s.resource_id
         JOIN LATERAL (SELECT id FROM visit_type v WHERE v.unit_id = s.unit_id AND v.resource = r.kind
                         AND v.retired_at IS NULL AND cardinality(v.allowed_weekdays) = 0 ORDER BY id LIMIT 1) v ON true
        WHERE s.unit_id = $1 AND s.status = 'FREE' AND s.starts_at > now() + interval '1 hour'
        ORDER BY s.starts_at, s."column"`,
      [unitId],
    );
    expect(slots.length).toBeGreaterThan(300);
    const plan: Planned[] = [];
    for (let i = 0; plan.length < slots.length; i++) {
      const slot = i % 4 === 3 ? slots[i - 1] : slots[i];
      plan.push({ ...slot, pnr: newPersonnummer(), key: `pgrestart-${randomUUID()}` });
    }

    const outcomes: Outcome[] = [];
    let stop = false;
    let next = 0;
    const bookOnce = async (p: Planned): Promise<{ status: number | 'network' | 'hang'; body?: any }> => {
      try {
        const res = await fetch(`${base}/api/bookings`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${booker}`,
            'idempotency-key': p.key,
          },
          body: JSON.stringify({
            slotId: p.slotId,
            visitTypeId: p.visitTypeId,
            patient: { personalIdentityNumber: p.pnr },
          }),
          signal: AbortSignal.timeout(HANG_MS),
        });
        const text = await res.text();
        let body: any = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        return { status: res.status, body };
      } catch (e) {
        return { status: (e as Error).name === 'TimeoutError' ? 'hang' : 'network' };
      }
    };
    const client = async () => {
      while (!stop && next < plan.length) {
        const o: Outcome = { planned: plan[next++], answers: [] };
        outcomes.push(o);
        // retried with the same key through the outage, until a definite answer
        for (;;) {
          const r = await bookOnce(o.planned);
          o.answers.push(r.status);
          if (r.status === 503 || r.status === 'network') {
            await sleep(200);
            continue;
          }
          o.final = typeof r.status === 'number' ? r.status : undefined;
          o.bookingId = r.status === 201 ? r.body.id : undefined;
          o.answeredAt = Date.now();
          break;
        }
        await sleep(20);
      }
    };
    const health = async () => {
      const [ready, live] = await Promise.all([
        api(base, 'GET', '/api/health'),
        api(base, 'GET', '/api/health/live'),
      ]);
      return { ready: ready.status, postgres: ready.body?.postgres, live: live.status };
    };
    const bookedSince = (t: number) => outcomes.filter((o) => o.final === 201 && o.answeredAt! >= t).length;
    const waitUntil = async (what: string, fn: () => boolean | Promise<boolean>, ms: number) => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        if (await fn()) return;
        await sleep(25);
      }
      const recent = outcomes.slice(-10).map((o) => o.answers.slice(-5).join(','));
      throw new Error(`timed out waiting: ${what}; the last requests' answers: ${recent.join(' | ')}`);
    };

    const clients = Array.from({ length: 8 }, () => client());
    const report: string[] = [];
    try {
      for (const mode of ['fast', 'immediate'] as const) {
        const before = Date.now();
        await waitUntil('bookings before the restart', () => bookedSince(before) >= 15, 30_000);

        await pg.stop(mode);
        const downAt = Date.now();
        // during the outage: not ready (the load balancer stops sending traffic), but alive
        await sleep(1500);
        const during = await health();
        expect(during).toEqual({ ready: 503, postgres: 'down', live: 200 });

        await pg.start();
        const backAt = Date.now();
        await waitUntil('a booking after PostgreSQL is back', () => bookedSince(backAt) >= 1, 30_000);
        const firstBookingMs = Date.now() - backAt;
        await waitUntil('readiness back', async () => (await health()).ready === 200, 30_000);
        const readyMs = Date.now() - backAt;
        report.push(
          `${mode}: down ${backAt - downAt} ms; first booking ${firstBookingMs} ms after PostgreSQL was back, readiness after ${readyMs} ms`,
        );
        await waitUntil('bookings after the restart', () => bookedSince(backAt) >= 15, 30_000);
      }
    } finally {
      stop = true;
      await Promise.all(clients);
    }

    const attempts = outcomes.flatMap((o) => o.answers);
    const count = (s: number | string) => attempts.filter((a) => a === s).length;
    // never a hang, never a 500: every answer is a success, a clean 409/4xx, or 503 (or a refused connection)
    expect(attempts.filter((a) => a === 'hang' || (typeof a === 'number' && a >= 500 && a !== 503))).toEqual(
      [],
    );
    // every request ended with a definite answer: booked, or the slot was taken by the other request
    const finals = new Set(outcomes.map((o) => o.final));
    expect([...finals].filter((s) => s !== 201 && s !== 409)).toEqual([]);

    const booked = outcomes.filter((o) => o.final === 201);
    const refused = outcomes.filter((o) => o.final === 409);
    const { rows } = await pool.query<{ pnr: string; id: string; slot_id: string; status: string }>(
      `SELECT p.identity_number AS pnr, b.id, b.slot_id, b.status::text
         FROM booking b JOIN patient p ON p.id = b.patient_id
        WHERE p.identity_number = ANY($1::text[])`,
      [outcomes.map((o) => o.planned.pnr)],
    );
    const byPnr = new Map<string, typeof rows>();
    for (const r of rows) byPnr.set(r.pnr, [...(byPnr.get(r.pnr) ?? []), r]);
    // every 201 exists exactly once, as answered
    const wrong = booked.filter((o) => {
      const b = byPnr.get(o.planned.pnr) ?? [];
      return (
        b.length !== 1 ||
        b[0].id !== o.bookingId ||
        b[0].slot_id !== o.planned.slotId ||
        b[0].status !== 'ACTIVE'
      );
    });
    expect(wrong.map((o) => ({ o, found: byPnr.get(o.planned.pnr) }))).toEqual([]);
    // a 409 wrote nothing; and nothing else was written
    expect(refused.filter((o) => byPnr.has(o.planned.pnr)).map((o) => o.planned)).toEqual([]);
    expect(rows).toHaveLength(booked.length);
    // no slot with two active bookings, and every booked slot says BOOKED
    const { rows: doubles } = await pool.query(
      `SELECT slot_id, count(*)::int AS n FROM booking WHERE status = 'ACTIVE' GROUP BY slot_id HAVING count(*) > 1`,
    );
    expect(doubles).toEqual([]);
    const { rows: slotState } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM slot WHERE id = ANY($1::text[]) AND status <> 'BOOKED'`,
      [booked.map((o) => o.planned.slotId)],
    );
    expect(slotState[0].n).toBe(0);
    // every committed change gets published (the relay reconnected after the restarts)
    await waitUntil(
      'the outbox relay to publish everything',
      async () =>
        (
          await pool!.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL',
          )
        ).rows[0].n === 0,
      30_000,
    );

    console.log(
      [
        `PostgreSQL restart during a booking load: ${outcomes.length} booking requests by 8 clients, ` +
          `${booked.length} booked (201), ${refused.length} slot taken (409); ` +
          `answers during the outages: ${count(503)} × 503, ${count('network')} × connection refused, 0 × 500, 0 hung`,
        ...report.map((r) => `  ${r}`),
      ].join('\n'),
    );
  }, 240_000);

  it('a transaction held open across a restart fails cleanly and the process lives on', async () => {
    if (!pg || !app) throw new Error('setup failed');
    const db = app.app.get(DatabaseService);
    let stopped!: () => void;
    const restarted = new Promise<void>((r) => (stopped = r));
    // a connection checked out of the pool, idle inside its transaction, when PostgreSQL goes away
    const held = db.tx(async (q) => {
      await q(sql`SELECT 1`);
      await restarted;
      return q(sql`SELECT 2`);
    });
    const outcome = held.then(
      () => 'committed',
      (e: unknown) => (isUnavailable(e) ? 'unavailable' : `other: ${(e as Error).message}`),
    );
    await sleep(100);
    await pg.stop('immediate');
    await sleep(500); // the dropped connection's error arrives while nobody awaits a query on it
    stopped();
    expect(await outcome).toBe('unavailable');
    await pg.start();
    // and the pool serves again, on fresh connections
    const deadline = Date.now() + 20_000;
    let ok = false;
    while (!ok && Date.now() < deadline) {
      ok = await db.ping().catch(() => false);
      if (!ok) await sleep(100);
    }
    expect(ok).toBe(true);
    expect((await api(app.url, 'GET', '/api/health')).status).toBe(200);
  }, 60_000);
});

import { api, closeDb, db, login, newPersonnummer, seedInfo, startApp } from '../support/harness';
import { dashboardClient, type DashboardClient } from '../support/live-dashboard';
import { Cuttable } from '../support/cuttable';
import { ChildHandle, freePort, startRedisServer } from '../support/processes';

/**
 * Issue 8 §5, fault scenario: Redis restarted during live fan-out. Two API instances share a
 * Redis of the test's own (the socket.io adapter carries each event from the instance that
 * publishes it to the other's sockets); dashboard-like clients on both watch a unit's day while
 * bookings are made through both. Redis is SIGKILLed and started again, empty, twice:
 *
 * 1. bookings are made while Redis is down, and none after it is back: every client must still
 *    end up holding every booking (an event lost on the way between instances must not leave a
 *    screen stale until some later change happens to reveal the gap);
 * 2. bookings go on after Redis is back: the time until live events reach every client again is
 *    printed.
 *
 * Bookings are answered while Redis is down (the rate limit lets requests through).
 */

const { units } = seedInfo();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A day of U1 with plenty of free nurse slots, and those slots with a visit type that fits. */
async function freeDay(): Promise<{ date: string; free: Array<{ slotId: string; visitTypeId: string }> }> {
  const { rows: days } = await db().query<{ date: string }>(
    `SELECT to_char(s.date, 'YYYY-MM-DD') AS date FROM slot s JOIN timebook_resource r ON r.id = s.resource_id
      WHERE s.unit_id = $1 AND r.kind = 'SKOTERSKA' AND s.status = 'FREE' AND s.starts_at > now() + interval '1 day'
      GROUP BY s.date HAVING count(*) >= 30 ORDER BY random() LIMIT 1`,
    [units.U1],
  );
  const date = days[0].date;
  const { rows: free } = await db().query<{ slotId: string; visitTypeId: string }>(
    `SELECT s.id AS "slotId", v.id AS "visitTypeId"
       FROM slot s JOIN timebook_resource r ON r.id = s.resource_id
       JOIN LATERAL (SELECT id FROM visit_type v WHERE v.unit_id = s.unit_id AND v.resource = r.kind
                       AND v.retired_at IS NULL AND cardinality(v.allowed_weekdays) = 0 ORDER BY id LIMIT 1) v ON true
      WHERE s.unit_id = $1 AND s.date = $2::date AND s.status = 'FREE' AND r.kind = 'SKOTERSKA'
      ORDER BY s.starts_at, s."column"`,
    [units.U1, date],
  );
  return { date, free };
}

afterAll(async () => {
  await closeDb();
});

async function until(
  what: string,
  fn: () => boolean,
  timeoutMs: number,
  state: () => string,
): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (fn()) return Date.now() - start;
    await sleep(20);
  }
  throw new Error(`timed out waiting: ${what}; clients: ${state()}`);
}

describe('fault: Redis restarted during live fan-out', () => {
  it('clients on both instances end with every booking, and live events flow again within seconds', async () => {
    const redisPort = await freePort();
    let redis: ChildHandle = await startRedisServer(redisPort);
    const env = { REDIS_URL: `redis://127.0.0.1:${redisPort}` };
    const a = await startApp(env);
    const b = await startApp(env);
    const clients: DashboardClient[] = [];
    try {
      const { date, free } = await freeDay();
      const watcher = (await login(a.url, 'SE2321000057-N001')).token;
      for (let i = 0; i < 8; i++)
        clients.push(dashboardClient(i % 2 ? b.url : a.url, watcher, units.U1, date));
      const state = () =>
        JSON.stringify(
          clients.map((c, i) => ({
            on: i % 2 ? 'B' : 'A',
            version: c.live.version,
            syncing: c.live.syncing,
            resynced: c.resynced,
            gaps: c.gaps,
            connected: c.socket.connected,
          })),
        );
      await until('first subscription', () => clients.every((c) => c.resynced >= 1), 10_000, state);

      const booker = (await login(a.url, 'SE2321000057-B001', units.U1)).token;
      const booked: string[] = [];
      const latencies: number[] = [];
      let nextSlot = 0;
      const book = async (via: string) => {
        const slot = free[nextSlot++];
        const t = Date.now();
        // a booking that gets no answer in 10 s hangs (and fails the test)
        const res = await fetch(`${via}/api/bookings`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${booker}` },
          body: JSON.stringify({ ...slot, patient: { personalIdentityNumber: newPersonnummer() } }),
          signal: AbortSignal.timeout(10_000),
        }).catch((e: Error) => {
          throw new Error(`booking through ${via === a.url ? 'A' : 'B'} got no answer: ${e.message}`);
        });
        latencies.push(Date.now() - t);
        expect(res.status).toBe(201);
        booked.push(slot.slotId);
        return slot.slotId;
      };
      const holdsAll = (c: DashboardClient) =>
        !c.live.syncing && booked.every((id) => c.live.state?.get(id) === 'BOOKED');

      // live before the fault
      await book(a.url);
      await book(b.url);
      await until('the first bookings on every screen', () => clients.every(holdsAll), 10_000, state);

      // 1. Redis dies; bookings are made while it is down; it comes back empty; nothing more happens
      await redis.kill('SIGKILL');
      const outageLatencies = latencies.length;
      for (let i = 0; i < 3; i++) {
        await book(a.url);
        await book(b.url);
      }
      const slowestDuringOutage = Math.max(...latencies.slice(outageLatencies));
      redis = await startRedisServer(redisPort);
      const convergedMs = await until(
        'every client holding the bookings made while Redis was down (no booking since)',
        () => clients.every(holdsAll),
        30_000,
        state,
      );

      // 2. Redis dies again and comes back; bookings go on: how long until live events flow again?
      await redis.kill('SIGKILL');
      await sleep(500);
      redis = await startRedisServer(redisPort);
      const backAt = Date.now();
      const madeAfter = new Set<string>();
      let flowing = false;
      const liveAgain = (c: DashboardClient) =>
        c.events.some((e) => e.changes.some((ch) => madeAfter.has(ch.slotId)));
      const booking = (async () => {
        for (let i = 0; !flowing && i < 60; i++) {
          madeAfter.add(await book(i % 2 ? b.url : a.url));
          await sleep(250);
        }
      })();
      const flowingMs = await until(
        'live events on every client after the restart',
        () => clients.every(liveAgain),
        30_000,
        state,
      );
      flowing = true;
      await booking;
      await until('every client holding every booking', () => clients.every(holdsAll), 30_000, state);
      // the truth, from the database: every client shows exactly the booked slots of the day as BOOKED
      const { rows: truth } = await db().query<{ id: string }>(
        `SELECT id FROM slot WHERE unit_id = $1 AND date = $2::date AND status = 'BOOKED'`,
        [units.U1, date],
      );
      for (const c of clients) {
        const shown = [...c.live.state!].filter(([, s]) => s === 'BOOKED').map(([id]) => id);
        expect(shown.sort()).toEqual(truth.map((r) => r.id).sort());
      }
      console.log(
        [
          `Redis restart during live fan-out: 2 API instances, ${clients.length} clients (4 on each), ${booked.length} bookings`,
          `  bookings while Redis was down answered 201 (slowest ${slowestDuringOutage} ms)`,
          `  restart 1 (bookings during the outage, none after): every client held every booking ${convergedMs} ms after Redis was back`,
          `  restart 2 (bookings going on): live events reached every client again ${flowingMs} ms after Redis was back (${Date.now() - backAt} ms incl. convergence check)`,
          `  resyncs after version gaps: ${clients.map((c) => c.gaps).join(', ')}`,
        ].join('\n'),
      );
    } finally {
      clients.forEach((c) => c.socket.close());
      await a.close();
      await b.close();
      await redis.kill('SIGTERM');
    }
  }, 180_000);

  it('an instance cut off from Redis for a while: its clients get what they missed once it is back, with no further change', async () => {
    const redisPort = await freePort();
    const redis = await startRedisServer(redisPort);
    // instance B reaches Redis through a proxy the test cuts; A (the publisher) directly
    const proxy = new Cuttable(redisPort);
    await proxy.up();
    const a = await startApp({ REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    const b = await startApp({ REDIS_URL: `redis://127.0.0.1:${proxy.port}`, OUTBOX_RELAY: 'false' });
    const clients: DashboardClient[] = [];
    try {
      const { date, free } = await freeDay();
      const watcher = (await login(a.url, 'SE2321000057-N001')).token;
      for (let i = 0; i < 4; i++) clients.push(dashboardClient(b.url, watcher, units.U1, date));
      const state = () => JSON.stringify(clients.map((c) => ({ version: c.live.version, gaps: c.gaps })));
      await until('first subscription', () => clients.every((c) => c.resynced >= 1), 10_000, state);
      const booker = (await login(a.url, 'SE2321000057-B001', units.U1)).token;
      const booked: string[] = [];
      const book = async () => {
        const slot = free[booked.length];
        const res = await api(a.url, 'POST', '/api/bookings', {
          token: booker,
          body: { ...slot, patient: { personalIdentityNumber: newPersonnummer() } },
        });
        expect(res.status).toBe(201);
        booked.push(slot.slotId);
      };
      const holdsAll = (c: DashboardClient) =>
        !c.live.syncing && booked.every((id) => c.live.state?.get(id) === 'BOOKED');
      await book();
      await until('the first booking on the clients of B', () => clients.every(holdsAll), 10_000, state);

      await proxy.down();
      for (let i = 0; i < 3; i++) await book(); // published by A while B hears nothing
      await sleep(500);
      expect(clients.some(holdsAll)).toBe(false);
      await proxy.up();
      const backAt = Date.now();
      await until(
        'the clients of B holding what was booked while B was cut off',
        () => clients.every(holdsAll),
        20_000,
        state,
      );
      console.log(
        `instance cut off from Redis: its ${clients.length} clients held the 3 bookings made meanwhile ${Date.now() - backAt} ms after it was back, with no further change`,
      );
    } finally {
      clients.forEach((c) => c.socket.close());
      await proxy.up();
      await a.close();
      await b.close();
      await proxy.down();
      await redis.kill('SIGTERM');
    }
  }, 90_000);
});

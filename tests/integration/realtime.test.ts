import type { TimebookChanged } from '../../backend/src/realtime/events';
import {
  api,
  closeDb,
  connected,
  db,
  connectLive,
  freeSlot,
  LiveClient,
  login,
  newPersonnummer,
  seedInfo,
  startApp,
  subscribe,
  waitFor,
} from '../support/harness';

let app: Awaited<ReturnType<typeof startApp>>;
const { units } = seedInfo();
const sockets: LiveClient[] = [];

beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await app.close();
  await closeDb();
});

function live(token?: string) {
  const s = connectLive(app.url, token);
  sockets.push(s);
  return s;
}

describe('realtime access', () => {
  it('a socket without a token, or with a forged one, is refused with "unauthorized"', async () => {
    expect(await connected(live())).toBe('unauthorized');
    expect(await connected(live('not.a.token'))).toBe('unauthorized');
  });

  it("a booker at unit A gets 'forbidden' for unit B's timebook, and 403 on its REST endpoints", async () => {
    const { token } = await login(app.url, 'SE2321000057-B002'); // BOOKING at U2 only
    const s = live(token);
    expect(await connected(s)).toBe(true);
    expect(await subscribe(s, { topic: 'timebook', unitId: units.U1 })).toMatchObject({
      ok: false,
      error: 'forbidden',
    });
    expect(await subscribe(s, { topic: 'timebook', unitId: units.U2 })).toMatchObject({ ok: true });
    const today = new Date().toISOString().slice(0, 10);
    for (const path of [
      `/api/units/${units.U1}/slots?date=${today}`,
      `/api/units/${units.U1}/availability?from=${today}&to=${today}`,
      `/api/units/${units.U1}/visit-types`,
    ]) {
      expect((await api(app.url, 'GET', path, { token })).status).toBe(403);
    }
    const { slotId, visitTypeId } = await freeSlot(units.U1);
    const booking = await api(app.url, 'POST', '/api/bookings', {
      token,
      body: { slotId, visitTypeId, patient: { personalIdentityNumber: newPersonnummer() } },
    });
    expect(booking.status).toBe(403);
  });

  it('smittskydd sees no timebook, and nonsense subscriptions are invalid', async () => {
    const { token } = await login(app.url, 'SE2321000057-R001');
    const s = live(token);
    await connected(s);
    expect(await subscribe(s, { topic: 'timebook', unitId: units.U1 })).toMatchObject({
      ok: false,
      error: 'forbidden',
    });
    expect(await subscribe(s, { topic: 'nonsense' } as never)).toMatchObject({ ok: false, error: 'invalid' });
    expect(await subscribe(s, { topic: 'timebook' })).toMatchObject({ ok: false, error: 'invalid' });
  });
});

describe('live timebook', () => {
  it('a booking made by one user appears in another subscribed dashboard within a second', async () => {
    const booker = await login(app.url, 'SE2321000057-B001', units.U1);
    const watcher = await login(app.url, 'SE2321000057-N001');
    const { slotId, visitTypeId, date } = await freeSlot(units.U1);
    const s = live(watcher.token);
    await connected(s);
    const ack = await subscribe(s, { topic: 'timebook', unitId: units.U1, date });
    expect(ack.ok).toBe(true);
    expect(ack.snapshot.slots.find((x: any) => x.id === slotId).status).toBe('FREE');
    const seen: TimebookChanged[] = [];
    s.on('timebook.changed', (e) => seen.push(e));
    const t0 = Date.now();
    const res = await api(app.url, 'POST', '/api/bookings', {
      token: booker.token,
      body: { slotId, visitTypeId, patient: { personalIdentityNumber: newPersonnummer() } },
    });
    expect(res.status).toBe(201);
    const e = await waitFor(() => seen.find((x) => x.changes.some((c) => c.slotId === slotId)), 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(e.version).toBe(ack.version + 1);
    expect(e.changes[0]).toMatchObject({ slotId, from: 'FREE', to: 'BOOKED', date, bookingId: res.body.id });
  });

  it('a subscriber sees every version once, in order, under concurrent bookings', async () => {
    const booker = await login(app.url, 'SE2321000057-B001', units.U1);
    const s = live(booker.token);
    await connected(s);
    const ack = await subscribe(s, { topic: 'timebook', unitId: units.U1 });
    const versions: number[] = [];
    s.on('timebook.changed', (e) => versions.push(e.version));
    const picked: string[] = [];
    const slots = [];
    for (let i = 0; i < 12; i++) {
      const f = await freeSlot(units.U1, picked);
      picked.push(f.slotId);
      slots.push(f);
    }
    const results = await Promise.all(
      slots.map((f) =>
        api(app.url, 'POST', '/api/bookings', {
          token: booker.token,
          body: {
            slotId: f.slotId,
            visitTypeId: f.visitTypeId,
            patient: { personalIdentityNumber: newPersonnummer() },
          },
        }),
      ),
    );
    expect(results.map((r) => (r.status === 201 ? 201 : `${r.status} ${JSON.stringify(r.body)}`))).toEqual(
      results.map(() => 201),
    );
    await waitFor(() => (versions.length >= 12 ? true : undefined), 3000);
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => ack.version + 1 + i));
  });

  it('after a reconnect the subscriber gets the current state, including what changed meanwhile', async () => {
    const booker = await login(app.url, 'SE2321000057-B001', units.U1);
    const { slotId, visitTypeId, date } = await freeSlot(units.U1);
    const s1 = live(booker.token);
    await connected(s1);
    const first = await subscribe(s1, { topic: 'timebook', unitId: units.U1, date });
    s1.close();
    await api(app.url, 'POST', '/api/bookings', {
      token: booker.token,
      body: { slotId, visitTypeId, patient: { personalIdentityNumber: newPersonnummer() } },
    });
    const s2 = live(booker.token);
    await connected(s2);
    const second = await subscribe(s2, { topic: 'timebook', unitId: units.U1, date });
    expect(second.version).toBeGreaterThan(first.version);
    expect(second.snapshot.slots.find((x: any) => x.id === slotId).status).toBe('BOOKED');
    const day = second.snapshot.days.find((d: any) => d.date === date);
    expect(day.booked + day.free + day.held + day.blocked).toBe(day.opened);
  });

  it('presence: who else is looking at the same timebook', async () => {
    const a = await login(app.url, 'SE2321000057-B001', units.U1);
    const b = await login(app.url, 'SE2321000057-N001');
    const sa = live(a.token);
    const sb = live(b.token);
    await Promise.all([connected(sa), connected(sb)]);
    await subscribe(sa, { topic: 'presence', unitId: units.U1 });
    const updates: any[] = [];
    sa.on('presence.changed', (e) => updates.push(e));
    const ack = await subscribe(sb, { topic: 'presence', unitId: units.U1 });
    expect(ack.snapshot.viewers.map((v: any) => v.name)).toEqual(
      expect.arrayContaining(['Birgitta Bokare', 'Nina Sjöberg']),
    );
    await waitFor(() => updates.find((u) => u.viewers.some((v: any) => v.name === 'Nina Sjöberg')));
    sb.close();
    await waitFor(() => updates.find((u) => !u.viewers.some((v: any) => v.name === 'Nina Sjöberg')));
  });
});

describe('hold expiry (R14)', () => {
  it('the worker releases an expired hold and every dashboard sees the slot free again', async () => {
    const sweeper = await startApp({ HOLD_SWEEP_SECONDS: '1', PROCESS_ROLE: 'worker' });
    try {
      const booker = await login(app.url, 'SE2321000057-B001', units.U1);
      const { slotId, date } = await freeSlot(units.U1);
      const s = live(booker.token);
      await connected(s);
      await subscribe(s, { topic: 'timebook', unitId: units.U1, date });
      const seen: TimebookChanged[] = [];
      s.on('timebook.changed', (e) => seen.push(e));
      const hold = await api(app.url, 'POST', `/api/slots/${slotId}/hold`, { token: booker.token });
      expect(hold.status).toBe(201);
      await waitFor(() => seen.find((e) => e.cause === 'hold.created' && e.changes[0]?.slotId === slotId));
      await db().query(`UPDATE slot SET held_until = now() - interval '1 second' WHERE id = $1`, [slotId]);
      const released = await waitFor(
        () => seen.find((e) => e.cause === 'hold.expired' && e.changes.some((c) => c.slotId === slotId)),
        5000,
      );
      expect(released.changes.find((c) => c.slotId === slotId)).toMatchObject({ from: 'HELD', to: 'FREE' });
      const { rows } = await db().query(`SELECT status, hold_id FROM slot WHERE id = $1`, [slotId]);
      expect(rows[0]).toEqual({ status: 'FREE', hold_id: null });
    } finally {
      await sweeper.close();
    }
  });
});

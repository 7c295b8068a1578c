import type { TimebookChanged } from '../../backend/src/realtime/events';
import { addDays, todayInStockholm } from '../../backend/src/timebook/dates';
import { isoWeekday } from '../../backend/src/timebook/slot-template';
import {
  api,
  closeDb,
  connected,
  connectLive,
  db,
  login,
  newPersonnummer,
  seedInfo,
  startApp,
  subscribe,
  waitFor,
} from '../support/harness';

let app: Awaited<ReturnType<typeof startApp>>;
let admin: string;
const { units } = seedInfo();

beforeAll(async () => {
  app = await startApp();
  admin = (await login(app.url, 'SE2321000057-T001')).token;
});
afterAll(async () => {
  await app.close();
  await closeDb();
});

/** The first Monday at least 40 days ahead: beyond the seeded timebook. */
function futureMonday(): string {
  let d = addDays(todayInStockholm(), 40);
  while (isoWeekday(d) !== 1) d = addDays(d, 1);
  return d;
}

describe('timebook administration (R10, R15, R16)', () => {
  it('opens slots from a weekly template once; a second run keeps what is there', async () => {
    const monday = futureMonday();
    const body = {
      resource: 'SKOTERSKA',
      from: monday,
      to: addDays(monday, 6),
      slotMinutes: 15,
      columns: 2,
      weekdays: { '1': [{ start: '08:00', end: '09:00' }], '3': [{ start: '13:00', end: '14:00' }] },
    };
    const first = await api(app.url, 'POST', `/api/units/${units.U1}/timebook/slots`, { token: admin, body });
    expect(first).toMatchObject({ status: 201, body: { created: 16, skipped: 0 } });
    const again = await api(app.url, 'POST', `/api/units/${units.U1}/timebook/slots`, { token: admin, body });
    expect(again.body).toEqual({ created: 0, skipped: 16 });
    const day = await api(app.url, 'GET', `/api/units/${units.U1}/slots?date=${monday}`, { token: admin });
    expect(day.body.slots.map((s: any) => s.start.slice(11, 16))).toContain('08:45');
    const avail = await api(
      app.url,
      'GET',
      `/api/units/${units.U1}/availability?from=${monday}&to=${monday}`,
      { token: admin },
    );
    expect(avail.body.days[0]).toMatchObject({ opened: 8, free: 8 });
    const bad = await api(app.url, 'POST', `/api/units/${units.U1}/timebook/slots`, {
      token: admin,
      body: { ...body, weekdays: { '1': [{ start: '09:00', end: '08:00' }] } },
    });
    expect(bad.status).toBe(400);
    const booker = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
    expect(
      (await api(app.url, 'POST', `/api/units/${units.U1}/timebook/slots`, { token: booker, body })).status,
    ).toBe(403);
  });

  it('a block with a note blocks free slots live, keeps booked ones, and lifting it frees them', async () => {
    const monday = addDays(futureMonday(), 7);
    await api(app.url, 'POST', `/api/units/${units.U1}/timebook/slots`, {
      token: admin,
      body: {
        resource: 'SKOTERSKA',
        from: monday,
        to: monday,
        slotMinutes: 30,
        columns: 1,
        weekdays: { '1': [{ start: '08:00', end: '10:00' }] },
      },
    });
    const day = await api(app.url, 'GET', `/api/units/${units.U1}/slots?date=${monday}`, { token: admin });
    const mine = day.body.slots.filter((s: any) => s.resource === 'SKOTERSKA' && s.column === 1);
    const { rows } = await db().query(
      `SELECT id FROM visit_type WHERE unit_id = $1 AND resource = 'SKOTERSKA' AND cardinality(allowed_weekdays) = 0 AND retired_at IS NULL LIMIT 1`,
      [units.U1],
    );
    const booker = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
    const booked = await api(app.url, 'POST', '/api/bookings', {
      token: booker,
      body: {
        slotId: mine[0].id,
        visitTypeId: rows[0].id,
        patient: { personalIdentityNumber: newPersonnummer() },
      },
    });
    expect(booked.status).toBe(201);

    const s = connectLive(app.url, booker);
    await connected(s);
    await subscribe(s, { topic: 'timebook', unitId: units.U1, date: monday });
    const seen: TimebookChanged[] = [];
    s.on('timebook.changed', (e) => seen.push(e));
    const block = await api(app.url, 'POST', `/api/units/${units.U1}/timebook/blocks`, {
      token: admin,
      body: { date: monday, from: '08:00', to: '09:00', resource: 'SKOTERSKA', note: 'Personalmöte' },
    });
    expect(block.status).toBe(201);
    expect(block.body.alreadyBooked).toBe(1);
    const e = await waitFor(() => seen.find((x) => x.cause === 'block.created'));
    expect(e.changes.every((c) => c.to === 'BLOCKED' && c.note === 'Personalmöte')).toBe(true);
    const after = await api(app.url, 'GET', `/api/units/${units.U1}/slots?date=${monday}`, { token: admin });
    expect(after.body.slots.find((x: any) => x.id === mine[0].id).status).toBe('BOOKED');
    expect(after.body.slots.find((x: any) => x.id === mine[1].id)).toMatchObject({
      status: 'BLOCKED',
      note: 'Personalmöte',
    });
    const list = await api(app.url, 'GET', `/api/units/${units.U1}/timebook/blocks?date=${monday}`, {
      token: admin,
    });
    expect(list.body.find((b: any) => b.id === block.body.id)).toMatchObject({
      note: 'Personalmöte',
      slots:
        2 +
        after.body.slots.filter(
          (x: any) => x.resource === 'SKOTERSKA' && x.column > 1 && x.start.slice(11, 13) === '08',
        ).length,
    });
    const lifted = await api(app.url, 'DELETE', `/api/timebook/blocks/${block.body.id}`, { token: admin });
    expect(lifted.status).toBe(200);
    const end = await api(app.url, 'GET', `/api/units/${units.U1}/slots?date=${monday}`, { token: admin });
    expect(end.body.slots.find((x: any) => x.id === mine[1].id).status).toBe('FREE');
    s.close();
  });

  it('a day note is kept, and a day closed for web booking refuses citizens but not staff', async () => {
    const monday = addDays(futureMonday(), 14);
    await api(app.url, 'POST', `/api/units/${units.U1}/timebook/slots`, {
      token: admin,
      body: {
        resource: 'SKOTERSKA',
        from: monday,
        to: monday,
        slotMinutes: 30,
        columns: 1,
        weekdays: { '1': [{ start: '08:00', end: '09:00' }] },
      },
    });
    const put = await api(app.url, 'PUT', `/api/units/${units.U1}/timebook/days/${monday}`, {
      token: admin,
      body: { note: 'Extra personal från 10', webBookingClosed: true },
    });
    expect(put.body).toEqual({ date: monday, note: 'Extra personal från 10', webBookingClosed: true });
    const days = await api(
      app.url,
      'GET',
      `/api/units/${units.U1}/timebook/days?from=${monday}&to=${monday}`,
      { token: admin },
    );
    expect(days.body).toEqual([put.body]);

    const pnr = newPersonnummer();
    const citizen = await api(app.url, 'POST', '/api/citizen/dev-login', {
      body: { personalIdentityNumber: pnr },
    });
    const slots = await api(app.url, 'GET', `/api/units/${units.U1}/slots?date=${monday}`, { token: admin });
    const slot = slots.body.slots.find((x: any) => x.status === 'FREE' && x.resource === 'SKOTERSKA');
    const { rows } = await db().query(
      `SELECT id FROM visit_type WHERE unit_id = $1 AND resource = 'SKOTERSKA' AND web_bookable AND cardinality(allowed_weekdays) = 0 AND retired_at IS NULL LIMIT 1`,
      [units.U1],
    );
    const web = await api(app.url, 'POST', '/api/bookings', {
      token: citizen.body.accessToken,
      body: { slotId: slot.id, visitTypeId: rows[0].id, patient: { personalIdentityNumber: pnr } },
    });
    expect(web.status).toBe(422);
    await api(app.url, 'PUT', `/api/units/${units.U1}/timebook/days/${monday}`, {
      token: admin,
      body: { webBookingClosed: false },
    });
    const open = await api(app.url, 'POST', '/api/bookings', {
      token: citizen.body.accessToken,
      body: { slotId: slot.id, visitTypeId: rows[0].id, patient: { personalIdentityNumber: pnr } },
    });
    expect(open.status).toBe(201);
    const notes = await api(
      app.url,
      'GET',
      `/api/units/${units.U1}/timebook/days?from=${monday}&to=${monday}`,
      { token: admin },
    );
    expect(notes.body[0]).toMatchObject({ note: 'Extra personal från 10', webBookingClosed: false });
  });
});

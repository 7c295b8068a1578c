import { api, closeDb, db, freeSlot, login, newPersonnummer, seedInfo, startApp } from '../support/harness';

let app: Awaited<ReturnType<typeof startApp>>;
let admin: string;
let booker: string;
const { units } = seedInfo();

beforeAll(async () => {
  app = await startApp();
  admin = (await login(app.url, 'SE2321000057-T001')).token;
  booker = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
});
afterAll(async () => {
  await app.close();
  await closeDb();
});

async function createType(name: string) {
  const res = await api(app.url, 'POST', `/api/units/${units.U1}/visit-types`, {
    token: admin,
    body: { name, resource: 'SKOTERSKA', durationMinutes: 10 },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('visit types (R11, R12)', () => {
  it('R12: deleting a visit type with a future booking → 409, and the booking keeps its slot', async () => {
    const typeId = await createType(`Test ${Date.now()}`);
    const { slotId } = await freeSlot(units.U1, [], 'SKOTERSKA');
    const booked = await api(app.url, 'POST', '/api/bookings', {
      token: booker,
      body: { slotId, visitTypeId: typeId, patient: { personalIdentityNumber: newPersonnummer() } },
    });
    expect(booked.status).toBe(201);
    const del = await api(app.url, 'DELETE', `/api/visit-types/${typeId}`, { token: admin });
    expect(del.status).toBe(409);
    expect(del.body).toMatchObject({ statusCode: 409, futureBookings: 1 });
    const { rows } = await db().query(
      `SELECT s.status, b.status AS booking FROM slot s JOIN booking b ON b.slot_id = s.id WHERE b.id = $1`,
      [booked.body.id],
    );
    expect(rows[0]).toEqual({ status: 'BOOKED', booking: 'ACTIVE' });
    const types = await api(app.url, 'GET', `/api/units/${units.U1}/visit-types`, { token: booker });
    expect(types.body.some((t: any) => t.id === typeId)).toBe(true);
  });

  it('a retired visit type keeps its bookings but takes no new ones (422)', async () => {
    const typeId = await createType(`Retire ${Date.now()}`);
    const retired = await api(app.url, 'PATCH', `/api/visit-types/${typeId}`, {
      token: admin,
      body: { retired: true },
    });
    expect(retired.status).toBe(200);
    const { slotId } = await freeSlot(units.U1, [], 'SKOTERSKA');
    const res = await api(app.url, 'POST', '/api/bookings', {
      token: booker,
      body: { slotId, visitTypeId: typeId, patient: { personalIdentityNumber: newPersonnummer() } },
    });
    expect(res.status).toBe(422);
    expect(res.body.field).toBe('visitTypeId');
  });

  it('a type nobody booked is deleted; a rename shows at once; a booker may not administer types', async () => {
    const typeId = await createType(`Delete ${Date.now()}`);
    const renamed = await api(app.url, 'PATCH', `/api/visit-types/${typeId}`, {
      token: admin,
      body: { name: 'Covid-19 dos 2, endast ons–fre', allowedWeekdays: [5, 3, 4, 3] },
    });
    expect(renamed.body).toMatchObject({
      name: 'Covid-19 dos 2, endast ons–fre',
      allowedWeekdays: [3, 4, 5],
    });
    expect((await api(app.url, 'DELETE', `/api/visit-types/${typeId}`, { token: booker })).status).toBe(403);
    const del = await api(app.url, 'DELETE', `/api/visit-types/${typeId}`, { token: admin });
    expect(del).toMatchObject({ status: 200, body: { deleted: true } });
    const bad = await api(app.url, 'POST', `/api/units/${units.U1}/visit-types`, {
      token: admin,
      body: { name: 'X', resource: 'TANDLAKARE', allowedWeekdays: [8] },
    });
    expect(bad.status).toBe(400);
  });
});

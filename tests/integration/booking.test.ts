import { api, closeDb, db, freeSlot, login, newPersonnummer, seedInfo, startApp } from '../support/harness';

let app: Awaited<ReturnType<typeof startApp>>;
let token: string;
const { units } = seedInfo();

beforeAll(async () => {
  app = await startApp();
  token = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
});
afterAll(async () => {
  await app.close();
  await closeDb();
});

async function counts() {
  const { rows } = await db().query(
    `SELECT (SELECT count(*) FROM booking)::int AS bookings, (SELECT count(*) FROM patient)::int AS patients,
            (SELECT count(*) FROM outbox_event)::int AS events`,
  );
  return rows[0];
}

describe('booking a slot (R13)', () => {
  it('ten bookers, one slot: exactly one 201, nine 409 SLOT_TAKEN with alternatives', async () => {
    const { slotId, visitTypeId } = await freeSlot(units.U1);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        api(app.url, 'POST', '/api/bookings', {
          token,
          body: { slotId, visitTypeId, patient: { personalIdentityNumber: newPersonnummer() } },
        }),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    const taken = results.filter((r) => r.status === 409);
    expect(created).toHaveLength(1);
    expect(taken).toHaveLength(9);
    expect(created[0]!.body).toMatchObject({ slotId, status: 'ACTIVE' });
    for (const r of taken) {
      expect(r.body).toMatchObject({ statusCode: 409, code: 'SLOT_TAKEN' });
      expect(r.body.alternatives.length).toBeGreaterThan(0);
      expect(r.body.alternatives.every((a: any) => a.status === 'FREE' && a.id !== slotId)).toBe(true);
    }
    const { rows } = await db().query(
      `SELECT count(*)::int AS n FROM booking WHERE slot_id = $1 AND status = 'ACTIVE'`,
      [slotId],
    );
    expect(rows[0].n).toBe(1);
    // they are the nearest free times of that resource: the same distances a plain scan finds
    const { rows: nearest } = await db().query(
      `SELECT abs(extract(epoch FROM s2.starts_at - t.starts_at))::int AS d
         FROM slot t JOIN slot s2 ON s2.unit_id = t.unit_id AND s2.resource_id = t.resource_id AND s2.id <> t.id
        WHERE t.id = $1 AND s2.starts_at > now() AND s2.date BETWEEN t.date - 7 AND t.date + 14
          AND (s2.status = 'FREE' OR (s2.status = 'HELD' AND s2.held_until <= now()))
          AND NOT EXISTS (SELECT 1 FROM visit_type v WHERE v.id = $2 AND cardinality(v.allowed_weekdays) > 0
                            AND NOT extract(isodow FROM s2.date)::int = ANY (v.allowed_weekdays))
        ORDER BY 1 LIMIT 5`,
      [slotId, visitTypeId],
    );
    const { rows: lost } = await db().query(`SELECT starts_at FROM slot WHERE id = $1`, [slotId]);
    const offered = (taken[0]!.body.alternatives as Array<{ start: string }>)
      .map((a) => Math.round(Math.abs(new Date(a.start).getTime() - lost[0].starts_at.getTime()) / 1000))
      .sort((x, y) => x - y);
    expect(offered).toEqual(nearest.map((r) => r.d));
  });

  it('100 concurrent attempts on 10 slots: exactly 10 bookings, every loser gets 409 with alternatives', async () => {
    const picked: string[] = [];
    const slots = [];
    for (let i = 0; i < 10; i++) {
      const f = await freeSlot(units.U1, picked);
      picked.push(f.slotId);
      slots.push(f);
    }
    const attempts = slots.flatMap((f) =>
      Array.from({ length: 10 }, () => ({ ...f, pnr: newPersonnummer() })),
    );
    const startedAt = new Date();
    const results = await Promise.all(
      attempts.map((f) =>
        api(app.url, 'POST', '/api/bookings', {
          token,
          body: {
            slotId: f.slotId,
            visitTypeId: f.visitTypeId,
            patient: { personalIdentityNumber: f.pnr },
          },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    const losers = results.filter((r) => r.status !== 201);
    // every loser a 409 SLOT_TAKEN with alternatives; any other answer is shown whole
    const odd = losers.filter(
      (r) => !(r.status === 409 && r.body.code === 'SLOT_TAKEN' && Array.isArray(r.body.alternatives)),
    );
    expect(odd.map((r) => ({ status: r.status, body: r.body }))).toEqual([]);
    expect(losers).toHaveLength(90);
    const { rows } = await db().query(
      `SELECT slot_id, count(*)::int AS n FROM booking WHERE slot_id = ANY($1::text[]) AND status = 'ACTIVE' GROUP BY slot_id`,
      [picked],
    );
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    // a lost attempt registered no one (numbers that some earlier test happened to use aside)
    const losing = attempts.filter((_, i) => results[i]!.status !== 201).map((a) => a.pnr);
    const registered = await db().query(
      `SELECT identity_number FROM patient WHERE identity_number = ANY($1::text[]) AND created_at >= $2`,
      [losing, startedAt],
    );
    expect(registered.rows).toEqual([]);
  });

  it('the booked slot shows as BOOKED, and cancelling frees it again', async () => {
    const { slotId, visitTypeId, date } = await freeSlot(units.U1);
    const booked = await api(app.url, 'POST', '/api/bookings', {
      token,
      body: {
        slotId,
        visitTypeId,
        patient: { personalIdentityNumber: newPersonnummer(), phone: '070-174 06 10' },
      },
    });
    expect(booked.status).toBe(201);
    const day = await api(app.url, 'GET', `/api/units/${units.U1}/slots?date=${date}`, { token });
    expect(day.body.slots.find((s: any) => s.id === slotId)).toMatchObject({
      status: 'BOOKED',
      bookingId: booked.body.id,
    });

    const details = await api(app.url, 'GET', `/api/bookings/${booked.body.id}`, { token });
    expect(details.body).toMatchObject({ status: 'ACTIVE', phone: '+46701740610' });

    const cancelled = await api(app.url, 'DELETE', `/api/bookings/${booked.body.id}`, { token });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'CANCELLED' } });
    const again = await api(app.url, 'DELETE', `/api/bookings/${booked.body.id}`, { token });
    expect(again.status).toBe(200);
    const after = await api(app.url, 'GET', `/api/units/${units.U1}/slots?date=${date}`, { token });
    expect(after.body.slots.find((s: any) => s.id === slotId).status).toBe('FREE');
    const { rows } = await db().query(
      `SELECT (SELECT count(*)::int FROM outbox_event WHERE event_type = 'booking.cancelled'
                 AND payload->'changes'->0->>'bookingId' = $1) AS events,
              (SELECT count(*)::int FROM notification WHERE booking_id = $1 AND kind = 'CANCELLATION') AS sms`,
      [booked.body.id],
    );
    // cancelled twice, published once, one cancellation SMS (R17)
    expect(rows[0]).toEqual({ events: 1, sms: 1 });
  });

  it('availability counts move with a booking', async () => {
    const { slotId, visitTypeId, date } = await freeSlot(units.U1);
    const before = await api(app.url, 'GET', `/api/units/${units.U1}/availability?from=${date}&to=${date}`, {
      token,
    });
    await api(app.url, 'POST', '/api/bookings', {
      token,
      body: { slotId, visitTypeId, patient: { personalIdentityNumber: newPersonnummer() } },
    });
    const after = await api(app.url, 'GET', `/api/units/${units.U1}/availability?from=${date}&to=${date}`, {
      token,
    });
    expect(after.body.version).toBeGreaterThan(before.body.version);
    expect(after.body.days[0].booked).toBe(before.body.days[0].booked + 1);
    expect(after.body.days[0].free).toBe(before.body.days[0].free - 1);
    expect(after.body.days[0].opened).toBe(before.body.days[0].opened);
  });
});

describe('bad input is refused, says why, and writes nothing', () => {
  it('an invalid identity number → 400 naming the field', async () => {
    const { slotId, visitTypeId } = await freeSlot(units.U1);
    const before = await counts();
    const res = await api(app.url, 'POST', '/api/bookings', {
      token,
      body: { slotId, visitTypeId, patient: { personalIdentityNumber: '19900101-0018' } },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      field: 'patient.personalIdentityNumber',
    });
    expect(res.body.message).toMatch(/check digit/);
    expect(await counts()).toEqual(before);
  });

  it('an unknown slot → 404 naming the slot', async () => {
    const { visitTypeId } = await freeSlot(units.U1);
    const before = await counts();
    const res = await api(app.url, 'POST', '/api/bookings', {
      token,
      body: { slotId: 'no-such-slot', visitTypeId, patient: { personalIdentityNumber: newPersonnummer() } },
    });
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/slot/);
    // the patient may be registered (a valid number), but no booking and no event
    const after = await counts();
    expect(after.bookings).toBe(before.bookings);
    expect(after.events).toBe(before.events);
  });

  it('a malformed date → 400 naming the parameter', async () => {
    for (const date of ['2026-13-01', 'tomorrow', '2026-02-30']) {
      const res = await api(app.url, 'GET', `/api/units/${units.U1}/slots?date=${date}`, { token });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/date/);
    }
  });

  it('missing fields, wrong types and malformed JSON → 400, never 500', async () => {
    const before = await counts();
    const bodies = [
      {},
      { slotId: 42 },
      { slotId: 'x', visitTypeId: 'y' },
      { slotId: 'x', visitTypeId: 'y', patient: {} },
    ];
    for (const body of bodies) {
      const res = await api(app.url, 'POST', '/api/bookings', { token, body });
      expect(res.status).toBe(400);
      expect(typeof res.body.message).toBe('string');
    }
    const malformed = await api(app.url, 'POST', '/api/bookings', { token, rawBody: '{"slotId": ' });
    expect(malformed.status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('a phone number that is not a mobile number → 400 on patient.phone', async () => {
    const { slotId, visitTypeId } = await freeSlot(units.U1);
    const res = await api(app.url, 'POST', '/api/bookings', {
      token,
      body: { slotId, visitTypeId, patient: { personalIdentityNumber: newPersonnummer(), phone: '12' } },
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('patient.phone');
  });

  it('a visit type of another resource or weekday → 422, the slot stays free', async () => {
    const { rows } = await db().query(
      `SELECT s.id AS "slotId", v.id AS "visitTypeId" FROM slot s
         JOIN timebook_resource r ON r.id = s.resource_id
         JOIN visit_type v ON v.unit_id = s.unit_id AND v.resource <> r.kind
        WHERE s.unit_id = $1 AND s.status = 'FREE' AND s.starts_at > now() LIMIT 1`,
      [units.U1],
    );
    const res = await api(app.url, 'POST', '/api/bookings', {
      token,
      body: { ...rows[0], patient: { personalIdentityNumber: newPersonnummer() } },
    });
    expect(res.status).toBe(422);
    expect(res.body.field).toBe('visitTypeId');
    const slot = await db().query(`SELECT status FROM slot WHERE id = $1`, [rows[0].slotId]);
    expect(slot.rows[0].status).toBe('FREE');
  });
});

describe('holds (R14)', () => {
  it('a held slot shows as held, cannot be booked by another, and can be booked by its holder', async () => {
    const { slotId, visitTypeId, date } = await freeSlot(units.U1);
    const other = (await login(app.url, 'SE2321000057-N001')).token;
    const hold = await api(app.url, 'POST', `/api/slots/${slotId}/hold`, { token });
    expect(hold.status).toBe(201);
    expect(new Date(hold.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);
    const day = await api(app.url, 'GET', `/api/units/${units.U1}/slots?date=${date}`, { token: other });
    expect(day.body.slots.find((s: any) => s.id === slotId).status).toBe('HELD');
    const second = await api(app.url, 'POST', `/api/slots/${slotId}/hold`, { token: other });
    expect(second.status).toBe(409);
    const stolen = await api(app.url, 'POST', '/api/bookings', {
      token: other,
      body: { slotId, visitTypeId, patient: { personalIdentityNumber: newPersonnummer() } },
    });
    expect(stolen.status).toBe(409);
    const mine = await api(app.url, 'POST', '/api/bookings', {
      token,
      body: { slotId, visitTypeId, patient: { personalIdentityNumber: newPersonnummer() } },
    });
    expect(mine.status).toBe(201);
  });

  it('an expired hold counts as free and is released', async () => {
    const { slotId, visitTypeId } = await freeSlot(units.U1);
    const hold = await api(app.url, 'POST', `/api/slots/${slotId}/hold`, { token });
    expect(hold.status).toBe(201);
    await db().query(`UPDATE slot SET held_until = now() - interval '1 second' WHERE id = $1`, [slotId]);
    const other = (await login(app.url, 'SE2321000057-N001')).token;
    const res = await api(app.url, 'POST', '/api/bookings', {
      token: other,
      body: { slotId, visitTypeId, patient: { personalIdentityNumber: newPersonnummer() } },
    });
    expect(res.status).toBe(201);
  });
});

describe('protected identity (R3)', () => {
  it('a phone number for a protected-identity patient is refused with 422 saying why, and nothing is stored', async () => {
    const { rows } = await db().query(`SELECT identity_number FROM patient WHERE protected_identity LIMIT 1`);
    const { slotId, visitTypeId } = await freeSlot(units.U1);
    const res = await api(app.url, 'POST', '/api/bookings', {
      token,
      body: {
        slotId,
        visitTypeId,
        patient: { personalIdentityNumber: rows[0].identity_number, phone: '0701740620' },
      },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ field: 'patient.phone', rule: 'R3' });
    expect(res.body.message).toMatch(/protected identity/);
    const slot = await db().query(`SELECT status FROM slot WHERE id = $1`, [slotId]);
    expect(slot.rows[0].status).toBe('FREE');
    const without = await api(app.url, 'POST', '/api/bookings', {
      token,
      body: { slotId, visitTypeId, patient: { personalIdentityNumber: rows[0].identity_number } },
    });
    expect(without.status).toBe(201);
  });
});

describe('idempotent booking', () => {
  it('a retried POST with the same Idempotency-Key gets the first answer, not a 409; another body with it is 422', async () => {
    const { slotId, visitTypeId } = await freeSlot(units.U1);
    const body = { slotId, visitTypeId, patient: { personalIdentityNumber: newPersonnummer() } };
    const headers = { 'idempotency-key': `booking-retry-${Date.now()}` };
    const [a, b] = await Promise.all([
      api(app.url, 'POST', '/api/bookings', { token, body, headers }),
      api(app.url, 'POST', '/api/bookings', { token, body, headers }),
    ]);
    expect(a.status).toBe(201);
    expect(b.body).toEqual(a.body);
    const again = await api(app.url, 'POST', '/api/bookings', { token, body, headers });
    expect(again.body).toEqual(a.body);
    const other = await api(app.url, 'POST', '/api/bookings', {
      token,
      body: { ...body, patient: { personalIdentityNumber: newPersonnummer() } },
      headers,
    });
    expect(other.status).toBe(422);
    const { rows } = await db().query(`SELECT count(*)::int AS n FROM booking WHERE slot_id = $1`, [slotId]);
    expect(rows[0].n).toBe(1);
  });
});

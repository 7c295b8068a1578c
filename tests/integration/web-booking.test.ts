import { loadConfig } from '../../backend/src/config/config';
import { bookingLinkToken } from '../../backend/src/timebook/cancellation-notice';
import {
  api,
  closeDb,
  connectLive,
  connected,
  db,
  freeSlot,
  login,
  newPersonnummer,
  seedInfo,
  startApp,
  subscribe,
  waitFor,
} from '../support/harness';

let app: Awaited<ReturnType<typeof startApp>>;
let staff: string;
const { units } = seedInfo();

beforeAll(async () => {
  app = await startApp();
  staff = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
});
afterAll(async () => {
  await app.close();
  await closeDb();
});

async function citizen(pnr: string): Promise<string> {
  const res = await api(app.url, 'POST', '/api/citizen/dev-login', { body: { personalIdentityNumber: pnr } });
  if (res.status !== 200) throw new Error(`citizen login ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

/** A free future web-bookable time at U1 for a visit type by name pattern (dose 1 or influenza). */
async function webVisitType(pattern: string): Promise<{ id: string; doseNumber: number | null }> {
  const { rows } = await db().query(
    `SELECT id, dose_number AS "doseNumber" FROM visit_type
      WHERE unit_id = $1 AND web_bookable AND retired_at IS NULL AND name LIKE $2 LIMIT 1`,
    [units.U1, pattern],
  );
  return rows[0];
}

async function firstFreeTime(
  token: string,
  visitTypeId: string,
): Promise<{ slotId: string; start: string; date: string }> {
  const from = new Date().toISOString().slice(0, 10);
  const to = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
  const days = await api(
    app.url,
    'GET',
    `/api/citizen/units/${units.U1}/days?visitTypeId=${visitTypeId}&from=${from}&to=${to}`,
    {
      token,
    },
  );
  expect(days.status).toBe(200);
  const day = (days.body as Array<{ date: string; free: number }>).find((d) => d.free > 0 && d.date > from);
  if (!day) throw new Error('no day with free web times');
  const times = await api(
    app.url,
    'GET',
    `/api/citizen/units/${units.U1}/times?visitTypeId=${visitTypeId}&date=${day.date}`,
    {
      token,
    },
  );
  expect(times.status).toBe(200);
  return { ...times.body[0], date: day.date };
}

describe('staff add patients (R3, R4)', () => {
  it('reserves a reserve number for a person without one, and staff can book them', async () => {
    const res = await api(app.url, 'POST', '/api/patients', {
      token: staff,
      body: {
        reserveNumber: true,
        firstName: 'Nour',
        lastName: 'Haddad',
        birthDate: '1991-04-02',
        phone: '0701234567',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      identityType: 'RESERVNUMMER',
      firstName: 'Nour',
      phone: '+46701234567',
    });
    expect(res.body.personalIdentityNumber).toMatch(/^99910402\d{4}$/);

    const again = await api(app.url, 'GET', `/api/patients/${res.body.personalIdentityNumber}`, {
      token: staff,
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(res.body.id);

    const f = await freeSlot(units.U1);
    const booked = await api(app.url, 'POST', '/api/bookings', {
      token: staff,
      body: {
        slotId: f.slotId,
        visitTypeId: f.visitTypeId,
        patient: { personalIdentityNumber: res.body.personalIdentityNumber },
      },
    });
    expect(booked.status).toBe(201);
  });

  it('a reserve number nobody added is a 404 telling staff to add the patient, and books nothing', async () => {
    const f = await freeSlot(units.U1);
    const res = await api(app.url, 'POST', '/api/bookings', {
      token: staff,
      body: {
        slotId: f.slotId,
        visitTypeId: f.visitTypeId,
        patient: { personalIdentityNumber: '990101019999' },
      },
    });
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/add the patient first/);
    const { rows } = await db().query(`SELECT status FROM slot WHERE id = $1`, [f.slotId]);
    expect(rows[0].status).toBe('FREE');
  });

  it('protected identity: the name by hand; a phone, e-mail or address is refused with 422 naming the field', async () => {
    const pnr = newPersonnummer();
    for (const [field, value] of [
      ['phone', '0701234567'],
      ['email', 'a@example.se'],
      ['address', 'Storgatan 1'],
    ] as const) {
      const bad = await api(app.url, 'POST', '/api/patients', {
        token: staff,
        body: {
          personalIdentityNumber: pnr,
          firstName: 'Skyddad',
          lastName: 'Person',
          protectedIdentity: true,
          [field]: value,
        },
      });
      expect(bad.status).toBe(422);
      expect(bad.body).toMatchObject({ field, rule: 'R3' });
    }
    const { rows } = await db().query(`SELECT count(*)::int AS n FROM patient WHERE identity_number = $1`, [
      pnr,
    ]);
    expect(rows[0].n).toBe(0);
    const ok = await api(app.url, 'POST', '/api/patients', {
      token: staff,
      body: {
        personalIdentityNumber: pnr,
        firstName: 'Skyddad',
        lastName: 'Person',
        protectedIdentity: true,
      },
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ protectedIdentity: true, phone: null, lastName: 'Person' });
    const dup = await api(app.url, 'POST', '/api/patients', {
      token: staff,
      body: { personalIdentityNumber: pnr, firstName: 'X', lastName: 'Y' },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.patient.id).toBe(ok.body.id);
  });

  it('bad input names the field and writes nothing', async () => {
    const before = (await db().query(`SELECT count(*)::int AS n FROM patient`)).rows[0].n;
    const cases = [
      [{ firstName: 'A', lastName: 'B' }, 'personalIdentityNumber'],
      [{ reserveNumber: true, firstName: 'A', lastName: 'B' }, 'birthDate'],
      [{ personalIdentityNumber: '19121212-1213', firstName: 'A', lastName: 'B' }, 'personalIdentityNumber'],
      [{ personalIdentityNumber: newPersonnummer(), firstName: '', lastName: 'B' }, 'firstName'],
      [{ personalIdentityNumber: newPersonnummer(), firstName: 'A', lastName: 'B', phone: '12' }, 'phone'],
    ] as const;
    for (const [body, field] of cases) {
      const res = await api(app.url, 'POST', '/api/patients', { token: staff, body });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe(field);
    }
    expect((await db().query(`SELECT count(*)::int AS n FROM patient`)).rows[0].n).toBe(before);
  });
});

describe('citizen web booking (/boka)', () => {
  it('finds units, free days and times, holds the first free column, books (R10, R14)', async () => {
    const token = await citizen(newPersonnummer());
    const me = await api(app.url, 'GET', '/api/citizen/me', { token });
    expect(me.body.webBooking).toEqual({ allowed: true });
    const list = await api(app.url, 'GET', '/api/citizen/units', { token });
    const u1 = (list.body as any[]).find((u) => u.id === units.U1);
    expect(u1.municipalityName).toBe('Jönköping');
    expect(u1.visitTypes.map((v: any) => v.name)).not.toContain('Läkarbedömning före vaccination');

    const vt = await webVisitType('Covid-19 dos 1%');
    const time = await firstFreeTime(token, vt.id);
    const hold = await api(app.url, 'POST', `/api/slots/${time.slotId}/hold`, { token });
    expect(hold.status).toBe(201);
    // another citizen picking the same time gets another free column at that time, if there is one
    const other = await citizen(newPersonnummer());
    const hold2 = await api(app.url, 'POST', `/api/slots/${time.slotId}/hold`, { token: other });
    if (hold2.status === 201) {
      expect(hold2.body.slotId).not.toBe(hold.body.slotId);
      const { rows } = await db().query(`SELECT starts_at FROM slot WHERE id = ANY($1::text[])`, [
        [hold.body.slotId, hold2.body.slotId],
      ]);
      expect(new Set(rows.map((r) => new Date(r.starts_at).getTime())).size).toBe(1);
    } else {
      expect(hold2.status).toBe(409);
    }
    const pnr = (await db().query(`SELECT identity_number FROM patient WHERE id = $1`, [me.body.id])).rows[0]
      .identity_number;
    const booked = await api(app.url, 'POST', '/api/bookings', {
      token,
      body: {
        slotId: hold.body.slotId,
        visitTypeId: vt.id,
        patient: { personalIdentityNumber: pnr, phone: '0709876543' },
      },
    });
    expect(booked.status).toBe(201);
    const mine = await api(app.url, 'GET', '/api/citizen/bookings', { token });
    expect(mine.body[0]).toMatchObject({ id: booked.body.id, status: 'ACTIVE', unitId: units.U1 });
    const { rows } = await db().query(`SELECT source FROM booking WHERE id = $1`, [booked.body.id]);
    expect(rows[0].source).toBe('WEB');
  });

  it('R3 and R4 patients cannot book on the web and are told why and whom to call', async () => {
    const { rows } = await db().query(
      `SELECT identity_number, protected_identity FROM patient
        WHERE protected_identity OR identity_type = 'RESERVNUMMER' ORDER BY protected_identity DESC LIMIT 10`,
    );
    const prot = rows.find((r) => r.protected_identity)!;
    const reserve = rows.find((r) => !r.protected_identity)!;
    const vt = await webVisitType('Influensa%');
    for (const [who, rule] of [
      [prot, 'R3'],
      [reserve, 'R4'],
    ] as const) {
      const token = await citizen(who.identity_number);
      const me = await api(app.url, 'GET', '/api/citizen/me', { token });
      expect(me.body.webBooking).toMatchObject({ allowed: false, rule });
      expect(me.body.webBooking.message).toMatch(/call the vaccination unit/);
      const f = await firstFreeTime(token, vt.id);
      const res = await api(app.url, 'POST', '/api/bookings', {
        token,
        body: {
          slotId: f.slotId,
          visitTypeId: vt.id,
          patient: { personalIdentityNumber: who.identity_number },
        },
      });
      expect(res.status).toBe(422);
      expect(res.body.rule).toBe(rule);
    }
  });

  it('a dose-2 visit needs dose 1 on record; a historical dose 1 counts', async () => {
    const pnr = newPersonnummer();
    const token = await citizen(pnr);
    const vt = await webVisitType('Covid-19 dos 2%');
    const f = await firstFreeTime(token, vt.id);
    const refused = await api(app.url, 'POST', '/api/bookings', {
      token,
      body: { slotId: f.slotId, visitTypeId: vt.id, patient: { personalIdentityNumber: pnr } },
    });
    expect({ status: refused.status, body: refused.body }).toMatchObject({
      status: 422,
      body: { reason: 'DOSE_NOT_DUE', field: 'visitTypeId' },
    });
    // arrange: a dose 1 given abroad, registered as historical (R22)
    await db().query(
      `INSERT INTO vaccination (patient_id, product_id, dose_number, given_at, given_on, historical, comment)
       SELECT p.id, v.product_id, 1, now() - interval '30 days', (now() - interval '30 days')::date, true, 'given in Norway'
         FROM patient p, visit_type v WHERE p.identity_number = $1 AND v.id = $2`,
      [pnr, vt.id],
    );
    const ok = await api(app.url, 'POST', '/api/bookings', {
      token,
      body: { slotId: f.slotId, visitTypeId: vt.id, patient: { personalIdentityNumber: pnr } },
    });
    // the whole answer, so that an unexpected one shows why
    expect({ status: ok.status, body: ok.body }).toMatchObject({ status: 201 });
  });
});

describe('rebooking (history kept) and signed SMS links', () => {
  it('staff rebook: one new booking linked to the old, the old cancelled without an SMS, history shown', async () => {
    const pnr = newPersonnummer();
    const a = await freeSlot(units.U1);
    const first = await api(app.url, 'POST', '/api/bookings', {
      token: staff,
      body: {
        slotId: a.slotId,
        visitTypeId: a.visitTypeId,
        patient: { personalIdentityNumber: pnr, phone: '0701112233' },
      },
    });
    expect(first.status).toBe(201);
    const b = await freeSlot(units.U1, [a.slotId]);
    const moved = await api(app.url, 'POST', `/api/bookings/${first.body.id}/rebook`, {
      token: staff,
      body: { slotId: b.slotId, visitTypeId: b.visitTypeId },
    });
    expect(moved.status).toBe(201);
    expect(moved.body).toMatchObject({ slotId: b.slotId, status: 'ACTIVE', rebookedFrom: first.body.id });

    const { rows } = await db().query(
      `SELECT b.status, b.cancel_reason, s.status AS slot_status,
              (SELECT count(*)::int FROM notification n WHERE n.booking_id = b.id AND n.kind = 'CANCELLATION') AS cancellations
         FROM booking b JOIN slot s ON s.id = b.slot_id WHERE b.id = $1`,
      [first.body.id],
    );
    expect(rows[0]).toMatchObject({
      status: 'CANCELLED',
      cancel_reason: 'rebooked',
      slot_status: 'FREE',
      cancellations: 0,
    });
    const details = await api(app.url, 'GET', `/api/bookings/${moved.body.id}`, { token: staff });
    expect(details.body.history.map((h: any) => h.id)).toEqual([first.body.id]);
    const conf = await db().query(`SELECT body FROM notification WHERE booking_id = $1`, [moved.body.id]);
    expect(conf.rows[0].body).toMatch(/är bokad/);

    const twice = await api(app.url, 'POST', `/api/bookings/${first.body.id}/rebook`, {
      token: staff,
      body: { slotId: (await freeSlot(units.U1, [a.slotId, b.slotId])).slotId },
    });
    expect(twice.status).toBe(409);
  });

  it('a rebook onto a taken slot changes nothing: the old booking stays active', async () => {
    const a = await freeSlot(units.U1);
    const first = await api(app.url, 'POST', '/api/bookings', {
      token: staff,
      body: {
        slotId: a.slotId,
        visitTypeId: a.visitTypeId,
        patient: { personalIdentityNumber: newPersonnummer() },
      },
    });
    const b = await freeSlot(units.U1, [a.slotId]);
    await api(app.url, 'POST', '/api/bookings', {
      token: staff,
      body: {
        slotId: b.slotId,
        visitTypeId: b.visitTypeId,
        patient: { personalIdentityNumber: newPersonnummer() },
      },
    });
    const res = await api(app.url, 'POST', `/api/bookings/${first.body.id}/rebook`, {
      token: staff,
      body: { slotId: b.slotId, visitTypeId: b.visitTypeId },
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('SLOT_TAKEN');
    const { rows } = await db().query(`SELECT status FROM booking WHERE id = $1`, [first.body.id]);
    expect(rows[0].status).toBe('ACTIVE');
  });

  it('the signed link shows the booking without login, cancels it once, and a forged link is a 404', async () => {
    const pnr = newPersonnummer();
    const a = await freeSlot(units.U1);
    const booked = await api(app.url, 'POST', '/api/bookings', {
      token: staff,
      body: {
        slotId: a.slotId,
        visitTypeId: a.visitTypeId,
        patient: { personalIdentityNumber: pnr, phone: '0702223344' },
      },
    });
    // the link as the cancellation SMS carries it
    await api(app.url, 'DELETE', `/api/bookings/${booked.body.id}`, { token: staff });
    const sms = await db().query(
      `SELECT body FROM notification WHERE booking_id = $1 AND kind = 'CANCELLATION'`,
      [booked.body.id],
    );
    const token = decodeURIComponent(/ombokning=([^\s]+)/.exec(sms.rows[0].body)![1]!);
    const shown = await api(app.url, 'GET', `/api/booking-links/${encodeURIComponent(token)}`);
    expect(shown.status).toBe(200);
    expect(shown.body.booking).toMatchObject({ id: booked.body.id, status: 'CANCELLED', unitId: units.U1 });
    expect(JSON.stringify(shown.body)).not.toContain(pnr);
    const forged = await api(
      app.url,
      'GET',
      `/api/booking-links/${encodeURIComponent(token.slice(0, -2) + 'xx')}`,
    );
    expect(forged.status).toBe(404);

    // the citizen logs in and rebooks the cancelled booking: linked as history
    const citizenToken = await citizen(pnr);
    const b = await freeSlot(units.U1, [a.slotId]);
    const re = await api(app.url, 'POST', `/api/bookings/${booked.body.id}/rebook`, {
      token: citizenToken,
      body: { slotId: b.slotId, visitTypeId: b.visitTypeId },
    });
    // the helper's visit type may not be web-bookable on that day; either way nothing is half-done
    if (re.status === 201) {
      expect(re.body.rebookedFrom).toBe(booked.body.id);
      const link = encodeURIComponent(
        decodeURIComponent(/ombokning=([^\s]+)/.exec(sms.rows[0].body)![1]!).replace(
          booked.body.id,
          re.body.id,
        ),
      );
      expect((await api(app.url, 'GET', `/api/booking-links/${link}`)).status).toBe(404);
    } else {
      expect(re.status).toBe(422);
    }
  });

  it('cancelling through the link cancels an active booking once and sends one cancellation', async () => {
    const a = await freeSlot(units.U1);
    const booked = await api(app.url, 'POST', '/api/bookings', {
      token: staff,
      body: {
        slotId: a.slotId,
        visitTypeId: a.visitTypeId,
        patient: { personalIdentityNumber: newPersonnummer(), phone: '0703334455' },
      },
    });
    // the test app runs with AUTH_MODE=dev and no JWT_SECRET: the dev secret signs links
    const token = bookingLinkToken(booked.body.id, loadConfig({ AUTH_MODE: 'dev' }).JWT_SECRET);
    const first = await api(app.url, 'DELETE', `/api/booking-links/${token}`);
    const second = await api(app.url, 'DELETE', `/api/booking-links/${token}`);
    expect(first.body).toEqual({ id: booked.body.id, status: 'CANCELLED' });
    expect(second.status).toBe(200);
    const { rows } = await db().query(
      `SELECT count(*)::int AS n FROM notification WHERE booking_id = $1 AND kind = 'CANCELLATION'`,
      [booked.body.id],
    );
    expect(rows[0].n).toBe(1);
  });
});

describe('the rush waiting room', () => {
  it('admits in order at the configured rate, shows each their place, and holds back the rest', async () => {
    const prefix = `vaxops-test-wr-${Date.now()}`;
    const room = await startApp({
      WAITING_ROOM_RATE: '1',
      OUTBOX_RELAY: 'false',
      PROCESS_ROLE: 'api',
      REDIS_PREFIX: prefix,
    });
    try {
      const tokens = [];
      for (let i = 0; i < 5; i++) {
        const res = await api(room.url, 'POST', '/api/citizen/dev-login', {
          body: { personalIdentityNumber: newPersonnummer() },
        });
        tokens.push(res.body.accessToken as string);
      }
      const states = [];
      for (const t of tokens)
        states.push((await api(room.url, 'POST', '/api/citizen/waiting-room', { token: t })).body);
      expect(states[0]).toMatchObject({ admitted: true, position: 0 });
      const waiting = states.slice(1);
      expect(waiting.every((s) => !s.admitted)).toBe(true);
      // places are in arrival order (the first of them may already be admitted by the time it asks)
      const positions = waiting.map((s) => s.position);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);
      expect(waiting.at(-1).estimatedWaitSeconds).toBeGreaterThanOrEqual(waiting[0].estimatedWaitSeconds);

      // someone still waiting cannot jump the queue: 503 with Retry-After, nothing held
      const f = await freeSlot(units.U1);
      const jump: Response = await fetch(`${room.url}/api/slots/${f.slotId}/hold`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[4]}` },
      });
      expect(jump.status).toBe(503);
      expect(Number(jump.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await jump.json()) as { code: string }).code).toBe('WAITING_ROOM');
      expect((await db().query(`SELECT status FROM slot WHERE id = $1`, [f.slotId])).rows[0].status).toBe(
        'FREE',
      );

      // the admitted one may hold
      const held = await api(room.url, 'POST', `/api/slots/${f.slotId}/hold`, { token: tokens[0] });
      expect(held.status).toBe(201);
      await api(room.url, 'DELETE', `/api/holds/${held.body.holdId}`, { token: tokens[0] });

      // the second in line is admitted next, by polling, without anyone doing anything else
      let admitted = false;
      const until = Date.now() + 10_000;
      while (!admitted && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 300));
        admitted = (await api(room.url, 'POST', '/api/citizen/waiting-room', { token: tokens[1] })).body
          .admitted;
      }
      expect(admitted).toBe(true);
      // staff are never queued
      const staffRoom = (await login(room.url, 'SE2321000057-B001', units.U1)).token;
      const g = await freeSlot(units.U1, [f.slotId]);
      const staffHold = await api(room.url, 'POST', `/api/slots/${g.slotId}/hold`, { token: staffRoom });
      expect(staffHold.status).toBe(201);
      await api(room.url, 'DELETE', `/api/holds/${staffHold.body.holdId}`, { token: staffRoom });
    } finally {
      await room.close();
    }
  });
});

describe('the waiting room admits at the rate the system serves', () => {
  it('slow citizen bookings lower the admission rate; once they are fast again it climbs back to the maximum', async () => {
    const room = await startApp({
      WAITING_ROOM_RATE: '40',
      // every hold "too slow": any real answer takes more than a millisecond
      WAITING_ROOM_TARGET_MS: '1',
      OUTBOX_RELAY: 'false',
      PROCESS_ROLE: 'api',
      REDIS_PREFIX: `vaxops-test-wr-adapt-${Date.now()}`,
    });
    try {
      const token = (
        await api(room.url, 'POST', '/api/citizen/dev-login', {
          body: { personalIdentityNumber: newPersonnummer() },
        })
      ).body.accessToken as string;
      const rate = async () =>
        (await api(room.url, 'POST', '/api/citizen/waiting-room', { token })).body.ratePerSecond as number;
      expect(await rate()).toBe(40);

      // citizens hold times; each answer is measured, and every one is over the target
      const vt = await webVisitType('Covid-19 dos 1%');
      let lowered = 40;
      for (const until = Date.now() + 15_000; lowered >= 40 && Date.now() < until;) {
        const f = await firstFreeTime(token, vt.id);
        const held = await api(room.url, 'POST', `/api/slots/${f.slotId}/hold`, { token });
        expect(held.status).toBe(201);
        await api(room.url, 'DELETE', `/api/holds/${held.body.holdId}`, { token });
        lowered = await rate();
      }
      expect(lowered).toBeLessThan(40); // the queue is told the lower rate, and admits at it

      // no more load: the controller steps the rate back up to the configured maximum
      let r = lowered;
      for (const until = Date.now() + 20_000; r < 40 && Date.now() < until;) {
        await new Promise((res) => setTimeout(res, 500));
        r = await rate();
      }
      expect(r).toBe(40);
    } finally {
      await room.close();
    }
  });
});

describe('hold expiry is pushed live (R14)', () => {
  it('an expired hold frees the slot on a subscribed screen when it expires, not at the next periodic sweep', async () => {
    await app.close();
    app = await startApp({ HOLD_MINUTES: '0.05', HOLD_SWEEP_SECONDS: '300' });
    staff = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
    const f = await freeSlot(units.U1);
    const s = connectLive(app.url, staff);
    expect(await connected(s)).toBe(true);
    await subscribe(s, { topic: 'timebook', unitId: units.U1, date: f.date });
    let freedAt = 0;
    s.on('timebook.changed', (e: any) => {
      if (e.cause === 'hold.expired' && e.changes.some((c: any) => c.slotId === f.slotId && c.to === 'FREE'))
        freedAt = Date.now();
    });
    const hold = await api(app.url, 'POST', `/api/slots/${f.slotId}/hold`, { token: staff });
    expect(hold.status).toBe(201);
    await waitFor(() => (freedAt ? true : undefined), 10_000);
    // the periodic sweep is 300 s here: the push came from the hold's own expiry job, not before expiry
    expect(freedAt).toBeGreaterThanOrEqual(Date.parse(hold.body.expiresAt));
    console.log(`hold expiry pushed ${freedAt - Date.parse(hold.body.expiresAt)} ms after expiresAt`);
    s.close();
  });
});

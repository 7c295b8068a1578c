import { RemindersProcessor } from '../../backend/src/notifications/reminders.processor';
import { SmsClock } from '../../backend/src/notifications/sms-clock';
import { startSmsSink, SmsSink } from '../../backend/src/notifications/sms-sink';
import {
  api,
  closeDb,
  connected,
  connectLive,
  db,
  freeSlot,
  login,
  newPersonnummer,
  seedInfo,
  startApp,
  subscribe,
} from '../support/harness';

let app: Awaited<ReturnType<typeof startApp>>;
let sink: SmsSink;
let booker: string;
const { units } = seedInfo();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  sink = await startSmsSink();
  const port = String(43000 + Math.floor(Math.random() * 2000));
  app = await startApp({
    PORT: port,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SMS_PROVIDER_URL: sink.url,
    SMS_RATE_PER_SECOND: '10',
  });
  booker = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
});
afterAll(async () => {
  app.app.get(SmsClock).set(undefined);
  await app.close();
  await sink.close();
  await closeDb();
});

async function until(what: string, fn: () => Promise<boolean> | boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting: ${what}`);
}

async function book(pnr: string, phone: string) {
  const { slotId, visitTypeId } = await freeSlot(units.U1);
  const res = await api(app.url, 'POST', '/api/bookings', {
    token: booker,
    body: { slotId, visitTypeId, patient: { personalIdentityNumber: pnr, phone } },
  });
  expect(res.status).toBe(201);
  return { bookingId: res.body.id as string, slotId };
}

const notices = async (bookingId: string) =>
  (
    await db().query(`SELECT kind::text, status::text, last_error FROM notification WHERE booking_id = $1`, [
      bookingId,
    ])
  ).rows;

describe('opt-out (R18)', () => {
  it('a citizen turns SMS off: no confirmation, no reminder; on again: SMS again; staff can do it for a patient', async () => {
    const pnr = newPersonnummer();
    const phone = '+46701740660';
    await book(pnr, phone); // registers the patient with a phone
    const login1 = await api(app.url, 'POST', '/api/citizen/dev-login', {
      body: { personalIdentityNumber: pnr },
    });
    const citizen = login1.body.accessToken as string;

    expect((await api(app.url, 'GET', '/api/citizen/sms-preferences')).status).toBe(401);
    expect((await api(app.url, 'GET', '/api/citizen/sms-preferences', { token: booker })).status).toBe(403);
    const bad = await api(app.url, 'PUT', '/api/citizen/sms-preferences', {
      token: citizen,
      body: { smsOptOut: 'yes' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/smsOptOut/);

    const off = await api(app.url, 'PUT', '/api/citizen/sms-preferences', {
      token: citizen,
      body: { smsOptOut: true },
    });
    expect(off.status).toBe(200);
    expect(off.body.smsOptOut).toBe(true);
    expect(
      (await api(app.url, 'GET', '/api/citizen/sms-preferences', { token: citizen })).body,
    ).toMatchObject({
      smsOptOut: true,
      smsPossible: true,
    });

    const second = await book(pnr, phone);
    expect(await notices(second.bookingId)).toEqual([]); // no confirmation
    const { rows } = await db().query(
      `SELECT extract(epoch FROM starts_at - now())::int AS s FROM slot WHERE id = $1`,
      [second.slotId],
    );
    await app.app
      .get(RemindersProcessor)
      .createReminders(`${rows[0].s - 30} seconds`, `${rows[0].s + 30} seconds`);
    expect(await notices(second.bookingId)).toEqual([]); // no reminder

    // staff turn it back on (e.g. the patient called)
    const on = await api(app.url, 'PUT', `/api/patients/${pnr}/sms-preferences`, {
      token: booker,
      body: { smsOptOut: false },
    });
    expect(on.status).toBe(200);
    expect(on.body.smsOptOut).toBe(false);
    const third = await book(pnr, phone);
    expect((await notices(third.bookingId)).map((n) => n.kind)).toEqual(['BOOKING_CONFIRMATION']);
    const audit = await db().query(
      `SELECT detail->>'by' AS by FROM audit_log WHERE action = 'patient.sms-preferences'
         AND patient_id = (SELECT id FROM patient WHERE identity_number = $1) ORDER BY id`,
      [pnr],
    );
    expect(audit.rows.map((r) => r.by)).toEqual(['citizen', 'staff']);
  });
});

describe('dead letters (final failures) and retry', () => {
  it('a message the provider refuses is listed for the unit with the reason, and a retry sends it once', async () => {
    sink.control.failRate = 1;
    sink.control.failStatus = 400;
    const phone = '+46701740661';
    const { bookingId } = await book(newPersonnummer(), phone);
    await until('the confirmation failed', async () => (await notices(bookingId))[0]?.status === 'FAILED');
    sink.control.failRate = 0;
    sink.control.failStatus = 503;

    const list = await api(app.url, 'GET', `/api/units/${units.U1}/sms/failed`, { token: booker });
    expect(list.status).toBe(200);
    const dead = list.body.find((n: any) => n.bookingId === bookingId);
    expect(dead).toMatchObject({ kind: 'BOOKING_CONFIRMATION', toPhone: phone });
    expect(dead.reason).toMatch(/refused \(400\)/);

    // another unit's staff neither see nor retry it
    const other = (await login(app.url, 'SE2321000057-B002', units.U2)).token;
    expect((await api(app.url, 'GET', `/api/units/${units.U1}/sms/failed`, { token: other })).status).toBe(
      403,
    );
    expect(
      (await api(app.url, 'POST', `/api/sms/notifications/${dead.id}/retry`, { token: other })).status,
    ).toBe(403);

    const retried = await api(app.url, 'POST', `/api/sms/notifications/${dead.id}/retry`, { token: booker });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'PENDING', jobId: `sms-${dead.id}-r1` });
    await until('the retried message at the sink', () => sink.messages.some((m) => m.to === phone));
    await until('recorded as sent', async () =>
      ['SENT', 'DELIVERED'].includes((await notices(bookingId))[0]?.status),
    );
    const again = await api(app.url, 'POST', `/api/sms/notifications/${dead.id}/retry`, { token: booker });
    expect(again.status).toBe(409);
    expect((await api(app.url, 'POST', `/api/sms/notifications/nope/retry`, { token: booker })).status).toBe(
      404,
    );
    expect(sink.messages.filter((m) => m.to === phone)).toHaveLength(1);
    const after = await api(app.url, 'GET', `/api/units/${units.U1}/sms/failed`, { token: booker });
    expect(after.body.some((n: any) => n.id === dead.id)).toBe(false);
  });
});

async function arrangeBookedDay(n: number, prefix: string): Promise<string> {
  const { rows } = await db().query(`SELECT to_char(current_date + $1::int, 'YYYY-MM-DD') AS date`, [
    100 + Math.floor(Math.random() * 90),
  ]);
  const date = rows[0].date as string;
  await db().query(
    `INSERT INTO slot (unit_id, resource_id, "column", date, starts_at, ends_at, status)
     SELECT $1, r.id, 1 + i % 20, $2::date,
            (($2::date + time '07:00') AT TIME ZONE 'Europe/Stockholm') + (i / 20) * interval '5 minutes' + interval '1 minute',
            (($2::date + time '07:05') AT TIME ZONE 'Europe/Stockholm') + (i / 20) * interval '5 minutes', 'BOOKED'
       FROM timebook_resource r, generate_series(0, $3::int - 1) i
      WHERE r.unit_id = $1 AND r.kind = 'SKOTERSKA'`,
    [units.U1, date, n],
  );
  await db().query(
    `WITH vt AS (SELECT id FROM visit_type WHERE unit_id = $1 AND resource = 'SKOTERSKA' AND retired_at IS NULL ORDER BY id LIMIT 1),
          p AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS c FROM patient
                 WHERE NOT protected_identity AND NOT sms_opt_out),
          s AS (SELECT id, row_number() OVER (ORDER BY starts_at, "column") AS rn FROM slot
                 WHERE unit_id = $1 AND date = $2::date AND status = 'BOOKED'
                   AND NOT EXISTS (SELECT 1 FROM booking b WHERE b.slot_id = slot.id))
     INSERT INTO booking (slot_id, unit_id, patient_id, visit_type_id, status, phone)
     SELECT s.id, $1, p.id, vt.id, 'ACTIVE', $3 || lpad(s.rn::text, 5, '0')
       FROM s JOIN p ON p.k = (s.rn - 1) % p.c, vt`,
    [units.U1, date, prefix],
  );
  return date;
}

describe('mass SMS campaign from chosen bookings', () => {
  it('progress is pushed on the unit’s jobs topic; pause stops sending, resume finishes, each recipient once; cancel skips the rest in one go', async () => {
    const prefix = `+467780${String(Math.floor(Math.random() * 100)).padStart(2, '0')}`;
    const date = await arrangeBookedDay(30, prefix);
    const s = connectLive(app.url, booker);
    await connected(s);
    expect((await subscribe(s, { topic: 'jobs', unitId: units.U1 })).ok).toBe(true);
    const events: any[] = [];
    s.on('job.progress', (e) => events.push(e));
    try {
      const bad = await api(app.url, 'POST', `/api/units/${units.U1}/sms-campaigns`, {
        token: booker,
        body: { date, message: '' },
      });
      expect(bad.status).toBe(400);
      const res = await api(app.url, 'POST', `/api/units/${units.U1}/sms-campaigns`, {
        token: booker,
        body: { date, message: 'Ta med legitimation till ditt besök.', urgent: true },
      });
      expect(res.status).toBe(202);
      expect(res.body.total).toBe(30);
      const { campaignId, jobId } = res.body;
      const mine = () => sink.messages.filter((m) => m.to.startsWith(prefix));

      await until('some sent', () => mine().length >= 5);
      const paused = await api(app.url, 'POST', `/api/sms-campaigns/${campaignId}/pause`, { token: booker });
      expect(paused.status).toBe(200);
      expect(paused.body.status).toBe('PAUSED');
      expect(
        (await api(app.url, 'POST', `/api/sms-campaigns/${campaignId}/pause`, { token: booker })).status,
      ).toBe(409);
      await until('nothing in flight', async () => {
        const { rows } = await db().query(
          `SELECT count(*)::int AS n FROM notification WHERE campaign_id = $1 AND status = 'SENDING'`,
          [campaignId],
        );
        return rows[0].n === 0;
      });
      const atPause = mine().length;
      await sleep(1500); // ~15 messages' worth at this rate
      expect(mine().length).toBe(atPause);
      expect(atPause).toBeLessThan(30);

      const resumed = await api(app.url, 'POST', `/api/sms-campaigns/${campaignId}/resume`, {
        token: booker,
      });
      expect(resumed.status).toBe(200);
      await until('all sent', () => mine().length >= 30, 30_000);
      await until('completed pushed', () =>
        events.some((e) => e.jobId === jobId && e.state === 'completed' && e.progress.done === 30),
      );
      const counts = new Map<string, number>();
      for (const m of mine()) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
      expect(counts.size).toBe(30);
      expect([...counts.values()].every((c) => c === 1)).toBe(true);
      // throttled: a handful of progress events, not one per message
      const progress = events.filter((e) => e.jobId === jobId);
      expect(progress.length).toBeLessThan(30);
      expect(progress.some((e) => e.state === 'delayed')).toBe(true); // the pause was pushed

      // a second campaign held by quiet hours is cancelled: every unsent message skipped at once
      app.app.get(SmsClock).set(() => new Date('2026-11-23T21:00:00Z'));
      const second = await api(app.url, 'POST', `/api/units/${units.U1}/sms-campaigns`, {
        token: booker,
        body: { date, message: 'Inställt.', urgent: false },
      });
      expect(second.status).toBe(202);
      const cancelled = await api(app.url, 'POST', `/api/sms-campaigns/${second.body.campaignId}/cancel`, {
        token: booker,
      });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'CANCELLED', skipped: 30 });
      const { rows } = await db().query(
        `SELECT status::text, count(*)::int AS n FROM notification WHERE campaign_id = $1 GROUP BY 1`,
        [second.body.campaignId],
      );
      expect(rows).toEqual([{ status: 'SKIPPED', n: 30 }]);
      expect(
        (await api(app.url, 'POST', `/api/sms-campaigns/${second.body.campaignId}/resume`, { token: booker }))
          .status,
      ).toBe(409);
      const list = await api(app.url, 'GET', `/api/units/${units.U1}/sms-campaigns`, { token: booker });
      expect(list.body.map((c: any) => c.campaignId)).toEqual(
        expect.arrayContaining([campaignId, second.body.campaignId]),
      );
      expect(mine().filter((m) => m.message === 'Inställt.')).toHaveLength(0);
    } finally {
      app.app.get(SmsClock).set(undefined);
      s.close();
    }
  });
});

describe('queue admin (Bull Board) at /admin/queues', () => {
  it('opens for an administrator through a short-lived cookie; others get 401/403', async () => {
    // a browser without a session
    const anon = await fetch(`${app.url}/admin/queues`);
    expect(anon.status).toBe(401);
    expect((await fetch(`${app.url}/admin/queues/api/queues`)).status).toBe(401);
    // a forged cookie
    const forged = await fetch(`${app.url}/admin/queues/api/queues`, {
      headers: { cookie: 'vaxops_queues=YWJj.9999999999.bm9wZQ' },
    });
    expect(forged.status).toBe(401);
    // staff who are not administrators get no session
    expect((await api(app.url, 'POST', '/api/admin/queues/session', { token: booker })).status).toBe(403);
    expect((await api(app.url, 'POST', '/api/admin/queues/session')).status).toBe(401);

    const admin = (await login(app.url, 'SE2321000057-A001')).token;
    const session = await fetch(`${app.url}/api/admin/queues/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(session.status).toBe(204);
    const setCookie = session.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Path=\/admin\/queues/);
    const cookie = setCookie.split(';')[0];
    const page = await fetch(`${app.url}/admin/queues`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const queues = await fetch(`${app.url}/admin/queues/api/queues`, { headers: { cookie } });
    expect(queues.status).toBe(200);
    const body = (await queues.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((q) => q.name)).toEqual(expect.arrayContaining(['sms', 'timebook', 'system']));
  });
});

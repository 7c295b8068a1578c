import { RemindersProcessor } from '../../backend/src/notifications/reminders.processor';
import { startSmsSink, SmsSink } from '../../backend/src/notifications/sms-sink';
import {
  api,
  closeDb,
  db,
  freeSlot,
  login,
  newPersonnummer,
  seedInfo,
  startApp,
  waitFor,
} from '../support/harness';

let app: Awaited<ReturnType<typeof startApp>>;
let sink: SmsSink;
let token: string;
const { units } = seedInfo();

beforeAll(async () => {
  sink = await startSmsSink({ user: 'u', password: 'p' });
  const port = String(41000 + Math.floor(Math.random() * 2000));
  app = await startApp({
    PORT: port,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SMS_PROVIDER_URL: sink.url,
    SMS_PROVIDER_USER: 'u',
    SMS_PROVIDER_PASSWORD: 'p',
  });
  token = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
});
afterAll(async () => {
  await app.close();
  await sink.close();
  await closeDb();
});

async function bookAndCancel(pnr: string, phone?: string) {
  const { slotId, visitTypeId } = await freeSlot(units.U1);
  const booked = await api(app.url, 'POST', '/api/bookings', {
    token,
    body: { slotId, visitTypeId, patient: { personalIdentityNumber: pnr, ...(phone ? { phone } : {}) } },
  });
  expect(booked.status).toBe(201);
  expect((await api(app.url, 'DELETE', `/api/bookings/${booked.body.id}`, { token })).status).toBe(200);
  return booked.body.id as string;
}

describe('SMS over the provider interface (R17, R3)', () => {
  it('booking with a phone sends one confirmation, cancelling one cancellation; delivery receipts are recorded', async () => {
    const bookingId = await bookAndCancel(newPersonnummer(), '070-174 06 30');
    const confirmation = await waitFor(
      () => sink.messages.find((m) => m.to === '+46701740630' && /är bokad/.test(m.message)),
      10_000,
    );
    expect(confirmation.message).toMatch(/Vaccinationsmottagningen Jönköping/);
    // its link is the booking's signed link: it opens this booking without logging in
    const link = /\/boka\?ombokning=(\S+)/.exec(confirmation.message)?.[1];
    expect(link).toBeDefined();
    const opened = await api(app.url, 'GET', `/api/booking-links/${link}`);
    expect(opened).toMatchObject({ status: 200, body: { booking: { id: bookingId } } });
    const msg = await waitFor(
      () => sink.messages.find((m) => m.to === '+46701740630' && /avbokad/.test(m.message)),
      10_000,
    );
    expect(msg.message).not.toMatch(/\d{10,12}/); // never an identity number
    expect(msg.from).toBe('vaxops');
    let status = '';
    for (let i = 0; i < 50 && status !== 'DELIVERED'; i++) {
      const { rows } = await db().query(
        `SELECT status FROM notification WHERE booking_id = $1 AND kind = 'CANCELLATION'`,
        [bookingId],
      );
      status = rows[0]?.status;
      if (status !== 'DELIVERED') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('DELIVERED');
    expect(sink.messages.filter((m) => m.to === '+46701740630')).toHaveLength(2);
  });

  it('a protected-identity patient gets no SMS', async () => {
    const { rows } = await db().query(`SELECT identity_number FROM patient WHERE protected_identity LIMIT 1`);
    const bookingId = await bookAndCancel(rows[0].identity_number);
    await new Promise((r) => setTimeout(r, 500));
    const n = await db().query(`SELECT count(*)::int AS n FROM notification WHERE booking_id = $1`, [
      bookingId,
    ]);
    expect(n.rows[0].n).toBe(0);
  });

  it('a provider failing with 503 is retried; each message still arrives exactly once', async () => {
    sink.control.failRate = 1;
    const bookingId = await bookAndCancel(newPersonnummer(), '070-174 06 31');
    await new Promise((r) => setTimeout(r, 300));
    sink.control.failRate = 0;
    const mine = () => sink.messages.filter((m) => m.to === '+46701740631');
    await waitFor(() => (mine().length === 2 ? true : undefined), 20_000);
    const { rows } = await db().query(
      `SELECT max(attempts)::int AS attempts FROM notification WHERE booking_id = $1`,
      [bookingId],
    );
    expect(rows[0].attempts).toBeGreaterThan(1);
    await new Promise((r) => setTimeout(r, 500));
    // one confirmation and one cancellation, each once
    expect(
      mine()
        .map((m) => (/avbokad/.test(m.message) ? 'cancellation' : 'confirmation'))
        .sort(),
    ).toEqual(['cancellation', 'confirmation']);
  });
});

describe('reminders (R18)', () => {
  it('the day before: one reminder per booking with a phone, however often the job runs', async () => {
    const { slotId, visitTypeId } = await freeSlot(units.U1);
    const booked = await api(app.url, 'POST', '/api/bookings', {
      token,
      body: {
        slotId,
        visitTypeId,
        patient: { personalIdentityNumber: newPersonnummer(), phone: '0701740640' },
      },
    });
    expect(booked.status).toBe(201);
    const { rows } = await db().query(
      `SELECT extract(epoch FROM starts_at - now())::int AS s FROM slot WHERE id = $1`,
      [slotId],
    );
    // a window around this booking's start stands in for "20–28 hours ahead"
    const window = [`${rows[0].s - 60} seconds`, `${rows[0].s + 60} seconds`] as const;
    const reminders = app.app.get(RemindersProcessor);
    expect(await reminders.createReminders(...window)).toBeGreaterThanOrEqual(1);
    expect(await reminders.createReminders(...window)).toBe(0);
    const n = await db().query(
      `SELECT count(*)::int AS n FROM notification WHERE booking_id = $1 AND kind = 'REMINDER'`,
      [booked.body.id],
    );
    expect(n.rows[0].n).toBe(1);
    const { rows: job } = await db().query(
      `SELECT id, body FROM notification WHERE booking_id = $1 AND kind = 'REMINDER'`,
      [booked.body.id],
    );
    // cancel or rebook from the reminder's signed link
    const link = /\/boka\?ombokning=(\S+)/.exec(job[0].body)?.[1];
    expect((await api(app.url, 'GET', `/api/booking-links/${link}`)).body.booking.id).toBe(booked.body.id);
    // reminders wait out 20:00–08:00; in the daytime it arrives
    const hour = Number(
      new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', hour: '2-digit' }).format(new Date()),
    );
    if (hour >= 8 && hour < 20) {
      await waitFor(
        () => sink.messages.find((m) => m.to === '+46701740640' && /Påminnelse/.test(m.message)),
        10_000,
      );
    } else {
      const { rows: st } = await db().query(`SELECT status FROM notification WHERE id = $1`, [job[0].id]);
      expect(st[0].status).toBe('PENDING');
    }
  });
});

describe('next-dose reminders (issue 6)', () => {
  /** A person with a phone and dose 1 of a two-dose product, given `daysAgo` days ago. */
  async function doseOne(daysAgo: number, opts: { protectedIdentity?: boolean } = {}) {
    const { rows } = await db().query(
      `WITH p AS (
         INSERT INTO patient (identity_number, identity_type, first_name, last_name, phone, protected_identity)
         VALUES ($1, 'PERSONNUMMER', 'Dosa', 'Två', CASE WHEN $3 THEN NULL ELSE '+46701749' || lpad((random() * 999)::int::text, 3, '0') END, $3)
         RETURNING id, phone
       ), pr AS (
         SELECT id, dose_interval_days FROM product WHERE doses_in_series = 2 AND dose_interval_days IS NOT NULL
          ORDER BY dose_interval_days LIMIT 1
       ), v AS (
         INSERT INTO vaccination (patient_id, product_id, dose_number, given_at, given_on, unit_id, care_provider_id,
                                  historical, comment)
         SELECT p.id, pr.id, 1, now() - make_interval(days => pr.dose_interval_days + $2),
                (now() AT TIME ZONE 'Europe/Stockholm')::date - (pr.dose_interval_days + $2), u.id, u.care_provider_id,
                true, 'nästa dos-prov'
           FROM p, pr, unit u WHERE u.id = $4
         RETURNING id, patient_id, product_id
       )
       SELECT v.id, v.patient_id, v.product_id, p.phone FROM v, p`,
      [newPersonnummer(), daysAgo, opts.protectedIdentity ?? false, units.U1],
    );
    return rows[0] as { id: string; patient_id: string; product_id: string; phone: string | null };
  }
  const remindersOf = async (vaccinationId: string) =>
    (
      await db().query(
        `SELECT to_phone, body, status FROM notification WHERE dedupe_key = 'next-dose:' || $1`,
        [vaccinationId],
      )
    ).rows;

  it('once the interval has passed: one SMS per dose, none when dose 2 is on record, none for R3, none for long-past doses', async () => {
    const due = await doseOne(1);
    const notYet = await doseOne(-3); // falls due in three days
    const longAgo = await doseOne(400); // fell due more than two weeks ago: not messaged
    const protectedOne = await doseOne(1, { protectedIdentity: true });
    const hasDoseTwo = await doseOne(2);
    await db().query(
      `INSERT INTO vaccination (patient_id, product_id, dose_number, given_at, given_on, unit_id, care_provider_id, historical)
       SELECT $1, $2, 2, now(), (now() AT TIME ZONE 'Europe/Stockholm')::date, u.id, u.care_provider_id, true
         FROM unit u WHERE u.id = $3`,
      [hasDoseTwo.patient_id, hasDoseTwo.product_id, units.U1],
    );

    const reminders = app.app.get(RemindersProcessor);
    expect(await reminders.createNextDoseReminders()).toBeGreaterThanOrEqual(1);
    expect(await reminders.createNextDoseReminders()).toBe(0); // however often it runs

    const [msg] = await remindersOf(due.id);
    expect(msg).toMatchObject({ to_phone: due.phone });
    expect(msg.body).toMatch(/dags för dos 2/);
    expect(msg.body).not.toMatch(/\d{10,12}/); // never an identity number
    for (const none of [notYet, longAgo, protectedOne, hasDoseTwo])
      expect(await remindersOf(none.id)).toEqual([]);
  });
});

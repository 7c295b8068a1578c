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
      `SELECT id FROM notification WHERE booking_id = $1 AND kind = 'REMINDER'`,
      [booked.body.id],
    );
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

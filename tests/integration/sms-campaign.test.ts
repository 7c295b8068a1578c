import { QueueRegistry } from '../../backend/src/infra/queue/queue.registry';
import { RemindersProcessor } from '../../backend/src/notifications/reminders.processor';
import { SmsClock } from '../../backend/src/notifications/sms-clock';
import { smsJobId } from '../../backend/src/notifications/sms-jobs';
import { startSmsSink, SmsSink } from '../../backend/src/notifications/sms-sink';
import { ChildHandle, startRedisServer, startWorkerProcess } from '../support/processes';
import { TEST_REDIS_PREFIX } from '../support/test-env';
import { api, closeDb, db, freeSlot, login, newPersonnummer, seedInfo, startApp } from '../support/harness';

const { units } = seedInfo();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  await closeDb();
});

/**
 * `n` booked slots on a day far ahead at a unit, each booking with its own phone
 * (`<prefix><7 digits>`): the recipients of a campaign. Arranged directly in SQL.
 */
async function arrangeBookedDay(unitId: string, daysAhead: number, n: number, phonePrefix: string) {
  const { rows } = await db().query(`SELECT to_char(current_date + $1::int, 'YYYY-MM-DD') AS date`, [
    daysAhead,
  ]);
  const date = rows[0].date as string;
  await db().query(
    `INSERT INTO slot (unit_id, resource_id, "column", date, starts_at, ends_at, status)
     SELECT $1, r.id, 1 + i % 20, $2::date,
            (($2::date + time '07:00') AT TIME ZONE 'Europe/Stockholm') + (i / 20) * interval '5 minutes',
            (($2::date + time '07:05') AT TIME ZONE 'Europe/Stockholm') + (i / 20) * interval '5 minutes', 'BOOKED'
       FROM timebook_resource r, generate_series(0, $3::int - 1) i
      WHERE r.unit_id = $1 AND r.kind = 'SKOTERSKA'`,
    [unitId, date, n],
  );
  await db().query(
    `WITH vt AS (SELECT id FROM visit_type WHERE unit_id = $1 AND resource = 'SKOTERSKA' AND retired_at IS NULL
                  ORDER BY id LIMIT 1),
          p AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS c FROM patient
                 WHERE NOT protected_identity AND NOT sms_opt_out),
          s AS (SELECT id, row_number() OVER (ORDER BY starts_at, "column") AS rn FROM slot
                 WHERE unit_id = $1 AND date = $2::date)
     INSERT INTO booking (slot_id, unit_id, patient_id, visit_type_id, status, phone)
     SELECT s.id, $1, p.id, vt.id, 'ACTIVE', $3 || lpad(s.rn::text, 7, '0')
       FROM s JOIN p ON p.k = (s.rn - 1) % p.c, vt`,
    [unitId, date, phonePrefix],
  );
  return date;
}

/** Two digits that differ between runs, so that numbers (and days) of an earlier run in the same database never count. */
function runTag(): string {
  return String(Math.floor(Math.random() * 100)).padStart(2, '0');
}

async function notificationStates(campaignId: string): Promise<Record<string, number>> {
  const { rows } = await db().query(
    `SELECT status::text, count(*)::int AS n FROM notification WHERE campaign_id = $1 GROUP BY status`,
    [campaignId],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting: ${what}`);
}

/** Messages per recipient at the sink, for the numbers starting with `prefix`. */
function countByRecipient(sink: SmsSink, prefix: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const msg of sink.messages) if (msg.to.startsWith(prefix)) m.set(msg.to, (m.get(msg.to) ?? 0) + 1);
  return m;
}

describe('mass SMS campaigns: exactly once for every recipient (R17, R18)', () => {
  it('2,000 recipients, the provider failing one request in five, the worker process SIGKILLed halfway and restarted: everyone gets exactly one message', async () => {
    const N = 2000;
    const prefix = `+4673${runTag()}`;
    const date = await arrangeBookedDay(units.U1, 200 + Math.floor(Math.random() * 150), N, prefix);
    const sink = await startSmsSink();
    sink.control.failRate = 0.2;
    sink.control.receipts = false;
    const smsEnv = {
      SMS_PROVIDER_URL: sink.url,
      SMS_RATE_PER_SECOND: '1000',
      SMS_TIMEOUT_MS: '1000',
    };
    // HTTP and the outbox relay here; the worker in a process of its own, to be killed
    const apiApp = await startApp({ PROCESS_ROLE: 'api', ...smsEnv });
    let worker: ChildHandle | undefined;
    try {
      const env = { ...smsEnv, PUBLIC_URL: apiApp.url };
      worker = await startWorkerProcess(env, 'sms-worker-1');
      const booker = (await login(apiApp.url, 'SE2321000057-B001', units.U1)).token;
      const res = await api(apiApp.url, 'POST', `/api/units/${units.U1}/mass-cancellations`, {
        token: booker,
        body: { date, message: 'Vaccinleveransen uteblev. Boka ny tid.', urgent: true },
      });
      expect(res.status).toBe(202);
      expect(res.body.total).toBe(N);
      const campaignId = res.body.massCancellationId as string;

      // halfway: the provider takes the next messages but answers late, and the worker dies meanwhile —
      // those were sent although the database never heard so
      await until(
        'half the messages at the sink',
        async () => countByRecipient(sink, prefix).size >= N / 2,
        120_000,
      );
      sink.control.hangAfterAcceptRate = 1;
      sink.control.hangMs = 20_000;
      const atKill = sink.messages.length;
      await until('messages taken without an answer', async () => sink.messages.length >= atKill + 5, 10_000);
      await worker.kill('SIGKILL');
      sink.control.hangAfterAcceptRate = 0;
      const states = await notificationStates(campaignId);
      expect(states.SENDING ?? 0).toBeGreaterThan(0); // cut off mid-send

      worker = await startWorkerProcess(env, 'sms-worker-2');
      await until(
        'every notification sent',
        async () => {
          const s = await notificationStates(campaignId);
          return s.SENT === N;
        },
        120_000,
      );
      const counts = countByRecipient(sink, prefix);
      expect(counts.size).toBe(N);
      const duplicates = [...counts].filter(([, c]) => c !== 1);
      expect(duplicates).toEqual([]);
      // and the database agrees: each notification carries the id of the one message the sink has
      const { rows } = await db().query(
        `SELECT count(DISTINCT provider_message_id)::int AS n FROM notification WHERE campaign_id = $1`,
        [campaignId],
      );
      const sinkIds = new Set(sink.messages.filter((m) => m.to.startsWith(prefix)).map((m) => m.id));
      expect(rows[0].n).toBe(N);
      expect(sinkIds.size).toBe(N);
    } finally {
      await worker?.kill('SIGTERM');
      await apiApp.close();
      await sink.close();
    }
  }, 300_000);
});

describe('a Redis restart mid-campaign (Redis keeps nothing on disk)', () => {
  it('loses every job and scheduler, yet the campaign finishes: no duplicates, no losses', async () => {
    const N = 600;
    const prefix = `+4674${runTag()}`;
    const date = await arrangeBookedDay(units.U1, 200 + Math.floor(Math.random() * 150), N, prefix);
    const redisPort = 6391;
    let redis = await startRedisServer(redisPort);
    const sink = await startSmsSink();
    sink.control.failRate = 0.1;
    sink.control.receipts = false;
    const app = await startApp({
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      SMS_PROVIDER_URL: sink.url,
      SMS_RATE_PER_SECOND: '1000',
      SMS_TIMEOUT_MS: '1000',
    });
    try {
      const booker = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
      const res = await api(app.url, 'POST', `/api/units/${units.U1}/mass-cancellations`, {
        token: booker,
        body: { date, message: 'Vaccinleveransen uteblev. Boka ny tid.', urgent: true },
      });
      expect(res.status).toBe(202);
      const campaignId = res.body.massCancellationId as string;
      await until(
        'a quarter of the messages at the sink',
        async () => countByRecipient(sink, prefix).size >= N / 4,
        120_000,
      );

      await redis.kill('SIGKILL');
      redis = await startRedisServer(redisPort); // empty: every job, scheduler and lock is gone
      const states = await notificationStates(campaignId);
      expect((states.PENDING ?? 0) + (states.SENDING ?? 0)).toBeGreaterThan(0);

      await until(
        'every notification sent',
        async () => {
          const s = await notificationStates(campaignId);
          return s.SENT === N;
        },
        120_000,
      );
      const counts = countByRecipient(sink, prefix);
      expect(counts.size).toBe(N);
      expect([...counts].filter(([, c]) => c !== 1)).toEqual([]);
      const { rows } = await db().query(`SELECT status::text FROM mass_cancellation WHERE id = $1`, [
        campaignId,
      ]);
      expect(rows[0].status).toBe('COMPLETED');
      // the schedulers are back too
      const { Queue } = await import('bullmq');
      const q = new Queue('timebook', {
        connection: { host: '127.0.0.1', port: redisPort },
        prefix: `${TEST_REDIS_PREFIX}:bull`,
      });
      try {
        const schedulers = await q.getJobSchedulers();
        expect(schedulers.map((s) => s.name)).toContain('timebook.release-expired-holds');
      } finally {
        await q.close();
      }
    } finally {
      await app.close();
      await sink.close();
      await redis.kill('SIGTERM');
    }
  }, 300_000);
});

describe('quiet hours with a controlled clock (R18)', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  let sink: SmsSink;
  beforeAll(async () => {
    sink = await startSmsSink();
    app = await startApp({ SMS_PROVIDER_URL: sink.url, SMS_RATE_PER_SECOND: '1000' });
  });
  afterAll(async () => {
    app.app.get(SmsClock).set(undefined);
    await app.close();
    await sink.close();
  });

  it('at 22:00 a reminder waits and goes at 08:00, a booking confirmation goes at once, an urgent campaign at once and a normal one waits', async () => {
    const clock = app.app.get(SmsClock);
    clock.set(() => new Date('2026-11-23T21:00:00Z')); // 22:00 in Stockholm
    const booker = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
    const phone = `+46701740${650 + Math.floor(Math.random() * 50)}`; // the fiction range
    const { slotId, visitTypeId } = await freeSlot(units.U1);
    const booked = await api(app.url, 'POST', '/api/bookings', {
      token: booker,
      body: { slotId, visitTypeId, patient: { personalIdentityNumber: newPersonnummer(), phone } },
    });
    expect(booked.status).toBe(201);
    // the answer to what someone just did: at once, quiet hours or not
    await until(
      'the confirmation',
      async () => sink.messages.some((m) => m.to === phone && /bokad/.test(m.message)),
      20_000,
    );

    const { rows } = await db().query(
      `SELECT extract(epoch FROM starts_at - now())::int AS s FROM slot WHERE id = $1`,
      [slotId],
    );
    const reminders = app.app.get(RemindersProcessor);
    await reminders.createReminders(`${rows[0].s - 30} seconds`, `${rows[0].s + 30} seconds`);
    const { rows: n } = await db().query(
      `SELECT id FROM notification WHERE booking_id = $1 AND kind = 'REMINDER'`,
      [booked.body.id],
    );
    const sms = app.app.get(QueueRegistry).queue('sms');
    const jobId = smsJobId(n[0].id);
    await until(
      'the reminder held until morning',
      async () => (await sms.getJobState(jobId)) === 'delayed',
      20_000,
    );
    const held = await sms.getJob(jobId);
    // held for the night: until 08:00, ten hours after 22:00
    expect(held!.delay).toBeGreaterThan(9.9 * 3600_000);
    expect(held!.delay).toBeLessThanOrEqual(10 * 3600_000 + 1000);
    expect(sink.messages.some((m) => m.to === phone && /Påminnelse/.test(m.message))).toBe(false);

    // two campaigns at 22:00: the urgent one goes now, the other waits
    const urgentPrefix = `+4675${runTag()}`;
    const normalPrefix = `+4676${runTag()}`;
    const day1 = await arrangeBookedDay(units.U1, 200 + Math.floor(Math.random() * 150), 3, urgentPrefix);
    const day2 = await arrangeBookedDay(units.U1, 200 + Math.floor(Math.random() * 150), 3, normalPrefix);
    const normal = await api(app.url, 'POST', `/api/units/${units.U1}/mass-cancellations`, {
      token: booker,
      body: { date: day2, message: 'Inställt.', urgent: false },
    });
    const urgent = await api(app.url, 'POST', `/api/units/${units.U1}/mass-cancellations`, {
      token: booker,
      body: { date: day1, message: 'Inställt i dag.', urgent: true },
    });
    expect([normal.status, urgent.status]).toEqual([202, 202]);
    await until(
      'the urgent campaign at the sink',
      async () => countByRecipient(sink, urgentPrefix).size === 3,
      30_000,
    );
    await until(
      'the normal campaign held',
      async () => {
        const { rows: ids } = await db().query(
          `SELECT id, job_seq FROM notification WHERE campaign_id = $1`,
          [normal.body.massCancellationId],
        );
        if (ids.length !== 3) return false;
        const states = await Promise.all(ids.map((r) => sms.getJobState(smsJobId(r.id, r.job_seq))));
        return states.every((s) => s === 'delayed');
      },
      30_000,
    );
    expect(countByRecipient(sink, normalPrefix).size).toBe(0);

    // 08:00 the next morning: what waited goes
    clock.set(() => new Date('2026-11-24T07:00:00Z'));
    await held!.promote();
    await until(
      'the reminder at 08:00',
      async () => sink.messages.some((m) => m.to === phone && /Påminnelse/.test(m.message)),
      20_000,
    );
    expect(sink.messages.filter((m) => m.to === phone)).toHaveLength(2);
  }, 120_000);
});

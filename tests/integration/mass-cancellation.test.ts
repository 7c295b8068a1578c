import { Queue } from 'bullmq';
import { TimebookService } from '../../backend/src/timebook/timebook.service';
import { TEST_REDIS_PREFIX, TEST_REDIS_URL } from '../support/test-env';
import {
  api,
  closeDb,
  connected,
  connectLive,
  db,
  login,
  seedInfo,
  startApp,
  subscribe,
  waitFor,
} from '../support/harness';

const { units } = seedInfo();

afterAll(async () => {
  await closeDb();
});

describe('mass cancellation (R17)', () => {
  it('with the worker dying halfway: after restart every booking of the day is cancelled once, with exactly one SMS job each', async () => {
    // A unit-day with bookings; some have phones, some not, one may be protected.
    const { rows: days } = await db().query(
      `SELECT to_char(s.date, 'YYYY-MM-DD') AS date, count(*)::int AS n FROM booking b JOIN slot s ON s.id = b.slot_id
        WHERE b.unit_id = $1 AND b.status = 'ACTIVE' AND s.date > current_date
        GROUP BY s.date ORDER BY count(*) DESC LIMIT 1`,
      [units.U2],
    );
    const date = days[0].date as string;
    const { rows: before } = await db().query(
      `SELECT b.id FROM booking b JOIN slot s ON s.id = b.slot_id
        WHERE b.unit_id = $1 AND b.status = 'ACTIVE' AND s.date = $2::date`,
      [units.U2, date],
    );
    expect(before.length).toBeGreaterThan(3);

    // An API instance without workers takes the request; the job waits in the queue.
    const apiOnly = await startApp({ PROCESS_ROLE: 'api' });
    let jobId: string;
    let massCancellationId: string;
    try {
      const token = (await login(apiOnly.url, 'SE2321000057-B002')).token;
      const s = connectLive(apiOnly.url, token);
      await connected(s);
      const ack = await subscribe(s, { topic: 'jobs', unitId: units.U2 });
      expect(ack.ok).toBe(true);
      const progress: any[] = [];
      s.on('job.progress', (e) => progress.push(e));
      const bad = await api(apiOnly.url, 'POST', `/api/units/${units.U2}/mass-cancellations`, {
        token,
        body: { date, from: '12:00', to: '09:00', message: 'x' },
      });
      expect(bad.status).toBe(400);
      const res = await api(apiOnly.url, 'POST', `/api/units/${units.U2}/mass-cancellations`, {
        token,
        body: { date, message: 'Vaccinleveransen uteblev.' },
      });
      expect(res.status).toBe(202);
      ({ jobId, massCancellationId } = res.body);
      expect(res.body.total).toBe(before.length);

      // "The worker died halfway": the first batch was cancelled by the job's own code path, then nothing.
      await apiOnly.app
        .get(TimebookService)
        .cancelWithNotices(
          units.U2,
          { massCancellationId, limit: 2 },
          { id: 'crashed-worker', assignmentId: null, role: null },
          'Massavbokning',
          'Vaccinleveransen uteblev.',
          jobId,
        );
      await waitFor(() => progress.find((p) => p.jobId === jobId && p.progress.done === 2), 3000);

      // A worker starts and resumes.
      const worker = await startApp({ PROCESS_ROLE: 'worker' });
      try {
        await waitFor(() => progress.find((p) => p.jobId === jobId && p.state === 'completed'), 15_000);
      } finally {
        await worker.close();
      }
      s.close();
      const status = await api(apiOnly.url, 'GET', `/api/jobs/${jobId}`, { token });
      expect(status.body).toMatchObject({
        state: 'completed',
        progress: { done: before.length, total: before.length },
      });
    } finally {
      await apiOnly.close();
    }

    const { rows: after } = await db().query(
      `SELECT b.status, b.mass_cancellation_id, s.status AS slot,
              (SELECT count(*)::int FROM notification n WHERE n.booking_id = b.id AND n.kind = 'CANCELLATION') AS notices,
              (SELECT n.id FROM notification n WHERE n.booking_id = b.id AND n.kind = 'CANCELLATION') AS notification_id,
              coalesce(b.phone, p.phone) IS NOT NULL AND NOT p.protected_identity AND NOT p.sms_opt_out AS smsable
         FROM booking b JOIN slot s ON s.id = b.slot_id JOIN patient p ON p.id = b.patient_id
        WHERE b.id = ANY($1::text[])`,
      [before.map((r) => r.id)],
    );
    expect(
      after.every((r) => r.status === 'CANCELLED' && r.mass_cancellation_id === massCancellationId),
    ).toBe(true);
    expect(after.every((r) => r.slot === 'FREE' || r.slot === 'BLOCKED')).toBe(true);
    for (const r of after) expect(r.notices).toBe(r.smsable ? 1 : 0);
    const { rows: audits } = await db().query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'booking.cancel' AND detail->>'massCancellationId' = $1`,
      [massCancellationId],
    );
    expect(audits[0].n).toBe(before.length);

    // exactly one SMS job per notification, under its deterministic id
    const sms = new Queue('sms', {
      connection: { url: TEST_REDIS_URL },
      prefix: `${TEST_REDIS_PREFIX}:bull`,
    });
    sms.on('error', () => undefined);
    try {
      const jobs = await sms.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
      const ids = after.filter((r) => r.notification_id).map((r) => `sms-${r.notification_id}`);
      const mine = jobs.filter((j) => ids.includes(j.id!));
      expect(mine).toHaveLength(ids.length);
      expect(new Set(mine.map((j) => j.id)).size).toBe(ids.length);
    } finally {
      await sms.close();
    }
  });
});

import { Queue, Worker } from 'bullmq';
import { startSmsSink, SmsSink } from '../../backend/src/notifications/sms-sink';
import { BenchContext, load1, log } from './context';
import { BENCH_HSA_ID, BENCH_REDIS_PREFIX, BENCH_REDIS_URL } from './data';
import { devLogin, JsonClient } from './http-client';
import { startServer } from './servers';
import { round, sleep } from './stats';

export interface SmsMeasurement {
  recipients: number;
  /** POST → every message's job in the queue */
  enqueueSeconds: number;
  /** POST → every message at the sink (ours) / every job processed (baseline) */
  totalSeconds: number;
  perSec: number;
  /** recipients with more than one message, and with none */
  duplicates: number;
  missing: number;
  load: number;
}

export interface SmsRound {
  ours: SmsMeasurement;
  baseline: SmsMeasurement;
}

const redisConnection = () => {
  const u = new URL(BENCH_REDIS_URL);
  return { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
};

/**
 * Mass SMS: a campaign to N booked patients of one day, through the API (one statement writes
 * the campaign and N notifications; a job enqueues them in pages; the workers claim, send to the
 * local sink and record each), against bare BullMQ `addBulk` of N jobs and a no-op worker.
 * Our send rate is capped by SMS_RATE_PER_SECOND (its maximum, 1000/s, here).
 */
export async function benchSms(ctx: BenchContext, recipients: number): Promise<SmsRound> {
  const baseline = await baselineOnce(recipients);
  const ours = await oursOnce(ctx, recipients);
  return { ours, baseline };
}

async function arrange(ctx: BenchContext, n: number): Promise<string> {
  const { pool, data } = ctx;
  const { rows } = await pool.query(`SELECT to_char(current_date + 200, 'YYYY-MM-DD') AS date`);
  const date = rows[0].date as string;
  await pool.query(
    `INSERT INTO slot (unit_id, resource_id, "column", date, starts_at, ends_at, status)
     SELECT $1, r.id, 1 + i % 100, $2::date,
            (($2::date + time '06:00') AT TIME ZONE 'Europe/Stockholm') + (i / 100) * interval '1 minute',
            (($2::date + time '06:01') AT TIME ZONE 'Europe/Stockholm') + (i / 100) * interval '1 minute', 'BOOKED'
       FROM timebook_resource r, generate_series(0, $3::int - 1) i
      WHERE r.unit_id = $1
     ON CONFLICT DO NOTHING`,
    [data.unitId, date, n],
  );
  await pool.query(
    // the bench's own patients (the coverage row may have added a region's worth, some with a
    // protected identity); the count apart, so that the join is a hash join on one side's key
    `WITH p AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM patient WHERE identity_number = ANY($4::text[])),
          n AS (SELECT count(*) AS c FROM p),
          s AS (SELECT id, row_number() OVER (ORDER BY starts_at, "column") AS rn FROM slot
                 WHERE unit_id = $1 AND date = $2::date AND NOT EXISTS (SELECT 1 FROM booking b WHERE b.slot_id = slot.id))
     INSERT INTO booking (slot_id, unit_id, patient_id, visit_type_id, status, phone)
     SELECT s.id, $1, p.id, $3, 'ACTIVE', '+4679' || lpad(s.rn::text, 7, '0')
       FROM s CROSS JOIN n JOIN p ON p.k = (s.rn - 1) % n.c`,
    [data.unitId, date, data.visitTypeId, data.patients],
  );
  return date;
}

function verdict(sink: SmsSink, n: number): { duplicates: number; missing: number } {
  const counts = new Map<string, number>();
  for (const m of sink.messages) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
  let duplicates = 0;
  for (const c of counts.values()) if (c > 1) duplicates++;
  return { duplicates, missing: n - counts.size };
}

async function oursOnce(ctx: BenchContext, n: number): Promise<SmsMeasurement> {
  const date = await arrange(ctx, n);
  const sink = await startSmsSink();
  sink.control.receipts = false;
  const server = await startServer({
    SMS_PROVIDER_URL: sink.url,
    SMS_RATE_PER_SECOND: '1000',
  });
  const queue = new Queue('sms', { connection: redisConnection(), prefix: `${BENCH_REDIS_PREFIX}:bull` });
  try {
    const token = await devLogin(server.url, BENCH_HSA_ID);
    const client = new JsonClient(server.url, 1);
    const load = load1();
    const t0 = Date.now();
    const res = await client.post(
      `/api/units/${ctx.data.unitId}/sms-campaigns`,
      { date, message: 'Bänk: ta med legitimation.', urgent: true },
      token,
    );
    client.close();
    if (res.status !== 202) throw new Error(`campaign: ${res.status} ${res.body.slice(0, 300)}`);
    let enqueueSeconds = NaN;
    const deadline = Date.now() + Math.max(120_000, n * 20);
    while (Date.now() < deadline) {
      if (Number.isNaN(enqueueSeconds)) {
        const c = await queue.getJobCounts(
          'waiting',
          'active',
          'delayed',
          'completed',
          'failed',
          'prioritized',
        );
        if (Object.values(c).reduce((a, b) => a + b, 0) >= n) enqueueSeconds = (Date.now() - t0) / 1000;
      }
      if (sink.messages.length >= n) break;
      await sleep(200);
    }
    const totalSeconds = (Date.now() - t0) / 1000;
    await sleep(1000); // a late duplicate would show now
    const v = verdict(sink, n);
    log(
      `mass SMS ours: ${n} recipients, enqueued in ${round(enqueueSeconds, 2)} s, delivered in ` +
        `${round(totalSeconds, 1)} s (${Math.round(n / totalSeconds)}/s); duplicates ${v.duplicates}, missing ${v.missing}`,
    );
    return { recipients: n, enqueueSeconds, totalSeconds, perSec: n / totalSeconds, ...v, load };
  } finally {
    await queue.close();
    await server.stop();
    await sink.close();
  }
}

async function baselineOnce(n: number): Promise<SmsMeasurement> {
  const name = 'bench-baseline-sms';
  const prefix = `${BENCH_REDIS_PREFIX}:baseline`;
  const queue = new Queue(name, { connection: redisConnection(), prefix });
  await queue.obliterate({ force: true });
  let processed = 0;
  const seen = new Map<string, number>();
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const worker = new Worker(
    name,
    async (job) => {
      const to = (job.data as { to: string }).to;
      seen.set(to, (seen.get(to) ?? 0) + 1);
      if (++processed >= n) finished();
    },
    { connection: redisConnection(), prefix, concurrency: 10, autorun: false },
  );
  try {
    const load = load1();
    const t0 = Date.now();
    for (let i = 0; i < n; i += 1000) {
      await queue.addBulk(
        Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({
          name: 'send',
          data: { to: `+4679${String(i + k + 1).padStart(7, '0')}` },
          opts: { jobId: `b-${i + k}`, removeOnComplete: true },
        })),
      );
    }
    const enqueueSeconds = (Date.now() - t0) / 1000;
    void worker.run();
    await done;
    const totalSeconds = (Date.now() - t0) / 1000;
    let duplicates = 0;
    for (const c of seen.values()) if (c > 1) duplicates++;
    log(
      `mass SMS baseline: ${n} jobs, addBulk in ${round(enqueueSeconds, 2)} s, processed in ${round(totalSeconds, 1)} s (${Math.round(n / totalSeconds)}/s)`,
    );
    return {
      recipients: n,
      enqueueSeconds,
      totalSeconds,
      perSec: n / totalSeconds,
      duplicates,
      missing: n - seen.size,
      load,
    };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

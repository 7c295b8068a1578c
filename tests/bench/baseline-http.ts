/**
 * Baseline for the booking rush, run as a child process: a bare Node `http` server doing the
 * same booking transaction the most direct way — one CTE statement through `pg` (pool of 20):
 * conditional slot update FREE → BOOKED, booking insert (patient looked up by identity number),
 * the topic version bump and the outbox insert. The version bump is part of "the same work": the
 * outbox row needs its per-topic version, and the design bumps it in the writing transaction so
 * that version order is commit order. No framework, no validation library, no auth, no audit,
 * no alternatives on a conflict.
 *
 * Env: DATABASE_URL, PORT. `GET /health` → 200; `POST /api/bookings` → 201 | 409 | 400.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Pool } from 'pg';

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: 20,
  options: '-c TimeZone=Europe/Stockholm',
});
pool.on('error', () => undefined);

const BOOK = `
  WITH s AS (
    UPDATE slot SET status = 'BOOKED'
     WHERE id = $1 AND status = 'FREE' AND starts_at > now()
    RETURNING id, unit_id, date, starts_at, "column"
  ), b AS (
    INSERT INTO booking (slot_id, unit_id, patient_id, visit_type_id)
    SELECT s.id, s.unit_id, (SELECT p.id FROM patient p WHERE p.identity_number = $3), $2 FROM s
    RETURNING id, slot_id, unit_id, visit_type_id
  ), v AS (
    INSERT INTO topic_version (topic_key, version) SELECT 'timebook:' || b.unit_id, 1 FROM b
    ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
    RETURNING version
  ), o AS (
    INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
    SELECT 'timebook', 'timebook:' || b.unit_id, v.version, 'booking.created',
           json_build_object('unitId', b.unit_id, 'cause', 'booking.created', 'changes', json_build_array(
             json_build_object('slotId', s.id, 'date', s.date, 'start', s.starts_at, 'column', s."column",
                               'from', 'FREE', 'to', 'BOOKED', 'bookingId', b.id, 'visitTypeId', b.visit_type_id)))
      FROM b, v, s
    RETURNING id
  )
  SELECT b.id FROM b, o`;

interface BookingBody {
  slotId?: unknown;
  visitTypeId?: unknown;
  patient?: { personalIdentityNumber?: unknown };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function book(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: BookingBody;
  try {
    body = JSON.parse(await readBody(req)) as BookingBody;
  } catch {
    return send(res, 400, { statusCode: 400, error: 'Bad Request', message: 'malformed JSON' });
  }
  const pnr = body.patient?.personalIdentityNumber;
  if (typeof body.slotId !== 'string' || typeof body.visitTypeId !== 'string' || typeof pnr !== 'string') {
    return send(res, 400, {
      statusCode: 400,
      error: 'Bad Request',
      message: 'slotId, visitTypeId, patient required',
    });
  }
  const { rows } = await pool.query<{ id: string }>(BOOK, [body.slotId, body.visitTypeId, pnr]);
  if (rows[0]) return send(res, 201, { id: rows[0].id, slotId: body.slotId, status: 'ACTIVE' });
  send(res, 409, {
    statusCode: 409,
    error: 'Conflict',
    message: 'the slot was taken',
    code: 'SLOT_TAKEN',
    alternatives: [],
  });
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return send(res, 200, { status: 'ok' });
  if (req.method === 'POST' && req.url === '/api/bookings') {
    book(req, res).catch((err: Error) =>
      send(res, 500, { statusCode: 500, error: 'Internal Server Error', message: err.message }),
    );
    return;
  }
  send(res, 404, { statusCode: 404, error: 'Not Found', message: 'not found' });
});
// Same keep-alive window as Fastify's default, so neither side closes idle client sockets early.
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT), '127.0.0.1');

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
});

/**
 * Baseline for stock contention, run as a child process: a bare Node `http` server doing the same
 * stock movement the most direct way — one statement through `pg` (pool of 20): the conditional
 * update of the balance row (never below zero, row version + 1) and the ledger insert with the
 * balance after it. A receipt is the same with an upsert of the balance row. No framework, no
 * validation library, no auth, no topic version, no outbox event, no idempotency record.
 *
 * Env: DATABASE_URL, PORT. `GET /health` → 200;
 * `POST /api/units/:unitId/stock/movements` { kind: 'WASTAGE' | 'RECEIPT', batchId, doses, reason? }
 * → 201 { movementId, balance: { batchId, doses, rowVersion } } | 422 { code: 'BELOW_ZERO' } | 400.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Pool } from 'pg';

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: 20,
  options: '-c TimeZone=Europe/Stockholm',
});
pool.on('error', () => undefined);

// Under READ COMMITTED a waiting UPDATE re-checks `doses - n >= 0` on the newest row version
// once the holder commits: no lost update, no negative balance.
const WASTAGE = `
  WITH upd AS (
    UPDATE stock_balance SET doses = doses - $3, row_version = row_version + 1, updated_at = now()
     WHERE unit_id = $1 AND batch_id = $2 AND doses - $3 >= 0
    RETURNING doses, row_version
  ), led AS (
    INSERT INTO stock_movement (unit_id, batch_id, kind, delta, balance_after, reason)
    SELECT $1, $2, 'WASTAGE', -$3::int, upd.doses, $4::"WastageReason" FROM upd
    RETURNING id
  )
  SELECT led.id, upd.doses, upd.row_version FROM upd, led`;

const RECEIPT = `
  WITH upd AS (
    INSERT INTO stock_balance (unit_id, batch_id, doses, row_version) VALUES ($1, $2, $3, 1)
    ON CONFLICT (unit_id, batch_id) DO UPDATE
      SET doses = stock_balance.doses + EXCLUDED.doses, row_version = stock_balance.row_version + 1,
          updated_at = now()
    RETURNING doses, row_version
  ), led AS (
    INSERT INTO stock_movement (unit_id, batch_id, kind, delta, balance_after)
    SELECT $1, $2, 'RECEIPT', $3::int, upd.doses FROM upd
    RETURNING id
  )
  SELECT led.id, upd.doses, upd.row_version FROM upd, led`;

const PATH = /^\/api\/units\/([^/]+)\/stock\/movements$/;

interface MovementBody {
  kind?: unknown;
  batchId?: unknown;
  doses?: unknown;
  reason?: unknown;
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

const badRequest = (res: ServerResponse, message: string) =>
  send(res, 400, { statusCode: 400, error: 'Bad Request', message });

async function move(unitId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: MovementBody;
  try {
    body = JSON.parse(await readBody(req)) as MovementBody;
  } catch {
    return badRequest(res, 'malformed JSON');
  }
  const { kind, batchId, doses, reason } = body;
  if (typeof batchId !== 'string' || !Number.isInteger(doses) || (doses as number) < 1)
    return badRequest(res, 'batchId and a positive whole doses are required');
  if (kind === 'WASTAGE' && typeof reason !== 'string') return badRequest(res, 'reason is required');
  if (kind !== 'WASTAGE' && kind !== 'RECEIPT') return badRequest(res, 'kind: WASTAGE or RECEIPT');
  const { rows } = await pool.query<{ id: string; doses: number; row_version: number }>(
    kind === 'WASTAGE'
      ? { name: 'wastage', text: WASTAGE, values: [unitId, batchId, doses, reason] }
      : { name: 'receipt', text: RECEIPT, values: [unitId, batchId, doses] },
  );
  const row = rows[0];
  if (row) {
    return send(res, 201, {
      movementId: Number(row.id),
      balance: { batchId, doses: row.doses, rowVersion: row.row_version },
    });
  }
  send(res, 422, {
    statusCode: 422,
    error: 'Unprocessable Entity',
    message: 'the balance would go below zero',
    code: 'BELOW_ZERO',
  });
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return send(res, 200, { status: 'ok' });
  const path = req.method === 'POST' ? PATH.exec(req.url ?? '') : null;
  if (path) {
    move(decodeURIComponent(path[1]!), req, res).catch((err: Error) =>
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

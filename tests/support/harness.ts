import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { io, Socket } from 'socket.io-client';
import { loadConfig } from '../../backend/src/config/config';
import { bootstrap, Running } from '../../backend/src/main';
import type { ClientToServerEvents, ServerToClientEvents } from '../../backend/src/realtime/events';
import {
  SEED_SUMMARY_FILE,
  TEST_DATABASE_URL,
  TEST_NVR_EXPORT_DIR,
  TEST_REDIS_PREFIX,
  TEST_REDIS_URL,
} from './test-env';

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface SeedInfo {
  regionId: string;
  units: { U1: string; U2: string; U3: string; SM: string };
}

export function seedInfo(): SeedInfo {
  return JSON.parse(readFileSync(SEED_SUMMARY_FILE, 'utf8')) as SeedInfo;
}

/** Starts a real instance (HTTP + sockets + relay and/or workers) on a free port. */
export async function startApp(env: Record<string, string> = {}): Promise<Running & { url: string }> {
  const config = loadConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: TEST_REDIS_PREFIX,
    AUTH_MODE: 'dev',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DASHBOARD_DIR: '/nonexistent',
    DB_POOL_SIZE: '10',
    NVR_EXPORT_DIR: TEST_NVR_EXPORT_DIR,
    // tests make many requests with one token or none; tests/integration/rate-limit.test.ts sets its own
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_ANON_PER_MINUTE: '1000000',
    ...env,
  });
  const running = await bootstrap(config);
  return running as Running & { url: string };
}

let pool: Pool | undefined;
/** Direct SQL for arranging and checking state (never for the behaviour under test). */
export function db(): Pool {
  pool ??= new Pool({ connectionString: TEST_DATABASE_URL, max: 4, options: '-c TimeZone=Europe/Stockholm' });
  return pool;
}
export async function closeDb(): Promise<void> {
  await pool?.end();
  pool = undefined;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export async function api<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined || opts.rawBody !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(base + path, {
    method,
    headers,
    body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: body as T };
}

export async function login(
  base: string,
  hsaId: string,
  unitId?: string,
): Promise<{ token: string; assignments: any[] }> {
  const res = await api(base, 'POST', '/api/auth/dev-login', { body: { hsaId } });
  if (res.status !== 200) throw new Error(`login ${hsaId}: ${res.status} ${JSON.stringify(res.body)}`);
  let token = res.body.accessToken as string;
  if (unitId) {
    const a = (res.body.assignments as any[]).find((x) => x.unitId === unitId);
    if (!a) throw new Error(`${hsaId} has no assignment at ${unitId}`);
    const sw = await api(base, 'POST', '/api/auth/switch', { token, body: { assignmentId: a.id } });
    token = sw.body.accessToken;
  }
  return { token, assignments: res.body.assignments };
}

export function connectLive(base: string, token?: string): LiveClient {
  return io(`${base}/live`, {
    auth: token ? { token } : {},
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  }) as LiveClient;
}

export function connected(s: LiveClient): Promise<true | string> {
  return new Promise((resolve) => {
    if (s.connected) return resolve(true);
    s.once('connect', () => resolve(true));
    s.once('connect_error', (e) => resolve(e.message));
  });
}

export function subscribe(
  s: LiveClient,
  req: Parameters<ClientToServerEvents['subscribe']>[0],
): Promise<any> {
  return new Promise((resolve) => s.emit('subscribe', req, resolve));
}

/** A free future slot of a unit's nurse resource, with a visit type that fits it. */
export async function freeSlot(
  unitId: string,
  exclude: string[] = [],
  /** only a slot of this kind of resource (for a visit type a test made for it) */
  resource?: 'SKOTERSKA' | 'LAKARE',
): Promise<{ slotId: string; visitTypeId: string; date: string }> {
  const { rows } = await db().query(
    `SELECT s.id AS "slotId", to_char(s.date, 'YYYY-MM-DD') AS date, v.id AS "visitTypeId"
       FROM slot s JOIN timebook_resource r ON r.id = s.resource_id
       JOIN visit_type v ON v.unit_id = s.unit_id AND v.resource = r.kind AND v.retired_at IS NULL
            AND cardinality(v.allowed_weekdays) = 0
      WHERE s.unit_id = $1 AND s.status = 'FREE' AND s.starts_at > now() + interval '1 hour'
        AND NOT (s.id = ANY($2::text[])) AND ($3::text IS NULL OR r.kind::text = $3)
      ORDER BY random() LIMIT 1`,
    [unitId, exclude, resource ?? null],
  );
  if (!rows[0]) throw new Error(`no free slot at unit ${unitId}`);
  return rows[0];
}

/** A valid personnummer that nobody has yet (random birth date and serial, correct check digit). */
export function newPersonnummer(): string {
  const y = 1940 + Math.floor(Math.random() * 60);
  const m = 1 + Math.floor(Math.random() * 12);
  const d = 1 + Math.floor(Math.random() * 28);
  const serial = String(1 + Math.floor(Math.random() * 999)).padStart(3, '0'); // 000 is never issued
  const nine = `${String(y).slice(2)}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${serial}`;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let x = Number(nine[i]) * (i % 2 === 0 ? 2 : 1);
    if (x > 9) x -= 9;
    sum += x;
  }
  return `${String(y).slice(0, 2)}${nine}${(10 - (sum % 10)) % 10}`;
}

export function waitFor<T>(fn: () => T | undefined, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      const v = fn();
      if (v !== undefined) return resolve(v);
      if (Date.now() - start > timeoutMs) return reject(new Error('timed out waiting'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

let batchSerial = 0;
/**
 * A new batch of a product received at a unit through the stock API (a unique batch number,
 * expiring 2030-06-30), holding `doses` doses: its id. For tests that give doses from stock.
 */
export async function receiveBatch(
  base: string,
  token: string,
  unitId: string,
  productId: string,
  doses: number,
): Promise<string> {
  const batchNumber =
    `B${Date.now().toString(36)}${batchSerial++}${Math.floor(Math.random() * 1e4)}`.toUpperCase();
  const res = await api(base, 'POST', `/api/units/${unitId}/stock/movements`, {
    token,
    body: { kind: 'RECEIPT', newBatch: { productId, batchNumber, expiresOn: '2030-06-30' }, doses },
  });
  if (res.status !== 201) throw new Error(`stock receipt: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.balance.batchId as string;
}

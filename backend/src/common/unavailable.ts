/**
 * Whether an error means "the database (or another backing service) cannot be reached right
 * now" rather than "this request is wrong" or "the code is wrong": a PostgreSQL restart or
 * failover, a refused or dropped connection, a pool that cannot connect. Such a request is
 * answered 503 with Retry-After — the client may try again — never 500.
 *
 * Recognised in the error itself and in its causes (Prisma wraps the driver's error):
 * - socket errors: ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, ENOTFOUND, EHOSTUNREACH, ENETUNREACH;
 * - SQLSTATE class 08 (connection exception), 57P01–57P03 (admin/crash shutdown, cannot connect
 *   now), 53300 (too many connections);
 * - node-postgres' own messages for a connection that died or could not be had;
 * - Prisma's P1001 (unreachable), P1002/P1008 (timed out), P1017 (server closed the connection),
 *   P2024 (connection pool timeout).
 */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const PG_MESSAGES =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed and is not queryable|Cannot use a pool after calling end/;

export function isUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as {
    code?: unknown;
    originalCode?: unknown;
    message?: unknown;
    cause?: unknown;
    meta?: { driverAdapterError?: unknown };
    name?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const original = typeof e.originalCode === 'string' ? e.originalCode : undefined;
  for (const c of [code, original]) {
    if (!c) continue;
    if (SOCKET_CODES.has(c) || SQLSTATES.has(c) || PRISMA_CODES.has(c) || /^08[0-9A-Z]{3}$/.test(c))
      return true;
  }
  if (e.name === 'PrismaClientInitializationError') return true;
  if (typeof e.message === 'string' && PG_MESSAGES.test(e.message)) return true;
  return isUnavailable(e.cause, depth + 1) || isUnavailable(e.meta?.driverAdapterError, depth + 1);
}

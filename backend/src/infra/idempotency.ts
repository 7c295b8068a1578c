import { createHash } from 'node:crypto';
import { AppError, badRequest, ErrorCode } from '../common/errors';
import type { DatabaseService } from './database.service';
import { sql } from './sql';

/**
 * Idempotency-Key replay for POSTs. The first answer is written to `idempotency_record` in the
 * same statement as the effect (a unique key on scope + key), so a retry either finds that
 * answer (same body: replayed; other body: 422) or runs as the first request.
 */
export interface IdempotencyKey {
  scope: string;
  key: string;
  requestHash: string;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The key for a request, or null without the header; a malformed header is a 400. */
export function idempotencyKey(
  scope: string,
  header: string | undefined,
  body: unknown,
): IdempotencyKey | null {
  if (header === undefined) return null;
  if (!/^[\w-]{8,100}$/.test(header)) {
    throw badRequest('Idempotency-Key must be 8–100 letters, digits, - or _', 'Idempotency-Key');
  }
  return { scope, key: header, requestHash: createHash('sha256').update(canonical(body)).digest('hex') };
}

export const PG_UNIQUE_VIOLATION = '23505';

/** The first answer for this key, or undefined if there is none; 422 if the body differs. */
export async function replay<T>(db: DatabaseService, k: IdempotencyKey): Promise<T | undefined> {
  const rec = await db.one<{ request_hash: string; response_body: unknown }>(sql`
    SELECT request_hash, response_body FROM idempotency_record WHERE scope = ${k.scope} AND key = ${k.key}`);
  if (!rec) return undefined;
  if (rec.request_hash !== k.requestHash) {
    throw new AppError(
      ErrorCode.IDEMPOTENCY_MISMATCH,
      'this Idempotency-Key was used with a different request',
      {
        field: 'Idempotency-Key',
      },
    );
  }
  return rec.response_body as T;
}

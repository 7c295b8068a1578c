import { createHash } from 'node:crypto';

/** Namespace of the demo generator's name-based UUIDs (a fixed random UUID). */
const NAMESPACE = Buffer.from('6f1d2c4e8a3b4f5c9d7e0a1b2c3d4e5f', 'hex');

/**
 * A deterministic id in the same shape as the database default (a UUID): a version-5 UUID of
 * `key`. The same key gives the same id on every run, which is what makes the seed idempotent.
 * Keys are built from natural keys (HSA-ids, identity numbers, local times), never from row order.
 */
export function seedId(key: string): string {
  const h = createHash('sha1').update(NAMESPACE).update(key, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.toString('hex', 0, 16);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

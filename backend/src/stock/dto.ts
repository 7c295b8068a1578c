import { z } from 'zod';
import { id, localDate } from '../common/zod';

const positiveWhole = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .positive(`${what} must be a positive whole number`)
    .max(1_000_000, `${what} is unreasonably large`);

/**
 * `POST /api/units/:unitId/stock/movements`. `doses` is a positive whole number; for COUNT it is
 * the counted balance (0 allowed). A receipt may be given in vials instead, or name a new batch.
 */
export const movementSchema = z
  .object({
    kind: z.enum(['RECEIPT', 'WASTAGE', 'COUNT', 'TRANSFER_OUT', 'TRANSFER_IN']),
    batchId: id.optional(),
    newBatch: z
      .object({
        productId: id,
        batchNumber: z
          .string()
          .trim()
          .min(1, 'must not be empty')
          .max(40, 'is too long')
          .regex(/^[A-Za-z0-9-]+$/, 'may contain letters, digits and - only'),
        expiresOn: localDate,
      })
      .optional(),
    doses: z.number({ error: 'doses must be a number' }).optional(),
    vials: positiveWhole('vials').optional(),
    reason: z
      .enum(['EXPIRED', 'BROKEN', 'CONTAMINATED', 'OPEN_VIAL_TIME_LIMIT', 'COLD_CHAIN', 'OTHER'])
      .optional(),
    note: z.string().max(500, 'is too long').optional(),
    expectedRowVersion: z.number().int().min(0).max(2_147_483_647).optional(),
    toUnitId: id.optional(),
    fromUnitId: id.optional(),
  })
  .superRefine((m, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (m.doses !== undefined && m.vials !== undefined) issue('vials', 'give doses or vials, not both');
    if (m.doses === undefined && m.vials === undefined) issue('doses', 'is required');
    if (m.doses !== undefined) {
      const min = m.kind === 'COUNT' ? 0 : 1;
      if (!Number.isInteger(m.doses) || m.doses < min || m.doses > 1_000_000) {
        issue(
          'doses',
          m.kind === 'COUNT'
            ? 'must be the counted balance, a whole number ≥ 0'
            : 'must be a positive whole number',
        );
      }
    }
    if (m.vials !== undefined && m.kind !== 'RECEIPT' && m.kind !== 'WASTAGE')
      issue('vials', `cannot be used for ${m.kind}`);
    if (m.kind === 'RECEIPT' && !m.batchId && !m.newBatch)
      issue('batchId', 'is required (or newBatch for a new delivery)');
    if (m.kind !== 'RECEIPT' && !m.batchId) issue('batchId', 'is required');
    if (m.kind !== 'RECEIPT' && m.newBatch) issue('newBatch', 'only a receipt can register a new batch');
    if (m.kind === 'WASTAGE' && !m.reason) issue('reason', 'is required for wastage');
    if (m.reason && m.kind !== 'WASTAGE' && m.kind !== 'COUNT') {
      issue('reason', 'only wastage and counts (the discrepancy) have a reason');
    }
    if (m.kind === 'TRANSFER_OUT' && !m.toUnitId) issue('toUnitId', 'is required for a transfer');
    if (m.kind === 'TRANSFER_IN' && !m.fromUnitId) issue('fromUnitId', 'is required to receive a transfer');
  });
export type MovementDto = z.infer<typeof movementSchema>;

export const historyQuerySchema = z
  .object({ from: localDate, to: localDate })
  .refine((q) => q.from <= q.to, { message: 'must not be before from', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 <= 366, {
    message: 'the range may span at most a year',
    path: ['to'],
  });

export const overviewQuerySchema = z.object({ regionId: id.optional() });
export const reconciliationSchema = z.object({ unitId: id.optional() }).optional();

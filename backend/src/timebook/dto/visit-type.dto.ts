import { z } from 'zod';
import { id } from '../../common/zod';

const weekdays = z
  .array(
    z
      .number()
      .int()
      .min(1, 'weekdays are 1 (Monday) … 7 (Sunday)')
      .max(7, 'weekdays are 1 (Monday) … 7 (Sunday)'),
  )
  .max(7)
  .transform((d) => [...new Set(d)].sort());

/** R11: "Covid-19 dos 2, Comirnaty, endast ons–fre". */
export const createVisitTypeSchema = z.object({
  name: z.string().trim().min(2, 'is too short').max(100, 'is too long'),
  resource: z.enum(['SKOTERSKA', 'LAKARE']),
  durationMinutes: z.number().int().min(5, 'must be at least 5').max(240, 'must be at most 240').default(10),
  productId: id.optional().nullable(),
  doseNumber: z.number().int().min(1).max(10).optional().nullable(),
  allowedWeekdays: weekdays.default([]),
  webBookable: z.boolean().default(true),
  categoryId: id.optional().nullable(),
});
export type CreateVisitTypeDto = z.infer<typeof createVisitTypeSchema>;

/** Rename, re-scope or retire; a retired type takes no new bookings but keeps the ones it has. */
export const updateVisitTypeSchema = z
  .object({
    name: z.string().trim().min(2, 'is too short').max(100, 'is too long').optional(),
    allowedWeekdays: weekdays.optional(),
    webBookable: z.boolean().optional(),
    retired: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });
export type UpdateVisitTypeDto = z.infer<typeof updateVisitTypeSchema>;

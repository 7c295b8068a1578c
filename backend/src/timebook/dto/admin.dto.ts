import { z } from 'zod';
import { id, localDate } from '../../common/zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time as HH:MM');
const interval = z
  .object({ start: hhmm, end: hhmm })
  .refine((i) => i.start < i.end, { message: 'must end after it starts', path: ['end'] });

/** R10: open slots from a weekly template. */
export const openSlotsSchema = z
  .object({
    resource: z.enum(['SKOTERSKA', 'LAKARE']),
    from: localDate,
    to: localDate,
    slotMinutes: z.number().int().min(5, 'must be at least 5').max(240, 'must be at most 240'),
    columns: z.number().int().min(1).max(20).optional(),
    weekdays: z.partialRecord(z.enum(['1', '2', '3', '4', '5', '6', '7']), z.array(interval).max(10)),
  })
  .refine((t) => t.from <= t.to, { message: 'must not be before from', path: ['to'] })
  .refine((t) => (Date.parse(t.to) - Date.parse(t.from)) / 86_400_000 <= 92, {
    message: 'a template may span at most 93 days',
    path: ['to'],
  });
export type OpenSlotsDto = z.infer<typeof openSlotsSchema>;

/** R16: a block over a time range with a note. */
export const blockSchema = z
  .object({
    date: localDate,
    from: hhmm,
    to: hhmm,
    resource: z.enum(['SKOTERSKA', 'LAKARE']).optional(),
    note: z.string().trim().min(1, 'must not be empty').max(200, 'is too long'),
  })
  .refine((b) => b.from < b.to, { message: 'must be after from', path: ['to'] });
export type BlockDto = z.infer<typeof blockSchema>;

export const daySchema = z
  .object({
    note: z.string().trim().max(500, 'is too long').nullable().optional(),
    webBookingClosed: z.boolean().optional(),
  })
  .refine((d) => d.note !== undefined || d.webBookingClosed !== undefined, { message: 'nothing to change' });
export type DayDto = z.infer<typeof daySchema>;

export const dateQuery = z.object({ date: localDate });
export const rangeQuery = z
  .object({ from: localDate, to: localDate })
  .refine((q) => q.from <= q.to, { message: 'must not be before from', path: ['to'] });
export { id };

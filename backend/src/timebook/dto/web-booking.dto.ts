import { z } from 'zod';
import { id, localDate } from '../../common/zod';
import { phoneNumber } from './booking.dto';

export const webDaysQuerySchema = z
  .object({ visitTypeId: id, from: localDate, to: localDate })
  .refine((q) => q.from <= q.to, { message: 'must not be before from', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 <= 62, {
    message: 'the range may span at most 63 days',
    path: ['to'],
  });
export const webTimesQuerySchema = z.object({ visitTypeId: id, date: localDate });

export const rebookSchema = z.object({
  slotId: id,
  /** defaults to the old booking's visit type */
  visitTypeId: id.optional(),
  /** defaults to the phone of the old booking; null: no SMS */
  phone: phoneNumber.optional().nullable(),
});
export type RebookDto = z.infer<typeof rebookSchema>;

export const linkToken = z
  .string()
  .min(3)
  .max(120, 'is too long')
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'is not a booking link');

import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import { id, localDate } from '../../common/zod';

/** A Swedish mobile number or any valid international one, normalised to E.164. */
export const phoneNumber = z
  .string()
  .max(32, 'is too long')
  .transform((s, ctx) => {
    const p = parsePhoneNumberFromString(s, 'SE');
    if (!p || !p.isValid()) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid phone number' });
      return z.NEVER;
    }
    const type = p.getType();
    if (type && type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') {
      ctx.addIssue({ code: 'custom', message: 'must be a mobile number (SMS is sent to it)' });
      return z.NEVER;
    }
    return p.number;
  });

export const createBookingSchema = z.object({
  slotId: id,
  visitTypeId: id,
  patient: z.object({
    personalIdentityNumber: z.string().max(20, 'is too long'),
    phone: phoneNumber.optional().nullable(),
  }),
});
export type CreateBookingDto = z.infer<typeof createBookingSchema>;

export const slotsQuerySchema = z.object({ date: localDate });
export const availabilityQuerySchema = z
  .object({ from: localDate, to: localDate })
  .refine((q) => q.from <= q.to, { message: 'must not be before from', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 <= 92, {
    message: 'the range may span at most 93 days',
    path: ['to'],
  });
export const cancelBookingSchema = z.object({ reason: z.string().max(500).optional() }).optional();
export const visitTypesQuerySchema = z.object({
  includeRetired: z.enum(['true', 'false'], 'must be true or false').optional(),
});

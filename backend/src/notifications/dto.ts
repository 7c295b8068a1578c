import { z } from 'zod';
import { id, localDate } from '../common/zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time as HH:MM');

/** R18: SMS on or off (opt-out), by the citizen or by staff for a patient. */
export const smsPreferencesSchema = z.object({ smsOptOut: z.boolean() }).strict();
export type SmsPreferencesDto = z.infer<typeof smsPreferencesSchema>;

/** A mass SMS to a chosen set of bookings: a unit's day, optionally a time range and one visit type. */
export const smsCampaignSchema = z
  .object({
    date: localDate,
    from: hhmm.optional(),
    to: hhmm.optional(),
    visitTypeId: id.optional(),
    message: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(300, 'is too long for an SMS (300 characters at most)'),
    urgent: z.boolean().default(false),
  })
  .refine((m) => !m.from || !m.to || m.from < m.to, { message: 'must be after from', path: ['to'] });
export type SmsCampaignDto = z.infer<typeof smsCampaignSchema>;

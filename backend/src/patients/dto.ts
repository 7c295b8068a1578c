import { z } from 'zod';
import { localDate } from '../common/zod';
import { phoneNumber } from '../timebook/dto/booking.dto';

const name = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} must not be empty`)
    .max(100, 'is too long')
    .regex(/^[\p{L}\p{M}' .-]+$/u, 'may contain letters, spaces, hyphens and apostrophes only');

/**
 * Staff add a patient (R3, R4): with a Swedish identity number, or with a reserve number that
 * the system reserves (`reserveNumber: true`, needs the birth date). Protected identity: the name
 * is entered by hand and contact details are refused (422, not silently dropped).
 */
export const createPatientSchema = z
  .object({
    personalIdentityNumber: z.string().max(20, 'is too long').optional(),
    reserveNumber: z.boolean().optional(),
    firstName: name('firstName'),
    lastName: name('lastName'),
    birthDate: localDate.optional(),
    sex: z.enum(['FEMALE', 'MALE', 'UNKNOWN']).optional(),
    protectedIdentity: z.boolean().optional(),
    phone: phoneNumber.optional().nullable(),
    email: z.email('is not a valid e-mail address').max(200).optional().nullable(),
    address: z.string().trim().max(300, 'is too long').optional().nullable(),
  })
  .superRefine((d, ctx) => {
    if (!d.reserveNumber && !d.personalIdentityNumber)
      ctx.addIssue({
        code: 'custom',
        path: ['personalIdentityNumber'],
        message: 'is required unless a reserve number is to be reserved (reserveNumber: true)',
      });
    if (d.reserveNumber && d.personalIdentityNumber)
      ctx.addIssue({
        code: 'custom',
        path: ['reserveNumber'],
        message: 'give either an identity number or reserveNumber: true, not both',
      });
    if (d.reserveNumber && !d.birthDate)
      ctx.addIssue({ code: 'custom', path: ['birthDate'], message: 'is required for a reserve number' });
  });
export type CreatePatientDto = z.infer<typeof createPatientSchema>;

import { z } from 'zod';
import { id, localDate } from '../common/zod';
import { COVERAGE_GROUP_BYS } from './coverage-api';

const dose = z.coerce
  .number({ error: 'dose must be a number' })
  .int('dose must be a whole number')
  .min(1, 'dose must be 1 or more')
  .max(10, 'dose must be 10 or less');

/** `*` (any product), `area:<disease area>` or a product id. */
const productKey = z
  .string()
  .min(1, 'product must not be empty')
  .max(80, 'product is too long')
  .regex(/^(\*|area:[\p{L}0-9 _-]+|[A-Za-z0-9_-]+)$/u, 'product must be *, area:<disease area> or a product id');

const sex = z.enum(['FEMALE', 'MALE'], { error: 'sex must be FEMALE or MALE' });

export const coverageQuerySchema = z.object({
  regionId: id.optional(),
  groupBy: z.enum(COVERAGE_GROUP_BYS as [string, ...string[]], {
    error: `groupBy must be one of ${COVERAGE_GROUP_BYS.join(', ')}`,
  }),
  dose: dose.default(1),
  product: productKey.default('*'),
  sex: sex.optional(),
});
export type CoverageQuery = z.infer<typeof coverageQuerySchema>;

export const matrixQuerySchema = z.object({
  regionId: id.optional(),
  dose: dose.default(1),
  product: productKey.default('*'),
  sex: sex.optional(),
});
export type MatrixQuery = z.infer<typeof matrixQuerySchema>;

export const dailyQuerySchema = z.object({
  regionId: id.optional(),
  product: productKey.default('*'),
  dose: dose.optional(),
  from: localDate.optional(),
  to: localDate.optional(),
});
export type DailyQuery = z.infer<typeof dailyQuerySchema>;

export const regionQuerySchema = z.object({ regionId: id.optional() });

export const rebuildSchema = z.object({ regionId: id.optional() }).optional();

import { z } from 'zod';
import { id } from '../common/zod';

/** `POST /api/nvr/exports`: the region (default: the assignment's own). */
export const startExportSchema = z.object({ regionId: id.optional() }).strict().optional().default({});

export const listExportsSchema = z.object({
  regionId: id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(30),
});

/** File names the exporter writes: letters, digits, dots and dashes. */
export const fileName = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'is not an export file name');

export const downloadQuerySchema = z.object({ ticket: z.string().max(500).optional() });

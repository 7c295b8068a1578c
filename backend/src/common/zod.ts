import { applyDecorators, ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';
import { badRequest } from './errors';

/** Validates with a zod schema; a failure is a 400 naming the field and what was wrong. */
@Injectable()
export class ZodPipe<T extends z.ZodType> implements PipeTransform {
  constructor(private readonly schema: T) {}

  transform(value: unknown, meta: ArgumentMetadata): z.infer<T> {
    const res = this.schema.safeParse(value ?? (meta.type === 'body' ? undefined : {}));
    if (res.success) return res.data;
    const issue = res.error.issues[0]!;
    const field = issue.path.join('.') || (meta.type === 'body' ? 'body' : meta.type);
    const message = issue.path.length ? `${field}: ${issue.message}` : issue.message;
    throw badRequest(message, field, {
      issues: res.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    });
  }
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
}

/** Documents a zod body in OpenAPI (validation itself is `@Body(new ZodPipe(schema))`). */
export const ApiZodBody = (schema: z.ZodType) => applyDecorators(ApiBody({ schema: jsonSchema(schema) }));

/** Documents zod query parameters in OpenAPI. */
export const ApiZodQuery = (schema: z.ZodObject) =>
  applyDecorators(
    ...Object.entries(schema.shape).map(([name, s]) =>
      ApiQuery({
        name,
        required: !(s as z.ZodType).safeParse(undefined).success,
        schema: jsonSchema(s as z.ZodType),
      }),
    ),
  );

/** A local date (Europe/Stockholm), YYYY-MM-DD, that exists in the calendar. */
export const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'is not a calendar date');

/** An opaque id: non-empty, bounded, no control characters. */
export const id = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'is too long')
  .regex(/^[A-Za-z0-9_-]+$/, 'is not a valid id');

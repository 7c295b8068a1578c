import { HttpException, HttpStatus } from '@nestjs/common';

/** Named error codes, mapped to HTTP statuses in one place. Clients may switch on `code`. */
export const ErrorCode = {
  VALIDATION: 'VALIDATION',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  SLOT_TAKEN: 'SLOT_TAKEN',
  HOLD_NOT_FOUND: 'HOLD_NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RULE_BROKEN: 'RULE_BROKEN',
  IDEMPOTENCY_MISMATCH: 'IDEMPOTENCY_MISMATCH',
  IDEMPOTENCY_IN_PROGRESS: 'IDEMPOTENCY_IN_PROGRESS',
  /** a booking rush: the citizen must queue in the waiting room first */
  WAITING_ROOM: 'WAITING_ROOM',
  /** PostgreSQL (or another backing service) cannot be reached right now: retry after a moment */
  UNAVAILABLE: 'UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const STATUS: Record<ErrorCode, HttpStatus> = {
  VALIDATION: HttpStatus.BAD_REQUEST,
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  SLOT_TAKEN: HttpStatus.CONFLICT,
  HOLD_NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  RULE_BROKEN: HttpStatus.UNPROCESSABLE_ENTITY,
  IDEMPOTENCY_MISMATCH: HttpStatus.UNPROCESSABLE_ENTITY,
  IDEMPOTENCY_IN_PROGRESS: HttpStatus.CONFLICT,
  WAITING_ROOM: HttpStatus.SERVICE_UNAVAILABLE,
  UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
};

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  503: 'Service Unavailable',
};

/**
 * A domain error. The body is always `{ statusCode, error, message, code, ...details }`.
 * `details` adds context a client can act on (the field, the alternatives, the current balance).
 */
export class AppError extends HttpException {
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    const status = STATUS[code];
    super({ statusCode: status, error: REASON[status] ?? 'Error', message, code, ...details }, status);
  }
}

export const badRequest = (message: string, field?: string, details: Record<string, unknown> = {}) =>
  new AppError(ErrorCode.VALIDATION, message, field ? { field, ...details } : details);
export const notFound = (message: string, details: Record<string, unknown> = {}) =>
  new AppError(ErrorCode.NOT_FOUND, message, details);
export const forbidden = (message = 'your assignment does not allow this') =>
  new AppError(ErrorCode.FORBIDDEN, message);
export const ruleBroken = (message: string, details: Record<string, unknown> = {}) =>
  new AppError(ErrorCode.RULE_BROKEN, message, details);

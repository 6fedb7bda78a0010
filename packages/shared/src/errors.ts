// One error type for the whole domain, with a code from a closed list. The API maps each code
// to an HTTP status in exactly one table (apps/api/src/http/error-status.ts); nothing here knows HTTP.

export const errorCodes = [
  'validation_error',
  'missing_api_key',
  'invalid_api_key',
  'insufficient_scope',
  'forbidden',
  'not_found',
  'duplicate_entry',
  'idempotency_key_in_use',
  'payload_too_large',
  'idempotency_key_reused',
  'rate_limit_exceeded',
  'internal_error',
  'service_unavailable',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ValidationDetail {
  path: string;
  message: string;
}

export interface AppErrorOptions {
  /** Extra top-level fields of the error body (e.g. resetTime for rate limits). */
  extra?: Record<string, unknown>;
  /** Replaces the error body's `data: null` (e.g. the existing entry of a duplicate). */
  data?: unknown;
  cause?: unknown;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly extra: Record<string, unknown>;
  readonly data: unknown;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.extra = options.extra ?? {};
    this.data = options.data ?? null;
  }

  static validation(details: ValidationDetail[], message = 'The request is invalid'): AppError {
    return new AppError('validation_error', message, { extra: { details } });
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

const pgUnavailableCodes = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
const networkErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

/**
 * True when an error means Postgres or Redis could not be reached or dropped us, as opposed to
 * a bug. Callers turn these into service_unavailable.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (pgUnavailableCodes.has(code) || networkErrorCodes.has(code))) return true;
  const message = error.message;
  return (
    /Connection terminated|connection timeout|Query read timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    ) ||
    /Connection is closed|Command timed out|Stream isn't writeable|enableOfflineQueue|MaxRetriesPerRequest|Reached the max retries/i.test(
      message,
    ) ||
    (error.cause !== undefined && isDependencyUnavailable(error.cause))
  );
}

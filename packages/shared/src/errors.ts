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

// ---- What an error from Postgres or Redis means for the caller ----

const pgUnavailableCodes = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
const networkErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
const unavailableMessages = [
  /Connection terminated|connection timeout|Query read timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i,
  /Connection is closed|Command timed out|Stream isn't writeable|enableOfflineQueue|MaxRetriesPerRequest|Reached the max retries/i,
  // PgBouncer's own errors (SQLSTATE 08P01, shared with real protocol errors, hence by message):
  // its server connection died under our transaction, no server came free in time, or it cannot
  // reach Postgres. All pass once Postgres is back, like a dropped direct connection.
  /server conn crashed\?|query_wait_timeout|pgbouncer cannot connect to server|server login has been failing|no more connections allowed/i,
];
// Postgres errors worth retrying as they are: serialization failure, deadlock, lock or statement
// timeout, out of memory or disk.
const pgRetryableCodes = new Set(['40001', '40P01', '55P03', '57014', '53100', '53200']);
/** Of those, the ones after which Postgres has surely rolled the statement back: nothing of it committed. */
const pgRolledBackCodes = new Set(['40001', '40P01', '55P03', '57014']);

/**
 * Postgres refused the statement and rolled its transaction back (serialization failure,
 * deadlock, lock not available, statement timeout). Not so a lost connection or a client-side
 * query timeout, after which the statement may still commit.
 */
export function rolledBackByPostgres(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && pgRolledBackCodes.has(code);
}

/**
 * - `unavailable`: Postgres or Redis could not be reached or dropped us (callers answer
 *   service_unavailable; the outage log reports it once).
 * - `retryable`: the store is there but refused this attempt for a reason that passes
 *   (a deadlock, a timeout, no memory): the same work may succeed later.
 * - `permanent`: anything else — a bug or bad data; retrying the same work fails the same way.
 */
export type ErrorClass = 'unavailable' | 'retryable' | 'permanent';

/** The one classification of errors from Postgres, Redis and the network. */
export function classifyError(error: unknown): ErrorClass {
  if (isUnavailable(error)) return 'unavailable';
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && pgRetryableCodes.has(code) ? 'retryable' : 'permanent';
}

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (pgUnavailableCodes.has(code) || networkErrorCodes.has(code))) return true;
  return unavailableMessages.some((pattern) => pattern.test(error.message)) || (error.cause !== undefined && isUnavailable(error.cause));
}

/** True when Postgres or Redis could not be reached or dropped us, as opposed to a bug. */
export function isDependencyUnavailable(error: unknown): boolean {
  return classifyError(error) === 'unavailable';
}

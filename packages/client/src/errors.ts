import type { components } from './generated/openapi.js';
import type { ErrorCode } from './types.js';

/** One `{ path, message }` of a `validation_error`. */
export type ValidationDetail = components['schemas']['ValidationDetail'];

/**
 * The contract's error codes, plus `unexpected_response` for an answer that is not a contract
 * error body at all (an HTML page from a proxy, a truncated body, …).
 */
export type DncApiErrorCode = ErrorCode | 'unexpected_response';

export interface DncApiErrorInit {
  code: DncApiErrorCode;
  message: string;
  status: number;
  requestId?: string | undefined;
  details?: ValidationDetail[] | undefined;
  resetTime?: string | undefined;
  retryAfter?: number | undefined;
  data?: unknown;
  attempts?: number;
}

/**
 * The API answered with an error. `code` and `status` are the contract's; `requestId` is the
 * `X-Request-Id` the service logged and audited the request under (quote it in support requests).
 */
export class DncApiError extends Error {
  override name = 'DncApiError';
  readonly code: DncApiErrorCode;
  readonly status: number;
  readonly requestId: string | undefined;
  /** `validation_error` only: what was wrong, field by field. */
  readonly details: ValidationDetail[] | undefined;
  /** `rate_limit_exceeded` only: ISO time the next slot of the team's budget frees. */
  readonly resetTime: string | undefined;
  /** Seconds to wait before trying again (429 body, or the `Retry-After` header of a 503). */
  readonly retryAfter: number | undefined;
  /** The error body's `data` (for `duplicate_entry`: `{ entry }`, the entry already listed). */
  readonly data: unknown;
  /** How many times the request was sent (more than 1 when the client retried it). */
  readonly attempts: number;

  constructor(init: DncApiErrorInit) {
    super(init.message);
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.details = init.details;
    this.resetTime = init.resetTime;
    this.retryAfter = init.retryAfter;
    this.data = init.data ?? null;
    this.attempts = init.attempts ?? 1;
  }
}

/** The API could not be reached at all (connection refused, DNS, TLS, reset). */
export class DncConnectionError extends Error {
  override name = 'DncConnectionError';
  readonly baseUrl: string;

  constructor(baseUrl: string, cause: unknown) {
    const reason = describeCause(cause);
    super(`Cannot reach the DNC API at ${baseUrl}${reason ? `: ${reason}` : ''}`, { cause });
    this.baseUrl = baseUrl;
  }
}

function describeCause(cause: unknown): string {
  // undici wraps the socket error: TypeError('fetch failed', { cause: Error('connect ECONNREFUSED …') }).
  const inner = (cause as { cause?: unknown } | undefined)?.cause;
  const source = inner instanceof Error ? inner : cause;
  if (source instanceof AggregateError && source.errors[0] instanceof Error) return source.errors[0].message;
  return source instanceof Error ? source.message : '';
}

/** Narrows `error` to a DncApiError, optionally of one code. */
export function isDncApiError<C extends DncApiErrorCode>(error: unknown, code?: C): error is DncApiError & { code: C } {
  return error instanceof DncApiError && (code === undefined || error.code === code);
}

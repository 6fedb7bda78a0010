import type { ErrorCode } from '@dnc/shared';

/** The one table from domain error codes to HTTP statuses. */
export const errorStatus: Record<ErrorCode, number> = {
  validation_error: 400,
  missing_api_key: 401,
  invalid_api_key: 401,
  insufficient_scope: 403,
  forbidden: 403,
  not_found: 404,
  duplicate_entry: 409,
  idempotency_key_in_use: 409,
  payload_too_large: 413,
  idempotency_key_reused: 422,
  rate_limit_exceeded: 429,
  internal_error: 500,
  service_unavailable: 503,
};

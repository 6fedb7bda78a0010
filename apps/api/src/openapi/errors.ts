// Error responses of the document: one response per HTTP status an operation can answer with
// (from the one code → status table, apps/api/src/http/error-status.ts), one example per code.
import { errorBodySchemas, type ErrorCode } from '@dnc/shared';
import { MAX_BODY_BYTES } from '@dnc/shared/vocabulary';
import { errorStatus } from '../http/error-status.js';
import { errorSchemaName } from './components.js';
import { firstExample, type ErrorExamples } from './examples.js';
import { headers } from './headers.js';
import { json, ref } from './json-schema.js';
import type { OpenApiHeaderRef, OpenApiResponse } from './types.js';

/** Codes every authenticated (/v1) operation can answer with, whatever it does. */
export const v1ErrorCodes: readonly ErrorCode[] = [
  'validation_error',
  'missing_api_key',
  'invalid_api_key',
  'insufficient_scope',
  'rate_limit_exceeded',
  'internal_error',
  'service_unavailable',
];

/**
 * Where a route lives decides which headers its errors carry: /v1 routes are authenticated with
 * API keys and rate-limited; the others (health, metrics, docs, the admin dashboard) are not.
 */
export type RouteFamily = 'v1' | 'unversioned';

const errorDescriptions: Record<number, string> = {
  400: 'Validation error: malformed JSON, a body that cannot be read, a bad field (a NUL character included), a bad id format or a bad query parameter.',
  401: 'No, malformed, unknown or revoked API key. Uses no rate-limit slot.',
  403: 'The key lacks the scope the route needs (uses no rate-limit slot), or the entry or job belongs to another team.',
  404: 'No such entry or job.',
  409: 'Conflict.',
  413: `The body is over ${MAX_BODY_BYTES / 1024 / 1024} MiB, or holds more items than allowed.`,
  422: 'The Idempotency-Key was used before with a different body.',
  429: 'The team’s budget for this operation class is spent.',
  500: 'Something unexpected happened; it is logged with the request id.',
  503: 'Postgres or Redis is unreachable; retry after `Retry-After` seconds.',
};

/**
 * Error responses for the given codes, grouped by HTTP status, with one example per code: the
 * operation's own when it gives one, else the error schema's.
 */
export function errorResponses(
  codes: readonly ErrorCode[],
  family: RouteFamily,
  examples: ErrorExamples = {},
): Record<string, OpenApiResponse> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(errorStatus[code], [...(byStatus.get(errorStatus[code]) ?? []), code]);
  const responses: Record<string, OpenApiResponse> = {};
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const schemas = statusCodes.map((code) => ref(errorSchemaName(code)));
    const codeExamples = Object.fromEntries(
      statusCodes.map((code) => [
        code,
        {
          summary: errorBodySchemas[code].meta()?.description ?? code,
          value: examples[code] ?? firstExample(errorBodySchemas[code]),
        },
      ]),
    );
    responses[String(status)] = {
      description: errorDescriptions[status] ?? 'Error.',
      headers: errorHeaders(status, statusCodes, family),
      content: json(schemas.length === 1 ? schemas[0]! : { oneOf: schemas }, codeExamples),
    };
  }
  return responses;
}

/** Which headers an error carries: rate-limit headers once the request got past the limiter. */
function errorHeaders(status: number, codes: ErrorCode[], family: RouteFamily): Record<string, OpenApiHeaderRef> {
  // Outside /v1: no rate limits, but the dashboard's 401s still challenge and 503s still say when to retry.
  if (family === 'unversioned') return headers(status === 503 ? ['retryAfter'] : status === 401 ? ['adminChallenge'] : []);
  switch (status) {
    case 401:
      return headers(['wwwAuthenticate']);
    case 403:
      // insufficient_scope is decided before the limiter, forbidden after it.
      return codes.includes('forbidden') ? headers([], ['rateLimitPolicy', 'rateLimit']) : headers();
    case 429:
      return headers(['rateLimitPolicy', 'rateLimit', 'retryAfter']);
    // Decided only after the limiter admitted the request.
    case 404:
    case 409:
    case 413:
    case 422:
      return headers(['rateLimitPolicy', 'rateLimit']);
    case 503:
      return headers(['retryAfter'], ['rateLimitPolicy', 'rateLimit']);
    default:
      // 400 may come before the limiter (a malformed path) or after it (a bad field); 500 anywhere.
      return headers([], ['rateLimitPolicy', 'rateLimit']);
  }
}

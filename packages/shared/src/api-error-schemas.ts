// Error bodies: `{ error: "<code>", message, data: null, ...extra }`, one schema per error code.
// With the response schemas (api-schemas.ts) they are the source of the OpenAPI document's errors.
import { z } from 'zod';
import { entrySchema, EXAMPLE_ENTRY_ID, EXAMPLE_TIME, isoTimeSchema } from './api-schemas.js';
import type { ErrorCode } from './errors.js';
import { DEFAULT_RATE_LIMITS, MAX_BODY_BYTES } from './vocabulary.js';

export const validationDetailSchema = z.object({
  path: z.string().meta({ description: 'Where the problem is, e.g. `body.url` or `query.limit`', examples: ['body.url'] }),
  message: z.string().meta({ examples: ['is required'] }),
});

const errorExamples: Record<ErrorCode, string> = {
  validation_error: 'Invalid request body: body.url is required',
  missing_api_key: 'Send your API key as "Authorization: Bearer <api key>"',
  invalid_api_key: 'The API key is unknown or has been revoked',
  insufficient_scope: 'This API key lacks the "dnc:write" scope',
  forbidden: 'This entry belongs to another team',
  not_found: 'No such DNC entry',
  duplicate_entry: 'This URL is already on your Do Not Contact list',
  idempotency_key_in_use: 'A request with this Idempotency-Key is still being processed; retry shortly',
  payload_too_large: `Request bodies are limited to ${MAX_BODY_BYTES} bytes`,
  idempotency_key_reused: 'This Idempotency-Key was used with a different request body',
  rate_limit_exceeded: `Rate limit of ${DEFAULT_RATE_LIMITS['dnc-write']} dnc-write requests per window exceeded`,
  internal_error: 'An unexpected error occurred',
  service_unavailable: 'A backing service is temporarily unavailable; retry shortly',
};

function plainError<C extends ErrorCode>(code: C) {
  return z
    .object({ error: z.literal(code), message: z.string(), data: z.null() })
    .meta({ examples: [{ error: code, message: errorExamples[code], data: null }] });
}

export const validationErrorSchema = z
  .object({ error: z.literal('validation_error'), message: z.string(), data: z.null(), details: z.array(validationDetailSchema) })
  .meta({
    description: 'Malformed JSON, a bad field, a bad id format or a bad query parameter',
    examples: [
      {
        error: 'validation_error',
        message: errorExamples.validation_error,
        data: null,
        details: [{ path: 'body.url', message: 'is required' }],
      },
    ],
  });

export const rateLimitErrorSchema = z
  .object({
    error: z.literal('rate_limit_exceeded'),
    message: z.string(),
    data: z.null(),
    resetTime: isoTimeSchema.meta({ description: 'When the next slot of the window frees' }),
    retryAfter: z.int().min(1).meta({ description: 'Whole seconds to wait; same as the Retry-After header' }),
  })
  .meta({
    description: 'The team’s budget for this operation class is spent',
    examples: [
      { error: 'rate_limit_exceeded', message: errorExamples.rate_limit_exceeded, data: null, resetTime: EXAMPLE_TIME, retryAfter: 12 },
    ],
  });

export const duplicateEntryErrorSchema = z
  .object({ error: z.literal('duplicate_entry'), message: z.string(), data: z.object({ entry: entrySchema }) })
  .meta({
    description: 'The URL is already on the team’s list; `data.entry` is the existing entry',
    examples: [
      {
        error: 'duplicate_entry',
        message: errorExamples.duplicate_entry,
        data: {
          entry: {
            $id: EXAMPLE_ENTRY_ID,
            teamId: 'team_acme',
            url: 'https://linkedin.com/in/jane-doe',
            $createdAt: EXAMPLE_TIME,
            $updatedAt: EXAMPLE_TIME,
          },
        },
      },
    ],
  });

/** One schema per error code, keyed by code. */
export const errorBodySchemas = {
  validation_error: validationErrorSchema,
  missing_api_key: plainError('missing_api_key').meta({ description: 'No or malformed Authorization header' }),
  invalid_api_key: plainError('invalid_api_key').meta({ description: 'Unknown or revoked API key' }),
  insufficient_scope: plainError('insufficient_scope').meta({ description: 'The key lacks the scope the route needs' }),
  forbidden: plainError('forbidden').meta({ description: 'The entry or job exists but belongs to another team' }),
  not_found: plainError('not_found').meta({ description: 'No such entry, job or route' }),
  duplicate_entry: duplicateEntryErrorSchema,
  idempotency_key_in_use: plainError('idempotency_key_in_use').meta({
    description: 'A request with the same Idempotency-Key is still being processed',
  }),
  payload_too_large: plainError('payload_too_large').meta({ description: 'Body over 1 MiB, or more items than a batch allows' }),
  idempotency_key_reused: plainError('idempotency_key_reused').meta({
    description: 'The same Idempotency-Key was sent with a different body',
  }),
  rate_limit_exceeded: rateLimitErrorSchema,
  internal_error: plainError('internal_error').meta({ description: 'Anything unexpected (logged with the request id)' }),
  service_unavailable: plainError('service_unavailable').meta({ description: 'Postgres or Redis is unreachable' }),
} as const satisfies Record<ErrorCode, z.ZodType>;

/** 401 of the operator dashboard (/admin/queues): its token is not an API key. */

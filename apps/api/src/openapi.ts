// The OpenAPI 3.1 document, generated from the zod schemas that validate requests
// (packages/shared/src/schemas.ts) and describe responses (packages/shared/src/api-schemas.ts),
// with zod's own JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) output.
// Served at GET /openapi.json; GET /docs renders an interactive reference from it with the pinned
// Scalar bundle, served by the API itself (no CDN). Every response carries an example, one per
// error code an operation can answer with; the tests validate each against its schema.
// The tests check every response they receive against this document (test/support/http.ts).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import {
  addEntryBody,
  auditEventListSchema,
  auditEventSchema,
  auditQuery,
  batchAddBody,
  batchAddResultSchema,
  bulkDeleteBody,
  bulkDeleteHeaders,
  checkQuery,
  checkResultSchema,
  deleteEntryBody,
  deleteEntryParams,
  deleteEntryQuery,
  deleteResultSchema,
  entryListSchema,
  entrySchema,
  errorBodySchemas,
  healthSchema,
  isoTimeSchema,
  jobCountsSchema,
  jobItemListSchema,
  jobItemSchema,
  jobItemsQuery,
  jobParams,
  jobSchema,
  listEntriesQuery,
  MAX_BATCH_ADD_ENTRIES,
  readinessSchema,
  successEnvelope,
  validationDetailSchema,
  type Config,
  type ErrorCode,
  type RateLimitClass,
  type Scope,
} from '@dnc/shared';
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import { errorStatus } from './http/error-status.js';
import { MAX_BODY_BYTES } from './http/middleware.js';
import { parseInput, type InputLocation } from './http/validate.js';

export type JsonSchema = Record<string, unknown>;

export interface OpenApiHeader {
  description?: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface OpenApiHeaderRef {
  $ref: string;
}

export interface OpenApiMediaType {
  schema: JsonSchema;
  examples?: Record<string, { summary?: string; value: unknown }>;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, OpenApiHeaderRef>;
  content?: Record<string, OpenApiMediaType>;
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
  example?: unknown;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: (OpenApiParameter | { $ref: string })[];
  requestBody?: { required: boolean; description?: string; content: Record<string, OpenApiMediaType> };
  responses: Record<string, OpenApiResponse>;
  'x-rate-limit-class'?: RateLimitClass;
}

export type HttpMethod = 'get' | 'post' | 'delete';

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  servers?: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Partial<Record<HttpMethod, OpenApiOperation>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, OpenApiParameter>;
    headers: Record<string, OpenApiHeader>;
    securitySchemes: Record<string, unknown>;
  };
}

const SCHEMA_REF = '#/components/schemas/';
const ref = (name: string) => ({ $ref: `${SCHEMA_REF}${name}` });

// ---- Components from zod ----

/** Named response schemas (zod output side). */
function responseComponents() {
  const registry = z.registry<{ id: string }>();
  const add = (id: string, schema: z.ZodType) => registry.add(schema, { id });
  add('Timestamp', isoTimeSchema);
  add('Entry', entrySchema);
  add('EntryList', entryListSchema);
  add('CheckResult', checkResultSchema);
  add('BatchAddResult', batchAddResultSchema);
  add('DeleteResult', deleteResultSchema);
  add('Job', jobSchema);
  add('JobCounts', jobCountsSchema);
  add('JobItem', jobItemSchema);
  add('JobItemList', jobItemListSchema);
  add('AuditEvent', auditEventSchema);
  add('AuditEventList', auditEventListSchema);
  add('ValidationDetail', validationDetailSchema);
  add('Health', healthSchema);
  add('Readiness', readinessSchema);
  // Success envelopes, one per distinct body shape.
  add('EntryCreatedResponse', successEnvelope(entrySchema, z.literal('Added to Do Not Contact list')));
  add('BatchAddResponse', successEnvelope(batchAddResultSchema, z.string().meta({ examples: ['Added 1, 1 duplicate(s), 1 error(s)'] })));
  add('EntryListResponse', successEnvelope(entryListSchema));
  add('CheckResponse', successEnvelope(checkResultSchema));
  add('DeleteResponse', successEnvelope(deleteResultSchema));
  add('JobQueuedResponse', successEnvelope(jobSchema, z.literal('Bulk deletion queued')));
  add('JobResponse', successEnvelope(jobSchema));
  add('JobItemListResponse', successEnvelope(jobItemListSchema));
  add('AuditEventListResponse', successEnvelope(auditEventListSchema));
  for (const [code, schema] of Object.entries(errorBodySchemas)) add(errorSchemaName(code as ErrorCode), schema);
  return convert(registry, 'output');
}

/** Named request bodies (zod input side: what a client may send). */
function requestComponents() {
  const registry = z.registry<{ id: string }>();
  registry.add(addEntryBody, { id: 'AddEntryRequest' });
  registry.add(batchAddBody, { id: 'BatchAddRequest' });
  registry.add(deleteEntryBody.unwrap(), { id: 'DeleteEntryRequest' });
  registry.add(bulkDeleteBody, { id: 'BulkDeleteRequest' });
  return convert(registry, 'input');
}

function convert(registry: z.core.$ZodRegistry<{ id: string }>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', io, uri: (id) => `${SCHEMA_REF}${id}` });
  if ('__shared' in schemas) throw new Error('OpenAPI: a schema was extracted without a name; give it an id in the registry');
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, stripRootKeywords(schema as JsonSchema)]));
}

/** A component is a subschema of the document: it has no $schema or $id of its own. */
function stripRootKeywords(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/**
 * A parameter's schema from its zod schema (input side). Query strings that zod parses into
 * numbers are documented as the number (OpenAPI describes a parameter's deserialized value).
 */
function parameterSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    override: (ctx) => {
      const def = ctx.zodSchema._zod.def;
      if (def.type === 'pipe' && 'out' in def && (def.out as z.ZodType)._zod.def.type === 'number') {
        const numeric = stripRootKeywords(z.toJSONSchema(def.out as z.ZodType, { target: 'draft-2020-12' }));
        for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as JsonSchema)[key];
        Object.assign(ctx.jsonSchema, numeric);
      }
    },
  }) as JsonSchema;
  const result = stripRootKeywords(json);
  // A default applied by a transform is invisible to JSON Schema: ask the schema itself.
  const missing = schema.safeParse(undefined);
  if (missing.success && missing.data !== undefined) result.default = missing.data;
  return result;
}

function parametersOf(location: 'path' | 'query' | 'header', shape: Record<string, z.ZodType>): OpenApiParameter[] {
  return Object.entries(shape).map(([name, field]) => {
    const { description, ...schema } = parameterSchema(field);
    const parameter: OpenApiParameter = {
      name,
      in: location,
      required: location === 'path' || !field.safeParse(undefined).success,
      schema,
    };
    if (typeof description === 'string') parameter.description = description;
    return parameter;
  });
}

function errorSchemaName(code: ErrorCode): string {
  const pascal = code.replace(/(^|_)([a-z])/g, (_m, _sep: string, letter: string) => letter.toUpperCase());
  return pascal.endsWith('Error') ? pascal : `${pascal}Error`;
}

// ---- Headers ----

const headerSchemas = {
  requestId: {
    description:
      'The request id: echoed from the request’s `X-Request-Id` when it is sane, else generated. Also in the logs and the audit trail.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$', examples: ['3f1c2b9e-7d4a-4e8f-9a51-0c6d2e7b8f10'] },
  },
  rateLimitPolicy: {
    description: 'The team’s budget for this operation class: `"<class>";q=<limit>;w=<window seconds>`.',
    schema: { type: 'string', pattern: '^"[a-z-]+";q=\\d+;w=\\d+$', examples: ['"dnc-write";q=30;w=60'] },
  },
  rateLimit: {
    description: 'What is left of it: `"<class>";r=<remaining>;t=<seconds until a slot frees>`.',
    schema: { type: 'string', pattern: '^"[a-z-]+";r=\\d+;t=\\d+$', examples: ['"dnc-write";r=29;t=60'] },
  },
  retryAfter: {
    description: 'Seconds to wait before retrying (or, on a job, before polling again).',
    schema: { type: 'string', pattern: '^\\d+$', examples: ['5'] },
  },
  location: {
    description: 'Where to poll the job.',
    schema: {
      type: 'string',
      pattern: '^/v1/dnc/bulk-delete/job_[A-Za-z0-9]{1,64}$',
      examples: ['/v1/dnc/bulk-delete/job_K3nP8qR2sT5vW7xY9zAb'],
    },
  },
  preferenceApplied: {
    description: 'The deletion was queued as a bulk job, as `Prefer: respond-async` asked.',
    schema: { type: 'string', const: 'respond-async' },
  },
  wwwAuthenticate: {
    description: 'The authentication scheme to use.',
    schema: { type: 'string', pattern: '^Bearer', examples: ['Bearer', 'Bearer error="invalid_token"'] },
  },
  adminChallenge: {
    description:
      'Two challenges, one header line each, so that a browser offers its login prompt: `Basic realm="admin", charset="UTF-8"` and `Bearer realm="admin"` (read together, as here, they are one comma-separated list).',
    schema: {
      type: 'string',
      pattern: '^Basic realm="admin", charset="UTF-8", Bearer realm="admin"$',
      examples: ['Basic realm="admin", charset="UTF-8", Bearer realm="admin"'],
    },
  },
  contentSecurityPolicy: {
    description: 'The reference page loads scripts, styles, fonts and data from this API only (no CDN, no inline script).',
    schema: {
      type: 'string',
      pattern: "script-src 'self';",
      examples: [
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' http://localhost:3000; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      ],
    },
  },
} satisfies Record<string, OpenApiHeader>;

type HeaderName = keyof typeof headerSchemas;
const headerNames: Record<HeaderName, string> = {
  requestId: 'X-Request-Id',
  rateLimitPolicy: 'RateLimit-Policy',
  rateLimit: 'RateLimit',
  retryAfter: 'Retry-After',
  location: 'Location',
  preferenceApplied: 'Preference-Applied',
  wwwAuthenticate: 'WWW-Authenticate',
  adminChallenge: 'WWW-Authenticate',
  contentSecurityPolicy: 'Content-Security-Policy',
};

const usedHeaders = new Map<string, OpenApiHeader>();

/** Headers of a response, as references to components; `X-Request-Id` is always there. */
function headers(required: HeaderName[] = [], optional: HeaderName[] = []): Record<string, OpenApiHeaderRef> {
  const out: Record<string, OpenApiHeaderRef> = {};
  const use = (name: HeaderName, isRequired: boolean) => {
    const component = `${name.charAt(0).toUpperCase()}${name.slice(1)}${isRequired ? '' : 'Optional'}`;
    usedHeaders.set(component, { ...headerSchemas[name], required: isRequired });
    out[headerNames[name]] = { $ref: `#/components/headers/${component}` };
  };
  for (const name of ['requestId', ...required] as HeaderName[]) use(name, true);
  for (const name of optional) use(name, false);
  return out;
}

// ---- Examples ----
// Realistic bodies for the reference page and for client generators; the tests validate each one
// against the schema it illustrates. Entities come from the schemas' own examples where they have one.

type Example = Record<string, unknown>;
type MediaExamples = NonNullable<OpenApiMediaType['examples']>;

function firstExample(schema: z.ZodType): Example {
  const examples = schema.meta()?.examples as unknown[] | undefined;
  if (!examples?.[0]) throw new Error('OpenAPI: a schema used for an example has no example of its own');
  return examples[0] as Example;
}

const exampleEntry = firstExample(entrySchema);
const exampleEntry2 = {
  ...exampleEntry,
  $id: 'dnc_Zx8Yw7Vu6Ts5Rq4Po3Nm',
  url: 'https://linkedin.com/in/john-smith',
  $createdAt: '2026-11-26T09:12:45.318Z',
  $updatedAt: '2026-11-26T09:12:45.318Z',
};
const exampleJob = firstExample(jobSchema);
const exampleThrottledJob = {
  ...exampleJob,
  status: 'throttled',
  total: 120,
  processed: 25,
  counts: { pending: 95, deleted: 23, notFound: 1, forbidden: 1, failed: 0, cancelled: 0 },
  startedAt: '2026-11-26T10:30:00.412Z',
  nextRunAt: '2026-11-26T10:31:00.412Z',
  estimatedCompletionAt: '2026-11-26T10:34:00.412Z',
};
const exampleCompletedJob = {
  ...exampleThrottledJob,
  status: 'completed',
  processed: 120,
  counts: { pending: 0, deleted: 117, notFound: 2, forbidden: 1, failed: 0, cancelled: 0 },
  finishedAt: '2026-11-26T10:34:00.127Z',
  nextRunAt: null,
  estimatedCompletionAt: null,
};
const exampleCancelledJob = {
  ...exampleThrottledJob,
  status: 'cancelled',
  counts: { pending: 0, deleted: 23, notFound: 1, forbidden: 1, failed: 0, cancelled: 95 },
  finishedAt: '2026-11-26T10:30:41.905Z',
  nextRunAt: null,
  estimatedCompletionAt: null,
};
const exampleAsyncDeleteJob = {
  ...exampleJob,
  $id: 'job_Q7wE2rT9yU4iO1pA6sDf',
  reason: 'Consent withdrawn',
  total: 1,
  counts: { pending: 1, deleted: 0, notFound: 0, forbidden: 0, failed: 0, cancelled: 0 },
  estimatedCompletionAt: '2026-11-26T10:30:02.000Z',
};
const exampleAuditEvent = firstExample(auditEventSchema);

const metricsExample = [
  '# HELP dnc_http_request_duration_seconds Duration of HTTP requests by route pattern and status',
  '# TYPE dnc_http_request_duration_seconds histogram',
  'dnc_http_request_duration_seconds_bucket{le="0.005",method="DELETE",route="/v1/dnc/:id",status="200"} 271',
  'dnc_http_request_duration_seconds_count{method="DELETE",route="/v1/dnc/:id",status="200"} 280',
  '',
].join('\n');
const dashboardExample =
  '<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8" /><base href="/admin/queues/" /><title>Bull Dashboard</title>…</head><body><div id="root"></div>…</body></html>';

const success = (data: unknown, message?: string) => (message === undefined ? { error: null, data } : { error: null, data, message });
const one = (summary: string, value: unknown): MediaExamples => ({
  [summary.toLowerCase().replace(/[^a-z0-9]+/g, '-')]: { summary, value },
});

/** The body the API sends for a request input that fails validation (computed by the API's own validator). */
function validationExample(schema: z.ZodType, input: unknown, location: InputLocation): Example {
  try {
    parseInput(schema, input, location);
  } catch (error) {
    const appError = error as { code: ErrorCode; message: string; extra: Example };
    return { error: appError.code, message: appError.message, data: null, ...appError.extra };
  }
  throw new Error(`OpenAPI: the invalid ${location} example ${JSON.stringify(input)} passes validation`);
}

const plainErrorBody = (code: ErrorCode, message: string) => ({ error: code, message, data: null });

type ErrorExamples = Partial<Record<ErrorCode, Example>>;

// ---- Responses ----

const json = (schema: JsonSchema, examples?: OpenApiMediaType['examples']): Record<string, OpenApiMediaType> => ({
  'application/json': examples ? { schema, examples } : { schema },
});

const errorDescriptions: Record<number, string> = {
  400: 'Validation error: malformed JSON, a body that cannot be read, a bad field (a NUL character included), a bad id format or a bad query parameter.',
  401: 'No, malformed, unknown or revoked API key. Uses no rate-limit slot.',
  403: 'The key lacks the scope the route needs (uses no rate-limit slot), or the entry or job belongs to another team.',
  404: 'No such entry or job.',
  409: 'Conflict.',
  413: 'The body is over 1 MiB, or holds more items than allowed.',
  422: 'The Idempotency-Key was used before with a different body.',
  429: 'The team’s budget for this operation class is spent.',
  500: 'Something unexpected happened; it is logged with the request id.',
  503: 'Postgres or Redis is unreachable; retry after `Retry-After` seconds.',
};

/**
 * Error responses for the given codes, grouped by HTTP status, with one example per code: the
 * operation's own when it gives one, else the error schema's.
 */
function errorResponses(codes: ErrorCode[], v1: boolean, examples: ErrorExamples = {}): Record<string, OpenApiResponse> {
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
      headers: errorHeaders(status, statusCodes, v1),
      content: json(schemas.length === 1 ? schemas[0]! : { oneOf: schemas }, codeExamples),
    };
  }
  return responses;
}

/** Which headers an error carries: rate-limit headers once the request got past the limiter. */
function errorHeaders(status: number, codes: ErrorCode[], v1: boolean): Record<string, OpenApiHeaderRef> {
  // Outside /v1: no rate limits, but the dashboard's 401s still challenge and 503s still say when to retry.
  if (!v1) return headers(status === 503 ? ['retryAfter'] : status === 401 ? ['adminChallenge'] : []);
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

// ---- Operations ----

/** Codes every authenticated route can answer with. */
const v1Errors: ErrorCode[] = [
  'validation_error',
  'missing_api_key',
  'invalid_api_key',
  'insufficient_scope',
  'rate_limit_exceeded',
  'internal_error',
  'service_unavailable',
];

const rateLimitDefaults: Record<RateLimitClass, number> = { 'dnc-write': 30, 'dnc-bulk': 10, 'dnc-read': 60, 'jobs-read': 120 };

interface V1Operation {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tag: string;
  scope: Scope;
  rateLimitClass: RateLimitClass;
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; schema: string; description?: string };
  success: Record<string, OpenApiResponse>;
  errors: ErrorCode[];
  /** Examples of this operation's errors, where the error schema's own would not fit it. */
  errorExamples?: ErrorExamples;
}

const idParameters = parametersOf('path', deleteEntryParams.shape);
const jobIdParameters = parametersOf('path', jobParams.shape);
const preferParameter: OpenApiParameter = {
  name: 'Prefer',
  in: 'header',
  required: false,
  description: '`respond-async` queues the deletion as a one-item bulk job and answers 202 (RFC 7240).',
  schema: stripRootKeywords(z.toJSONSchema(z.string().meta({ examples: ['respond-async'] }))),
};

function v1Operations(): V1Operation[] {
  const rateLimited = (
    status: number,
    description: string,
    schema: string,
    examples: MediaExamples,
    extra: HeaderName[] = [],
    optional: HeaderName[] = [],
  ) => ({
    [String(status)]: {
      description,
      headers: headers(['rateLimitPolicy', 'rateLimit', ...extra], optional),
      content: json(ref(schema), examples),
    },
  });
  const entryNotFound = { not_found: plainErrorBody('not_found', 'DNC entry not found') };
  const entryForbidden = { forbidden: plainErrorBody('forbidden', 'This DNC entry belongs to another team') };
  const jobErrors = {
    not_found: plainErrorBody('not_found', 'Bulk deletion job not found'),
    forbidden: plainErrorBody('forbidden', 'This bulk deletion job belongs to another team'),
    validation_error: validationExample(jobParams, { jobId: '42' }, 'params'),
  };
  const queued = one('Queued', success(exampleJob, 'Bulk deletion queued'));
  return [
    {
      method: 'post',
      path: '/v1/dnc',
      operationId: 'addEntry',
      summary: 'Add a URL to the list',
      description:
        'Normalizes the LinkedIn URL (`https://linkedin.com/in/<slug>`, slug lower-cased) and adds it. Invalidates the team’s check cache. Audited as `dnc.entry.added`.',
      tag: 'Entries',
      scope: 'dnc:write',
      rateLimitClass: 'dnc-write',
      requestBody: { required: true, schema: 'AddEntryRequest' },
      success: rateLimited(201, 'Added.', 'EntryCreatedResponse', one('Added', success(exampleEntry, 'Added to Do Not Contact list'))),
      errors: [...v1Errors, 'duplicate_entry', 'payload_too_large'],
      errorExamples: {
        validation_error: {
          error: 'validation_error',
          message: 'Invalid LinkedIn URL: not a LinkedIn member profile URL (expected linkedin.com/in/<slug>)',
          data: null,
          details: [{ path: 'url', message: 'not a LinkedIn member profile URL (expected linkedin.com/in/<slug>)' }],
        },
      },
    },
    {
      method: 'post',
      path: '/v1/dnc/batch',
      operationId: 'addEntries',
      summary: 'Add many URLs',
      description: `1 to ${MAX_BATCH_ADD_ENTRIES} entries (more → 413). One bad URL does not stop the rest; duplicates inside the batch count once. Audited per added entry.`,
      tag: 'Entries',
      scope: 'dnc:write',
      rateLimitClass: 'dnc-bulk',
      requestBody: { required: true, schema: 'BatchAddRequest' },
      success: rateLimited(
        201,
        'Processed; see `details` for each URL.',
        'BatchAddResponse',
        one('One added, one duplicate, one error', success(firstExample(batchAddResultSchema), 'Added 1, 1 duplicate(s), 1 error(s)')),
      ),
      errors: [...v1Errors, 'payload_too_large'],
      errorExamples: {
        validation_error: validationExample(batchAddBody, { entries: [] }, 'body'),
        payload_too_large: plainErrorBody('payload_too_large', `A batch holds at most ${MAX_BATCH_ADD_ENTRIES} entries (got 1200)`),
      },
    },
    {
      method: 'get',
      path: '/v1/dnc',
      operationId: 'listEntries',
      summary: 'List the team’s entries',
      description: 'Newest first, ties broken by id.',
      tag: 'Entries',
      scope: 'dnc:read',
      rateLimitClass: 'dnc-read',
      parameters: parametersOf('query', listEntriesQuery.shape),
      success: rateLimited(
        200,
        'One page of entries.',
        'EntryListResponse',
        one('A page', success({ entries: [exampleEntry, exampleEntry2], total: 2, limit: 50, offset: 0 })),
      ),
      errors: v1Errors,
      errorExamples: { validation_error: validationExample(listEntriesQuery, { limit: '5000' }, 'query') },
    },
    {
      method: 'get',
      path: '/v1/dnc/check',
      operationId: 'checkUrl',
      summary: 'Is this URL on the list?',
      description: 'Answers are cached per team (positive and negative alike); any add or delete for the team invalidates them at once.',
      tag: 'Entries',
      scope: 'dnc:read',
      rateLimitClass: 'dnc-read',
      parameters: parametersOf('query', checkQuery.shape),
      success: rateLimited(200, 'Whether the URL is listed.', 'CheckResponse', {
        ...one('Listed', success({ onList: true, entry: exampleEntry })),
        ...one('Not listed', success({ onList: false, entry: null })),
      }),
      errors: v1Errors,
      errorExamples: { validation_error: validationExample(checkQuery, {}, 'query') },
    },
    {
      method: 'delete',
      path: '/v1/dnc/{id}',
      operationId: 'deleteEntry',
      summary: 'Delete an entry',
      description:
        'Removes the row for good and writes the `dnc.entry.deleted` audit event in the same transaction, then invalidates the team’s check cache. ' +
        'The reason may come as a JSON body or as the `reason` query parameter. With `Prefer: respond-async` the deletion is queued as a one-item bulk job (202); the request takes one `dnc-write` slot and the worker takes another when it executes the item, as every bulk item does.',
      tag: 'Entries',
      scope: 'dnc:write',
      rateLimitClass: 'dnc-write',
      parameters: [...idParameters, ...parametersOf('query', deleteEntryQuery.shape), preferParameter],
      requestBody: { required: false, schema: 'DeleteEntryRequest' },
      success: {
        ...rateLimited(200, 'Deleted.', 'DeleteResponse', one('Deleted', success({ message: 'DNC entry deleted successfully' }))),
        ...rateLimited(
          202,
          'Queued as a bulk job (`Prefer: respond-async`).',
          'JobQueuedResponse',
          one('Queued', success(exampleAsyncDeleteJob, 'Bulk deletion queued')),
          ['location', 'retryAfter', 'preferenceApplied'],
        ),
      },
      errors: [...v1Errors, 'forbidden', 'not_found', 'payload_too_large'],
      errorExamples: {
        ...entryNotFound,
        ...entryForbidden,
        validation_error: validationExample(deleteEntryParams, { id: '42' }, 'params'),
      },
    },
    {
      method: 'get',
      path: '/v1/dnc/audit',
      operationId: 'listAuditEvents',
      summary: 'The team’s audit trail',
      description: 'Newest first. A team sees only its own events.',
      tag: 'Audit',
      scope: 'dnc:read',
      rateLimitClass: 'dnc-read',
      parameters: parametersOf('query', auditQuery.shape),
      success: rateLimited(
        200,
        'One page of events.',
        'AuditEventListResponse',
        one(
          'A page',
          success({
            events: [
              exampleAuditEvent,
              {
                ...exampleAuditEvent,
                $id: 'aud_3cV8bN1mQ5wE7rT2yU4i',
                action: 'dnc.entry.added',
                reason: 'Asked not to be contacted',
                requestId: 'req-4702',
                occurredAt: '2026-11-20T08:05:12.774Z',
              },
            ],
            total: 2,
            limit: 50,
            offset: 0,
          }),
        ),
      ),
      errors: v1Errors,
      errorExamples: { validation_error: validationExample(auditQuery, { action: 'dnc.entry.updated' }, 'query') },
    },
    {
      method: 'post',
      path: '/v1/dnc/bulk-delete',
      operationId: 'submitBulkDeletion',
      summary: 'Submit a bulk deletion',
      description:
        '1 to 10,000 ids (`BULK_MAX_IDS`; more → 413); repeats collapse to one item. The worker deletes each item exactly like a synchronous delete, ' +
        'drawing one slot of the team’s `dnc-write` budget per item, but never the last `DNC_WRITE_RESERVED_FOR_SYNC` slots. ' +
        'The same `Idempotency-Key` with the same body within 24 h returns the same job (200); with a different body → 422. Audited as `dnc.bulk_delete.submitted`.',
      tag: 'Bulk deletion',
      scope: 'dnc:write',
      rateLimitClass: 'dnc-bulk',
      parameters: parametersOf('header', { 'Idempotency-Key': bulkDeleteHeaders.shape['idempotency-key'] }),
      requestBody: { required: true, schema: 'BulkDeleteRequest' },
      success: {
        ...rateLimited(
          200,
          'The job an earlier request with the same Idempotency-Key created.',
          'JobQueuedResponse',
          one('Same job as before', success(exampleThrottledJob, 'Bulk deletion queued')),
          ['location'],
          ['retryAfter'],
        ),
        ...rateLimited(202, 'Queued.', 'JobQueuedResponse', queued, ['location', 'retryAfter']),
      },
      errors: [...v1Errors, 'idempotency_key_in_use', 'payload_too_large', 'idempotency_key_reused'],
      errorExamples: {
        validation_error: validationExample(bulkDeleteBody, { ids: ['dnc_7Hq2LmX9pR4sT1vW3yZa', '42'] }, 'body'),
        payload_too_large: plainErrorBody('payload_too_large', 'A bulk deletion holds at most 10000 ids (got 12000)'),
      },
    },
    {
      method: 'get',
      path: '/v1/dnc/bulk-delete/{jobId}',
      operationId: 'getBulkJob',
      summary: 'Poll a bulk deletion',
      description: 'While the job is not finished, `Retry-After` suggests when to poll again.',
      tag: 'Bulk deletion',
      scope: 'dnc:read',
      rateLimitClass: 'jobs-read',
      parameters: jobIdParameters,
      success: rateLimited(
        200,
        'The job.',
        'JobResponse',
        { ...one('Throttled', success(exampleThrottledJob)), ...one('Completed', success(exampleCompletedJob)) },
        [],
        ['retryAfter'],
      ),
      errors: [...v1Errors, 'forbidden', 'not_found'],
      errorExamples: jobErrors,
    },
    {
      method: 'get',
      path: '/v1/dnc/bulk-delete/{jobId}/items',
      operationId: 'listBulkJobItems',
      summary: 'The items of a bulk deletion',
      description: 'In submission order, optionally filtered by status.',
      tag: 'Bulk deletion',
      scope: 'dnc:read',
      rateLimitClass: 'jobs-read',
      parameters: [...jobIdParameters, ...parametersOf('query', jobItemsQuery.shape)],
      success: rateLimited(
        200,
        'One page of items.',
        'JobItemListResponse',
        one(
          'A page',
          success({
            items: [
              firstExample(jobItemSchema),
              { id: exampleEntry2.$id, status: 'not_found', processedAt: '2026-11-26T10:30:00.431Z' },
              { id: 'dnc_Lk5Jh3Gf1Ds9Ap7Oi2Uy', status: 'pending', processedAt: null },
            ],
            total: 3,
            limit: 50,
            offset: 0,
          }),
        ),
      ),
      errors: [...v1Errors, 'forbidden', 'not_found'],
      errorExamples: { ...jobErrors, validation_error: validationExample(jobItemsQuery, { status: 'done' }, 'query') },
    },
    {
      method: 'post',
      path: '/v1/dnc/bulk-delete/{jobId}/cancel',
      operationId: 'cancelBulkJob',
      summary: 'Cancel a bulk deletion',
      description:
        'Pending items become `cancelled`; items already deleted stay deleted. Cancelling a finished job returns it unchanged. Audited as `dnc.bulk_delete.cancelled`.',
      tag: 'Bulk deletion',
      scope: 'dnc:write',
      rateLimitClass: 'dnc-bulk',
      parameters: jobIdParameters,
      success: rateLimited(200, 'The job after cancelling.', 'JobResponse', one('Cancelled', success(exampleCancelledJob))),
      errors: [...v1Errors, 'forbidden', 'not_found'],
      errorExamples: jobErrors,
    },
  ];
}

/** The messages of the checks every /v1 route makes, for this operation's scope and rate-limit class. */
function v1ErrorExamples(spec: V1Operation): ErrorExamples {
  const limit = rateLimitDefaults[spec.rateLimitClass];
  return {
    insufficient_scope: plainErrorBody('insufficient_scope', `This API key lacks the "${spec.scope}" scope`),
    rate_limit_exceeded: {
      ...plainErrorBody('rate_limit_exceeded', `Rate limit of ${limit} ${spec.rateLimitClass} requests per window exceeded`),
      resetTime: '2026-11-26T10:30:12.000Z',
      retryAfter: 12,
    },
    payload_too_large: plainErrorBody('payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes`),
  };
}

function toOperation(spec: V1Operation): OpenApiOperation {
  const operation: OpenApiOperation = {
    operationId: spec.operationId,
    summary: spec.summary,
    description: `${spec.description}\n\nScope: \`${spec.scope}\`. Rate-limit class: \`${spec.rateLimitClass}\` (default ${rateLimitDefaults[spec.rateLimitClass]} per 60 s per team).`,
    tags: [spec.tag],
    security: [{ bearerAuth: [spec.scope] }],
    parameters: [...(spec.parameters ?? []), { $ref: '#/components/parameters/RequestId' }],
    responses: { ...spec.success, ...errorResponses(spec.errors, true, { ...v1ErrorExamples(spec), ...spec.errorExamples }) },
    'x-rate-limit-class': spec.rateLimitClass,
  };
  if (spec.requestBody) {
    operation.requestBody = { required: spec.requestBody.required, content: json(ref(spec.requestBody.schema)) };
  }
  return operation;
}

function unauthenticated(
  operationId: string,
  summary: string,
  tag: string,
  responses: Record<string, OpenApiResponse>,
  description?: string,
): OpenApiOperation {
  return {
    operationId,
    summary,
    ...(description ? { description } : {}),
    tags: [tag],
    security: [],
    parameters: [{ $ref: '#/components/parameters/RequestId' }],
    responses,
  };
}

function buildOpenApiDocument(): OpenApiDocument {
  usedHeaders.clear();
  const paths: OpenApiDocument['paths'] = {};
  for (const spec of v1Operations()) (paths[spec.path] ??= {})[spec.method] = toOperation(spec);

  paths['/healthz'] = {
    get: unauthenticated('health', 'Liveness', 'Operations', {
      '200': { description: 'The process is up.', headers: headers(), content: json(ref('Health'), one('Up', firstExample(healthSchema))) },
    }),
  };
  paths['/readyz'] = {
    get: unauthenticated('readiness', 'Readiness', 'Operations', {
      '200': {
        description: 'Postgres and Redis answer.',
        headers: headers(),
        content: json(ref('Readiness'), one('Ready', firstExample(readinessSchema))),
      },
      '503': {
        description: 'Postgres or Redis does not answer.',
        headers: headers(),
        content: json(ref('Readiness'), one('Redis down', { status: 'unavailable', checks: { postgres: true, redis: false } })),
      },
    }),
  };
  paths['/metrics'] = {
    get: unauthenticated(
      'metrics',
      'Prometheus metrics',
      'Operations',
      {
        '200': {
          description: 'Metrics in the Prometheus text exposition format.',
          headers: headers(),
          content: { 'text/plain': { schema: { type: 'string' }, examples: one('Scrape', metricsExample) } },
        },
        ...errorResponses(['internal_error', 'service_unavailable'], false),
      },
      'Request counts and latencies by route and status, rate-limit decisions, bulk-job progress and process metrics.',
    ),
  };
  paths['/admin/queues'] = {
    get: {
      ...unauthenticated(
        'adminQueues',
        'Queue dashboard (operators)',
        'Operations',
        {
          '200': {
            description: 'The dashboard (an HTML application; its own assets and JSON calls live under this path).',
            headers: headers(),
            content: { 'text/html': { schema: { type: 'string' }, examples: one('Dashboard', dashboardExample) } },
          },
          ...errorResponses(['missing_api_key', 'invalid_api_key', 'not_found'], false, {
            missing_api_key: plainErrorBody('missing_api_key', 'Send the admin token as "Authorization: Bearer <ADMIN_TOKEN>"'),
            invalid_api_key: plainErrorBody('invalid_api_key', 'The admin token is wrong'),
            not_found: plainErrorBody('not_found', 'No route for GET /admin/queues'),
          }),
        },
        'The bulk-deletion queue, read-only. Mounted only when `ADMIN_TOKEN` is set (404 otherwise); send the token as `Authorization: Bearer <ADMIN_TOKEN>` or as the password of Basic auth (a browser asks for it: any user name, the token as password).',
      ),
      security: [{ adminBearer: [] }, { adminBasic: [] }],
    },
  };
  paths['/openapi.json'] = {
    get: unauthenticated('openapi', 'This document', 'Documentation', {
      '200': {
        description: 'The OpenAPI 3.1 document.',
        headers: headers(),
        content: json(
          {
            type: 'object',
            required: ['openapi', 'info', 'paths'],
            properties: {
              openapi: { type: 'string', pattern: '^3\\.1\\.\\d+$' },
              info: { type: 'object' },
              servers: { type: 'array', items: { type: 'object' } },
              tags: { type: 'array', items: { type: 'object' } },
              paths: { type: 'object' },
              components: { type: 'object' },
            },
          },
          one('This document (abridged)', {
            openapi: '3.1.1',
            info: { title: 'DNC API', version: '1.0.0' },
            servers: [{ url: 'https://dnc.example.com' }],
            paths: {},
          }),
        ),
      },
    }),
  };
  const docsAsset = (operationId: string, summary: string, description: string, example: string) => ({
    get: unauthenticated(
      operationId,
      summary,
      'Documentation',
      {
        '200': {
          description: 'The script.',
          headers: headers(['contentSecurityPolicy']),
          content: { 'text/javascript': { schema: { type: 'string' }, examples: one('Script', example) } },
        },
        ...errorResponses(['internal_error'], false),
      },
      description,
    ),
  });
  paths['/docs'] = {
    get: unauthenticated(
      'docs',
      'Interactive API reference',
      'Documentation',
      {
        '200': {
          description: 'An HTML page that renders this document.',
          headers: headers(['contentSecurityPolicy']),
          content: { 'text/html': { schema: { type: 'string' }, examples: one('Page', docsPage(scalarPackage().version)) } },
        },
      },
      'Renders this document with the Scalar API reference, served by this API (no CDN, no external fonts). A browser page; its Content-Security-Policy lets it load scripts, styles and data only from this API.',
    ),
  };
  paths[DOCS_BUNDLE_PATH] = docsAsset(
    'docsBundle',
    'The API reference’s renderer',
    'The standalone browser bundle of `@scalar/api-reference`, at the exact version the API depends on. `/docs` asks for it with `?v=<version>`, which makes it cacheable for a year.',
    '/* @scalar/api-reference standalone bundle */ (function () { … })();',
  );
  paths[DOCS_INIT_PATH] = docsAsset(
    'docsInit',
    'The API reference’s configuration',
    'Starts the renderer on `/docs` with this document (a script of its own, so that the page needs no inline script).',
    docsInitScript(),
  );

  const rateLimitRows = (Object.entries(rateLimitDefaults) as [RateLimitClass, number][])
    .map(([name, limit]) => `| \`${name}\` | ${limit} |`)
    .join('\n');

  return {
    openapi: '3.1.1',
    info: {
      title: 'DNC API',
      version: '1.0.0',
      description: [
        'Keep a per-team Do-Not-Contact list of LinkedIn member profile URLs: add, add in batches, list, check, delete one (synchronously or queued) and delete in bulk, with an audit trail.',
        '',
        '**Auth.** Every `/v1` route needs `Authorization: Bearer <api key>`. A key belongs to one team and carries scopes `dnc:read` and/or `dnc:write`.',
        '',
        '**Bodies.** JSON in and out. Success: `{ "error": null, "data": …, "message"?: … }`. Error: `{ "error": "<code>", "message": "…", "data": null, …extra }`.',
        'Times are ISO-8601 UTC with milliseconds. Every response carries `X-Request-Id`.',
        '',
        '**Order of checks.** authenticate (401) → scope (403) → rate limit (429) → validate (400) → execute (404 / 403 / 409 …).',
        'Every request admitted past the rate limit uses one slot of the team’s budget, whatever its outcome.',
        '',
        '**Bad input** is a 400 `validation_error`, never a 500: a NUL character (U+0000) in any string field, query value or path segment (`details` names it);',
        'a body that is not JSON, or that cannot be read (a `Content-Encoding` other than `gzip`, `deflate`, `br` or `zstd`, or one that fails to decompress).',
        'A request the HTTP parser refuses (a byte ≥ 0x80 in the request target, a malformed request line, header or chunk) gets the same error body, an `X-Request-Id` and `Connection: close`;',
        'when its request line and headers exceed 16 KiB the status is 431, still with code `validation_error`.',
        '',
        '**Rate limits** per team, rolling 60-second window (`RateLimit-Policy` and `RateLimit` headers on every admitted request):',
        '',
        '| class | default limit / 60 s |',
        '|---|---|',
        rateLimitRows,
      ].join('\n'),
    },
    tags: [
      { name: 'Entries', description: 'The team’s Do-Not-Contact list.' },
      { name: 'Bulk deletion', description: 'Asynchronous deletion of many entries, executed by the worker within the team’s rate limit.' },
      { name: 'Audit', description: 'Who changed what, when, and why.' },
      { name: 'Operations', description: 'Health, readiness and metrics (no auth).' },
      { name: 'Documentation', description: 'This document and its interactive reference.' },
    ],
    paths,
    components: {
      schemas: { ...responseComponents(), ...requestComponents() },
      parameters: {
        RequestId: {
          name: 'X-Request-Id',
          in: 'header',
          required: false,
          description:
            'Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed.',
          schema: { type: 'string', examples: ['req-4711'] },
        },
      },
      headers: Object.fromEntries([...usedHeaders].sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        adminBearer: { type: 'http', scheme: 'bearer', description: 'The operator token `ADMIN_TOKEN` (only for `/admin/queues`).' },
        adminBasic: {
          type: 'http',
          scheme: 'basic',
          description: 'Any user name, `ADMIN_TOKEN` as the password (only for `/admin/queues`).',
        },
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key of your team. Scopes: `dnc:read` (list, check, audit, poll jobs) and `dnc:write` (add, delete, bulk-delete, cancel). Each operation lists the scope it needs.',
        },
      },
    },
  };
}

let cached: OpenApiDocument | undefined;

/**
 * The document (built once). With the API's public base URL it has the `servers` entry clients
 * generate from; the tests, which only read its schemas, may leave it out.
 */
export function openApiDocument(publicBaseUrl?: string): OpenApiDocument {
  const document = (cached ??= buildOpenApiDocument());
  if (publicBaseUrl === undefined) return document;
  return { ...document, servers: [{ url: publicBaseUrl, description: 'This API (`PUBLIC_BASE_URL`)' }] };
}

// ---- GET /docs: the Scalar reference, served from the installed package ----

const DOCS_PATH = '/docs';
const DOCS_BUNDLE_PATH = '/docs/scalar.js';
const DOCS_INIT_PATH = '/docs/init.js';
const DOCS_ELEMENT_ID = 'api-reference-app';

/** The pinned @scalar/api-reference: its version and the standalone browser bundle it ships. */
function scalarPackage(): { version: string; bundlePath: string } {
  // Its exports map has neither package.json nor dist/browser: resolve the entry (dist/index.js) and walk up.
  const root = path.resolve(path.dirname(createRequire(import.meta.url).resolve('@scalar/api-reference')), '..');
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  return { version, bundlePath: path.join(root, 'dist', 'browser', 'standalone.js') };
}

/** The page: two same-origin scripts, no inline script or style, nothing from another host. */
function docsPage(version: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '  <head>',
    '    <meta charset="utf-8" />',
    '    <meta name="viewport" content="width=device-width, initial-scale=1" />',
    '    <title>DNC API reference</title>',
    '  </head>',
    '  <body>',
    `    <div id="${DOCS_ELEMENT_ID}"></div>`,
    `    <script src="${DOCS_BUNDLE_PATH}?v=${encodeURIComponent(version)}"></script>`,
    `    <script src="${DOCS_INIT_PATH}"></script>`,
    '  </body>',
    '</html>',
    '',
  ].join('\n');
}

/** Scalar's configuration, as a script of its own (the CSP allows no inline script). */
function docsInitScript(): string {
  const configuration = {
    url: '/openapi.json',
    // Everything the bundle would fetch from Scalar's hosts is off: fonts, telemetry, the AI agent,
    // MCP and the developer toolbar. (The page's CSP would block them anyway.)
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    mcp: { disabled: true },
    showDeveloperTools: 'never',
    metaData: { title: 'DNC API reference' },
  };
  return `// Renders /openapi.json with the Scalar bundle served next to this file.\nScalar.createApiReference('#${DOCS_ELEMENT_ID}', ${JSON.stringify(configuration)});\n`;
}

/**
 * Scripts, styles, fonts and data from this API only. Styles need 'unsafe-inline': the bundle
 * injects its CSS as <style> elements. The public base URL is where "Test request" sends requests.
 */
function docsContentSecurityPolicy(publicBaseUrl: string): string {
  const apiOrigin = new URL(publicBaseUrl).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${apiOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const gzipAsync = promisify(gzip);

/** A file read and gzipped once, on first use, and kept in memory. */
function cachedAsset(load: () => Promise<Buffer>) {
  let plain: Promise<Buffer> | undefined;
  let gzipped: Promise<Buffer> | undefined;
  const retryOnFailure = (promise: Promise<Buffer>, reset: () => void) =>
    promise.catch((error: unknown) => {
      reset();
      throw error;
    });
  return (req: Request): Promise<{ body: Buffer; gzipped: boolean }> => {
    plain ??= retryOnFailure(load(), () => (plain = undefined));
    if (!req.acceptsEncodings('gzip')) return plain.then((body) => ({ body, gzipped: false }));
    gzipped ??= retryOnFailure(
      plain.then((body) => gzipAsync(body)),
      () => (gzipped = undefined),
    );
    return gzipped.then((body) => ({ body, gzipped: true }));
  };
}

/** GET /openapi.json, and GET /docs with its two scripts. */
export function mountApiDocs(app: Express, config: Pick<Config, 'publicBaseUrl'>): void {
  const document = openApiDocument(config.publicBaseUrl);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });

  const scalar = scalarPackage();
  const csp = docsContentSecurityPolicy(config.publicBaseUrl);
  const page = docsPage(scalar.version);
  const init = docsInitScript();
  // The bundle ends with a sourceMappingURL comment for a 20 MB map we do not serve: drop it.
  const bundle = cachedAsset(async () => {
    const source = await readFile(scalar.bundlePath, 'utf8');
    return Buffer.from(source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
  });
  const sendScript = (res: Response, body: Buffer | string, cacheControl: string) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Cache-Control', cacheControl);
    res.type('text/javascript; charset=utf-8').send(body);
  };

  app.get(DOCS_PATH, (_req, res) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(page);
  });
  app.get(DOCS_INIT_PATH, (_req, res) => {
    sendScript(res, init, 'no-cache');
  });
  app.get(DOCS_BUNDLE_PATH, async (req, res) => {
    const { body, gzipped } = await bundle(req);
    res.vary('Accept-Encoding');
    if (gzipped) res.setHeader('Content-Encoding', 'gzip');
    // The page asks for the bundle under its version: that URL never changes content.
    sendScript(res, body, req.query.v === scalar.version ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
}

// The OpenAPI 3.1 document served at GET /openapi.json: the /v1 operations from the route table
// (apps/api/src/routes/table.ts), whose zod schemas validate requests (packages/shared/src/schemas.ts)
// and describe responses (packages/shared/src/api-schemas.ts), plus the routes outside /v1.
// Every response carries an example, one per error code an operation can answer with; the tests
// validate each against its schema, and check every response they receive against this document
// (test/support/http.ts). `scripts/export-openapi.ts` prints it; docs/openapi.json is that output.
import { DEFAULT_RATE_LIMIT_WINDOW_MS, DEFAULT_RATE_LIMITS, type RateLimitClass } from '@dnc/shared/vocabulary';
import { BODY_TOO_LARGE } from '../http/middleware.js';
import { tooManyItemsMessage, type AnyV1Operation } from '../routes/operation.js';
import { v1Operations } from '../routes/table.js';
import { requestComponents, responseComponents } from './components.js';
import { errorResponses, v1ErrorCodes } from './errors.js';
import { plainErrorBody, type ErrorExamples } from './examples.js';
import { headerComponents, headers } from './headers.js';
import { json, parametersOf, ref } from './json-schema.js';
import type { OpenApiDocument, OpenApiOperation, OpenApiResponse } from './types.js';
import { unversionedPaths } from './unversioned-paths.js';

const RATE_LIMIT_WINDOW_SECONDS = DEFAULT_RATE_LIMIT_WINDOW_MS / 1000;

/** The messages of the checks every /v1 operation makes, for this operation's scope, class and body. */
function checkExamples(operation: AnyV1Operation): ErrorExamples {
  const limit = DEFAULT_RATE_LIMITS[operation.rateLimitClass];
  const items = operation.body?.maxItems;
  return {
    insufficient_scope: plainErrorBody('insufficient_scope', `This API key lacks the "${operation.scope}" scope`),
    rate_limit_exceeded: {
      ...plainErrorBody('rate_limit_exceeded', `Rate limit of ${limit} ${operation.rateLimitClass} requests per window exceeded`),
      resetTime: '2026-11-26T10:30:12.000Z',
      retryAfter: 12,
    },
    payload_too_large: plainErrorBody(
      'payload_too_large',
      items ? tooManyItemsMessage(items, items.defaultMax, items.defaultMax * 1.2) : BODY_TOO_LARGE,
    ),
  };
}

/** One route-table operation as the document describes it. */
function v1Operation(operation: AnyV1Operation): OpenApiOperation {
  const successes: Record<string, OpenApiResponse> = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    successes[status] = {
      description: response.description,
      headers: headers(['rateLimitPolicy', 'rateLimit', ...(response.headers ?? [])], response.optionalHeaders),
      content: json(ref(response.schema), response.examples),
    };
  }
  const described: OpenApiOperation = {
    operationId: operation.operationId,
    summary: operation.summary,
    description: `${operation.description}\n\nScope: \`${operation.scope}\`. Rate-limit class: \`${operation.rateLimitClass}\` (default ${DEFAULT_RATE_LIMITS[operation.rateLimitClass]} per ${RATE_LIMIT_WINDOW_SECONDS} s per team).`,
    tags: [operation.tag],
    security: [{ bearerAuth: [operation.scope] }],
    parameters: [
      ...parametersOf('path', operation.params),
      ...parametersOf('query', operation.query),
      ...parametersOf('header', operation.headers),
      { $ref: '#/components/parameters/RequestId' },
    ],
    responses: {
      ...successes,
      ...errorResponses([...v1ErrorCodes, ...operation.errors], 'v1', { ...checkExamples(operation), ...operation.errorExamples }),
    },
    'x-rate-limit-class': operation.rateLimitClass,
  };
  if (operation.body) {
    described.requestBody = {
      required: !operation.body.schema.safeParse(undefined).success,
      content: json(ref(operation.body.component)),
    };
  }
  return described;
}

function description(): string {
  const rateLimitRows = (Object.entries(DEFAULT_RATE_LIMITS) as [RateLimitClass, number][])
    .map(([name, limit]) => `| \`${name}\` | ${limit} |`)
    .join('\n');
  return [
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
    `**Rate limits** per team, rolling ${RATE_LIMIT_WINDOW_SECONDS}-second window (\`RateLimit-Policy\` and \`RateLimit\` headers on every admitted request):`,
    '',
    `| class | default limit / ${RATE_LIMIT_WINDOW_SECONDS} s |`,
    '|---|---|',
    rateLimitRows,
  ].join('\n');
}

export function buildOpenApiDocument(): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const operation of v1Operations) (paths[operation.path] ??= {})[operation.method] = v1Operation(operation);
  Object.assign(paths, unversionedPaths());
  const bodies = v1Operations.flatMap((operation) => (operation.body ? [operation.body] : []));

  return {
    openapi: '3.1.1',
    info: { title: 'DNC API', version: '1.0.0', description: description() },
    tags: [
      { name: 'Entries', description: 'The team’s Do-Not-Contact list.' },
      { name: 'Bulk deletion', description: 'Asynchronous deletion of many entries, executed by the worker within the team’s rate limit.' },
      { name: 'Audit', description: 'Who changed what, when, and why.' },
      { name: 'Operations', description: 'Health, readiness and metrics (no auth).' },
      { name: 'Documentation', description: 'This document and its interactive reference.' },
    ],
    paths,
    components: {
      schemas: { ...responseComponents(), ...requestComponents(bodies) },
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
      headers: headerComponents(paths),
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

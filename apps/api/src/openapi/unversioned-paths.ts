// The operations outside /v1, as the document describes them: health, readiness and metrics,
// the operators' queue dashboard, this document and its reference page. None takes an API key.
import { healthSchema, readinessSchema } from '@dnc/shared';
import { errorResponses } from './errors.js';
import { firstExample, one, plainErrorBody } from './examples.js';
import { headers } from './headers.js';
import { json, ref } from './json-schema.js';
import { DOCS_BUNDLE_PATH, DOCS_INIT_PATH, DOCS_PATH, docsInitScript, docsPage, scalarPackage } from './scalar.js';
import type { OpenApiDocument, OpenApiOperation, OpenApiResponse } from './types.js';

const metricsExample = [
  '# HELP dnc_http_request_duration_seconds Duration of HTTP requests by route pattern and status',
  '# TYPE dnc_http_request_duration_seconds histogram',
  'dnc_http_request_duration_seconds_bucket{le="0.005",method="DELETE",route="/v1/dnc/:id",status="200"} 271',
  'dnc_http_request_duration_seconds_count{method="DELETE",route="/v1/dnc/:id",status="200"} 280',
  '',
].join('\n');
const dashboardExample =
  '<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8" /><base href="/admin/queues/" /><title>Bull Dashboard</title>…</head><body><div id="root"></div>…</body></html>';

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

function docsAsset(operationId: string, summary: string, description: string, example: string) {
  return {
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
        ...errorResponses(['internal_error'], 'unversioned'),
      },
      description,
    ),
  };
}

export function unversionedPaths(): OpenApiDocument['paths'] {
  return {
    '/healthz': {
      get: unauthenticated('health', 'Liveness', 'Operations', {
        '200': {
          description: 'The process is up.',
          headers: headers(),
          content: json(ref('Health'), one('Up', firstExample(healthSchema))),
        },
      }),
    },
    '/readyz': {
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
    },
    '/metrics': {
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
          ...errorResponses(['internal_error', 'service_unavailable'], 'unversioned'),
        },
        'Request counts and latencies by route and status, rate-limit decisions, bulk-job progress and process metrics.',
      ),
    },
    '/admin/queues': {
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
            ...errorResponses(['missing_api_key', 'invalid_api_key', 'not_found'], 'unversioned', {
              missing_api_key: plainErrorBody('missing_api_key', 'Send the admin token as "Authorization: Bearer <ADMIN_TOKEN>"'),
              invalid_api_key: plainErrorBody('invalid_api_key', 'The admin token is wrong'),
              not_found: plainErrorBody('not_found', 'No route for GET /admin/queues'),
            }),
          },
          'The bulk-deletion queue, read-only. Mounted only when `ADMIN_TOKEN` is set (404 otherwise); send the token as `Authorization: Bearer <ADMIN_TOKEN>` or as the password of Basic auth (a browser asks for it: any user name, the token as password).',
        ),
        security: [{ adminBearer: [] }, { adminBasic: [] }],
      },
    },
    '/openapi.json': {
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
    },
    [DOCS_PATH]: {
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
    },
    [DOCS_BUNDLE_PATH]: docsAsset(
      'docsBundle',
      'The API reference’s renderer',
      'The standalone browser bundle of `@scalar/api-reference`, at the exact version the API depends on. `/docs` asks for it with `?v=<version>`, which makes it cacheable for a year.',
      '/* @scalar/api-reference standalone bundle */ (function () { … })();',
    ),
    [DOCS_INIT_PATH]: docsAsset(
      'docsInit',
      'The API reference’s configuration',
      'Starts the renderer on `/docs` with this document (a script of its own, so that the page needs no inline script).',
      docsInitScript(),
    ),
  };
}

// The OpenAPI document: valid OpenAPI 3.1, generated from the zod schemas, served at
// /openapi.json, rendered at /docs, and describing exactly the routes the Express app has.
// (Every other test checks the responses it receives against it: see test/support/http.ts.)
import { addEntryBody, bulkDeleteBody, createLogger, createServices, errorCodes, loadConfig, type Services } from '@dnc/shared';
import { validate as validateOpenApi } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../../apps/api/src/app.js';
import { openApiDocument, type OpenApiDocument } from '../../apps/api/src/openapi.js';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { OpenApiMismatchError, request, ResponseValidator, type ReceivedResponse } from '../support/http.js';
// ajv-formats is CommonJS typed as ESM: under NodeNext its default import is the module object.
const addFormats = ajvFormats.default;

const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

let env: TestEnvironment;
let baseUrl: string;
let document: OpenApiDocument;

beforeAll(async () => {
  env = await createTestEnvironment();
  baseUrl = (await env.startApi()).baseUrl;
  document = openApiDocument();
});
afterAll(() => env?.cleanup());

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
  rawPath?: unknown;
  handle?: { stack?: RouterLayer[] };
}

/** `METHOD /path` of every route the app answers, with Express `:param` written as OpenAPI `{param}`. */
function expressOperations(app: Express): string[] {
  const operations: string[] = [];
  const normalize = (path: string) => path.replace(/:(\w+)/g, '{$1}').replace(/(.)\/+$/, '$1');
  const walk = (stack: RouterLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          if (method !== '_all') operations.push(`${method.toUpperCase()} ${normalize(prefix + layer.route.path)}`);
        }
      } else if (layer.handle?.stack && typeof layer.rawPath === 'string' && layer.rawPath !== '/') {
        const mountPath = prefix + layer.rawPath;
        // The queue dashboard is one page to the API; what is under it belongs to bull-board.
        if (mountPath === '/admin/queues') operations.push('GET /admin/queues');
        else walk(layer.handle.stack, mountPath);
      }
    }
  };
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack, '');
  return [...new Set(operations)].sort();
}

function documentedOperations(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

describe('GET /openapi.json', () => {
  it('when fetched, then it answers 200 JSON with openapi 3.1.x and the document the app generates', async () => {
    const response = await request(baseUrl, 'GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(response.body.openapi).toMatch(/^3\.1\.\d+$/);
    expect(response.body).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('when validated as OpenAPI 3.1, then it is valid with no warning (schema, references, path parameters, operation ids)', async () => {
    // The parser dereferences in place: give it a copy.
    const result = await validateOpenApi(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.specification).toBe('OpenAPI');
  });

  it('when every schema of the document is compiled as JSON Schema 2020-12, then each is valid and its examples match it', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(structuredClone(document), 'https://dnc.test/doc.json');
    const problems: string[] = [];
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      expect(ajv.validateSchema(schema), `${name}: ${ajv.errorsText()}`).toBe(true);
      const validate = ajv.compile({ $ref: `https://dnc.test/doc.json#/components/schemas/${name}` });
      for (const example of (schema.examples as unknown[] | undefined) ?? []) {
        if (!validate(example)) problems.push(`${name}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(example)}`);
      }
    }
    expect(problems).toEqual([]);
    // Examples on the main entities are there for the reference page.
    for (const name of ['Entry', 'Job', 'JobItem', 'AuditEvent', 'BatchAddResult', 'ValidationError', 'RateLimitExceededError']) {
      expect(document.components.schemas[name]?.examples, name).toBeDefined();
    }
  });

  it('when its path templates are read, then every operation declares each path parameter and has a unique operationId', () => {
    const operationIds = new Set<string>();
    for (const [path, item] of Object.entries(document.paths)) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      for (const operation of Object.values(item)) {
        const pathParameters = (operation.parameters ?? [])
          .filter((p) => 'in' in p && p.in === 'path')
          .map((p) => ('name' in p ? p.name : ''));
        expect(pathParameters.sort(), `${path} ${operation.operationId}`).toEqual([...templated].sort());
        expect(operationIds.has(operation.operationId), operation.operationId).toBe(false);
        operationIds.add(operation.operationId);
      }
    }
  });
});

describe('one source of truth', () => {
  it('when the request bodies are compared with the zod schemas that validate requests, then they are the zod schemas’ JSON Schema', () => {
    const asComponent = (schema: z.ZodType) => {
      const { $schema: _schema, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
      return rest;
    };
    expect(document.components.schemas.AddEntryRequest).toEqual(asComponent(addEntryBody));
    expect(document.components.schemas.BulkDeleteRequest).toEqual(asComponent(bulkDeleteBody));
    expect(document.paths['/v1/dnc']?.post?.requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/AddEntryRequest',
    });
  });

  it('when the /v1 operations are read, then each needs the bearer key with its scope, and /healthz needs none', () => {
    const scopes = Object.fromEntries(
      Object.entries(document.paths)
        .filter(([path]) => path.startsWith('/v1/'))
        .flatMap(([path, item]) => Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op.security])),
    );
    expect(scopes).toEqual({
      'POST /v1/dnc': [{ bearerAuth: ['dnc:write'] }],
      'GET /v1/dnc': [{ bearerAuth: ['dnc:read'] }],
      'POST /v1/dnc/batch': [{ bearerAuth: ['dnc:write'] }],
      'GET /v1/dnc/check': [{ bearerAuth: ['dnc:read'] }],
      'GET /v1/dnc/audit': [{ bearerAuth: ['dnc:read'] }],
      'DELETE /v1/dnc/{id}': [{ bearerAuth: ['dnc:write'] }],
      'POST /v1/dnc/bulk-delete': [{ bearerAuth: ['dnc:write'] }],
      'GET /v1/dnc/bulk-delete/{jobId}': [{ bearerAuth: ['dnc:read'] }],
      'GET /v1/dnc/bulk-delete/{jobId}/items': [{ bearerAuth: ['dnc:read'] }],
      'POST /v1/dnc/bulk-delete/{jobId}/cancel': [{ bearerAuth: ['dnc:write'] }],
    });
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.paths['/healthz']?.get?.security).toEqual([]);
  });

  it('when the responses are read, then every error code has a schema and DELETE /v1/dnc/{id} declares each status it can answer', () => {
    for (const code of errorCodes) {
      const schemaName = Object.entries(document.components.schemas).find(
        ([, schema]) => (schema.properties as Record<string, { const?: string }> | undefined)?.error?.const === code,
      );
      expect(schemaName, code).toBeDefined();
    }
    const deleteOne = document.paths['/v1/dnc/{id}']?.delete;
    expect(Object.keys(deleteOne?.responses ?? {}).sort()).toEqual(['200', '202', '400', '401', '403', '404', '413', '429', '500', '503']);
    expect(Object.keys(deleteOne?.responses['202']?.headers ?? {}).sort()).toEqual([
      'Location',
      'Preference-Applied',
      'RateLimit',
      'RateLimit-Policy',
      'Retry-After',
      'X-Request-Id',
    ]);
    expect(Object.keys(document.paths['/v1/dnc']?.post?.responses ?? {})).toContain('409');
    expect(Object.keys(document.paths['/v1/dnc/bulk-delete']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '202', '409', '413', '422', '429']),
    );
    expect(Object.keys(document.paths['/metrics']?.get?.responses['200']?.content ?? {})).toEqual(['text/plain']);
  });
});

describe('routes', () => {
  let services: Services;
  afterAll(() => services?.close());

  it('when the Express app’s routes are listed, then they are exactly the documented operations', () => {
    // With ADMIN_TOKEN set, so that the dashboard is mounted too.
    const config = loadConfig({ ...env.env, ADMIN_TOKEN });
    services = createServices(config, { name: 'routes', logger: createLogger({ level: 'silent', name: 'routes' }) });
    const operations = expressOperations(createApp(services));
    expect(operations).toContain('DELETE /v1/dnc/{id}');
    expect(operations).toEqual(documentedOperations(document));
  });
});

describe('GET /docs', () => {
  it('when fetched, then it answers 200 HTML that renders /openapi.json with Scalar', async () => {
    const response = await request(baseUrl, 'GET', '/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html\b/);
    expect(response.body).toContain('<!doctype html>');
    expect(response.body).toContain('@scalar/api-reference');
    expect(response.body).toContain('"/openapi.json"');
  });
});

describe('response checking', () => {
  const validator = new ResponseValidator(openApiDocument());
  const entry = {
    $id: 'dnc_abc123',
    teamId: 'team_a',
    url: 'https://linkedin.com/in/jane-doe',
    $createdAt: '2026-11-26T10:30:00.000Z',
    $updatedAt: '2026-11-26T10:30:00.000Z',
  };
  const response = (overrides: Partial<ReceivedResponse> & { headerValues?: Record<string, string> }): ReceivedResponse => {
    const body = overrides.body ?? { error: null, data: { onList: true, entry } };
    return {
      method: 'GET',
      path: '/v1/dnc/check?url=in/jane-doe',
      status: 200,
      text: JSON.stringify(body),
      body,
      isJson: true,
      headers: new Headers(
        overrides.headerValues ?? {
          'content-type': 'application/json; charset=utf-8',
          'x-request-id': 'req-1',
          'ratelimit-policy': '"dnc-read";q=60;w=60',
          ratelimit: '"dnc-read";r=59;t=60',
        },
      ),
      ...overrides,
    };
  };

  it('when a response matches the document, then it passes', () => {
    expect(() => validator.check(response({}))).not.toThrow();
  });

  it('when a body lacks a field, then the check fails naming method, path, status and the schema error', () => {
    const { $updatedAt: _dropped, ...incomplete } = entry;
    const check = () => validator.check(response({ body: { error: null, data: { onList: true, entry: incomplete } } }));
    expect(check).toThrow(OpenApiMismatchError);
    expect(check).toThrow(/GET \/v1\/dnc\/check\?url=in\/jane-doe → 200[\s\S]*\$updatedAt/);
  });

  it('when the status is not declared for the route, then the check fails', () => {
    expect(() => validator.check(response({ status: 409 }))).toThrow(/status 409 is not declared for GET \/v1\/dnc\/check/);
  });

  it('when X-Request-Id is missing or an undeclared header is sent, then the check fails', () => {
    expect(() =>
      validator.check(
        response({
          headerValues: { 'content-type': 'application/json', ratelimit: '"dnc-read";r=1;t=1', 'ratelimit-policy': '"dnc-read";q=60;w=60' },
        }),
      ),
    ).toThrow(/required header x-request-id is missing/);
    expect(() =>
      validator.check(
        response({
          headerValues: {
            'content-type': 'application/json',
            'x-request-id': 'req-1',
            ratelimit: '"dnc-read";r=1;t=1',
            'ratelimit-policy': '"dnc-read";q=60;w=60',
            'x-powered-by': 'Express',
          },
        }),
      ),
    ).toThrow(/header x-powered-by is sent but not declared/);
  });

  it('when a 401 carries rate-limit headers, then the check fails (a 401 uses no slot)', () => {
    const body = { error: 'missing_api_key', message: 'Send your API key', data: null };
    const headers = { 'content-type': 'application/json', 'x-request-id': 'req-1', 'www-authenticate': 'Bearer' };
    expect(() => validator.check(response({ status: 401, body, headerValues: headers }))).not.toThrow();
    expect(() => validator.check(response({ status: 401, body, headerValues: { ...headers, ratelimit: '"dnc-read";r=1;t=1' } }))).toThrow(
      /header ratelimit is sent but not declared/,
    );
  });

  it('when an undeclared route answers anything but the not_found body, then the check fails', () => {
    const notFound = { error: 'not_found', message: 'No route for GET /nope', data: null };
    const headers = { 'content-type': 'application/json', 'x-request-id': 'req-1' };
    expect(() => validator.check(response({ path: '/nope', status: 404, body: notFound, headerValues: headers }))).not.toThrow();
    expect(() => validator.check(response({ path: '/nope', status: 200, body: notFound, headerValues: headers }))).toThrow(/not 404/);
    expect(() =>
      validator.check(response({ path: '/nope', status: 404, body: { ...notFound, stack: 'Error: at …' }, headerValues: headers })),
    ).toThrow(/additional properties/);
  });
});

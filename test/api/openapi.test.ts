// The OpenAPI document: valid OpenAPI 3.1, generated from the zod schemas, served at
// /openapi.json with the API's public base URL as its server, with an example for every success
// response and for every error code of every operation (each valid against its schema), and
// describing exactly the routes the Express app has. (/docs, which renders it: docs.test.ts.)
// (Every other test checks the responses it receives against it: see test/support/http.ts.)
import {
  addEntryBody,
  bulkDeleteBody,
  createLogger,
  createServices,
  DEFAULT_RATE_LIMITS,
  errorCodes,
  loadConfig,
  scopes,
  type Scope,
  type Services,
} from '@dnc/shared';
import { readFileSync } from 'node:fs';
import { validate as validateOpenApi } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../../apps/api/src/app.js';
import { errorStatus } from '../../apps/api/src/http/error-status.js';
import { openApiDocument } from '../../apps/api/src/openapi/builder.js';
import type { OpenApiDocument } from '../../apps/api/src/openapi/types.js';
import type { AnyV1Operation } from '../../apps/api/src/routes/operation.js';
import { v1Operations } from '../../apps/api/src/routes/table.js';
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
    expect(response.body).toEqual(JSON.parse(JSON.stringify(openApiDocument(env.config.publicBaseUrl))));
  });

  it('when PUBLIC_BASE_URL is set, then the document’s one server is that URL; unset, it is http://localhost:<PORT>', async () => {
    const configured = await env.startApi({ PUBLIC_BASE_URL: 'https://dnc.example.com/' });
    const response = await request(configured.baseUrl, 'GET', '/openapi.json');
    expect(response.body.servers).toEqual([{ url: 'https://dnc.example.com', description: expect.any(String) }]);
    const byDefault = await env.startApi({ PORT: '4123' });
    expect((await request(byDefault.baseUrl, 'GET', '/openapi.json')).body.servers).toEqual([
      { url: 'http://localhost:4123', description: expect.any(String) },
    ]);
  });

  it('when docs/openapi.json (the checked-in export) is compared with the document the code generates, then they are the same', () => {
    // Stale? Regenerate: node --conditions=@dnc/source --import tsx scripts/export-openapi.ts --out docs/openapi.json
    const checkedIn: unknown = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(openApiDocument(loadConfig({}).publicBaseUrl))));
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
    ajv.addSchema(schemasOnly(document) as object, 'https://dnc.test/doc.json');
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

/** A JSON pointer segment, URI-encoded for a `$ref`. */
const pointerSegment = (segment: string) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));

/**
 * The document as a JSON Schema validator should load it: without the media-type examples (maps,
 * unlike JSON Schema's `examples` arrays), which are data — ajv would take their entries' `$id` for schema ids.
 */
const schemasOnly = (doc: OpenApiDocument): unknown =>
  JSON.parse(JSON.stringify(doc), (key, value: unknown) => (key === 'examples' && !Array.isArray(value) ? undefined : value));

/** Every response of every operation, with its JSON pointer. */
function allResponses(doc: OpenApiDocument) {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, operation]) =>
      Object.entries(operation.responses).map(([status, response]) => ({
        where: `${method.toUpperCase()} ${path} → ${status}`,
        pointer: ['#', 'paths', path, method, 'responses', status].map((s, i) => (i === 0 ? s : pointerSegment(s))).join('/'),
        status: Number(status),
        response,
      })),
    ),
  );
}

describe('examples', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const DOC = 'https://dnc.test/examples.json';
  ajv.addSchema(schemasOnly(openApiDocument()) as object, DOC);

  it('when the responses are read, then every 2xx response has at least one example for each media type', () => {
    const missing: string[] = [];
    for (const { where, status, response } of allResponses(document)) {
      if (status < 200 || status > 299) continue;
      const content = Object.entries(response.content ?? {});
      if (content.length === 0) missing.push(`${where}: no content`);
      for (const [mediaType, media] of content) {
        if (Object.keys(media.examples ?? {}).length === 0) missing.push(`${where} ${mediaType}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('when the error responses are read, then each has exactly one example per error code it declares, with that code', () => {
    const problems: string[] = [];
    for (const { where, status, response } of allResponses(document)) {
      const media = response.content?.['application/json'];
      if (status < 400 || !media) continue;
      const schema = media.schema as { $ref?: string; oneOf?: { $ref: string }[] };
      const refs = schema.oneOf ? schema.oneOf.map((s) => s.$ref) : [schema.$ref];
      // The error body's code is the `const` of its `error` property.
      const codes = refs
        .map((ref) => document.components.schemas[String(ref).split('/').pop()!])
        .map((component) => (component?.properties as { error?: { const?: string } } | undefined)?.error?.const);
      // /readyz's 503 is its readiness report, not an error code.
      if (codes.every((code) => code === undefined)) continue;
      expect(
        codes.every((code) => typeof code === 'string'),
        where,
      ).toBe(true);
      const examples = media.examples ?? {};
      expect(Object.keys(examples).sort(), where).toEqual([...codes].sort());
      for (const [name, example] of Object.entries(examples)) {
        if ((example.value as { error?: unknown }).error !== name)
          problems.push(`${where}: example ${name} has error ${String((example.value as { error?: unknown }).error)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('when every example is validated against the schema of its media type, then each one is valid', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const { where, pointer, response } of allResponses(document)) {
      for (const [mediaType, media] of Object.entries(response.content ?? {})) {
        const validate = ajv.compile({ $ref: `${DOC}${pointer}/content/${pointerSegment(mediaType)}/schema` });
        for (const [name, example] of Object.entries(media.examples ?? {})) {
          checked++;
          if (!validate(example.value)) problems.push(`${where} ${mediaType} example ${name}: ${ajv.errorsText(validate.errors)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it('when the examples are read, then ids and times have the API’s formats', () => {
    const text = JSON.stringify(allResponses(document).map(({ response }) => response.content));
    for (const [, id] of text.matchAll(/"(?:\$id|id|entryId|jobId|teamId)":"([^"]*)"/g))
      expect(id).toMatch(/^(dnc|job|aud|team)_[A-Za-z0-9_-]+$/);
    const times = [
      ...text.matchAll(
        /"(?:\$createdAt|\$updatedAt|startedAt|finishedAt|nextRunAt|estimatedCompletionAt|processedAt|occurredAt|resetTime)":"([^"]*)"/g,
      ),
    ];
    expect(times.length).toBeGreaterThan(10);
    for (const [, time] of times) expect(time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});

describe('one source of truth', () => {
  it('when the request bodies are compared with the zod schemas that validate requests, then they are the zod schemas’ JSON Schema', () => {
    const asComponent = (schema: z.ZodType) => {
      const sent = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
      const { $schema: _schema, ...rest } = z.toJSONSchema(sent, { io: 'input' }) as Record<string, unknown>;
      return rest;
    };
    const withBodies = v1Operations.filter((operation) => operation.body);
    expect(withBodies.map((operation) => operation.operationId)).toEqual([
      'addEntry',
      'addEntries',
      'checkUrls',
      'deleteEntry',
      'submitBulkDeletion',
    ]);
    for (const { method, path, body } of withBodies) {
      expect(document.components.schemas[body!.component], body!.component).toEqual(asComponent(body!.schema));
      expect(document.paths[path]?.[method]?.requestBody?.content['application/json']?.schema).toEqual({
        $ref: `#/components/schemas/${body!.component}`,
      });
    }
    expect(document.components.schemas.AddEntryRequest).toEqual(asComponent(addEntryBody));
    expect(document.components.schemas.BulkDeleteRequest).toEqual(asComponent(bulkDeleteBody));
  });

  it('when the /v1 operations are read, then they are the route table’s, each with the bearer key of its scope and its rate-limit class, and /healthz needs none', () => {
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(v1Operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort()).toEqual(documented.sort());
    for (const operation of v1Operations) {
      const described = document.paths[operation.path]?.[operation.method];
      const where = `${operation.method.toUpperCase()} ${operation.path}`;
      expect(described?.operationId, where).toBe(operation.operationId);
      expect(described?.security, where).toEqual([{ bearerAuth: [operation.scope] }]);
      expect(described?.['x-rate-limit-class'], where).toBe(operation.rateLimitClass);
      expect(described?.description, where).toContain(`Scope: \`${operation.scope}\`. Rate-limit class: \`${operation.rateLimitClass}\``);
    }
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

describe('docs/conventions.md', () => {
  const page = readFileSync(new URL('../../docs/conventions.md', import.meta.url), 'utf8');

  it('when its error table is read, then it lists every error code once, with the status the API answers it with', () => {
    const rows = [...page.matchAll(/^\| (\d{3}) +\| `([a-z_]+)` +\|/gm)].map(([, status, code]) => [code, Number(status)] as const);
    expect(rows).toHaveLength(errorCodes.length);
    expect(Object.fromEntries(rows)).toEqual(errorStatus);
  });

  it('when its rate-limit table is read, then it lists every class with its default limit', () => {
    const rows = [...page.matchAll(/^\| `([a-z-]+)` +\| (\d+) +\|/gm)].map(
      ([, rateLimitClass, limit]) => [rateLimitClass, Number(limit)] as const,
    );
    expect(Object.fromEntries(rows)).toEqual(DEFAULT_RATE_LIMITS);
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

/** A request path for an operation: each path parameter filled with its schema's example (a well-formed id of no one's). */
function concretePath(operation: AnyV1Operation): string {
  return operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const examples = (operation.params?.shape[name] as z.ZodType | undefined)?.meta()?.examples as string[] | undefined;
    if (!examples?.[0]) throw new Error(`${operation.path}: no example for {${name}}`);
    return examples[0];
  });
}

describe('the route table over HTTP: each operation checks its scope, then takes a slot of its class', () => {
  const keys: Partial<Record<Scope, string>> = {};
  beforeAll(async () => {
    for (const scope of scopes) keys[scope] = (await env.createKey('team_route_table', [scope])).apiKey;
  });

  it.each(v1Operations.map((operation) => [`${operation.method.toUpperCase()} ${operation.path}`, operation] as const))(
    'when %s is called with a key that lacks its scope, then 403 insufficient_scope and no slot is taken; with its scope, its class’s RateLimit-Policy',
    async (_name, operation) => {
      const path = concretePath(operation);
      const otherScope = scopes.find((scope) => scope !== operation.scope)!;
      const refused = await request(baseUrl, operation.method.toUpperCase(), path, { apiKey: keys[otherScope] });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: 'insufficient_scope', message: `This API key lacks the "${operation.scope}" scope` });
      expect(refused.headers.get('ratelimit-policy')).toBeNull();

      // No body and no query: admitted by the limiter, then whatever the operation makes of it (400, 404, an empty page).
      const admitted = await request(baseUrl, operation.method.toUpperCase(), path, { apiKey: keys[operation.scope] });
      expect(admitted.status, JSON.stringify(admitted.body)).toBeLessThan(500);
      expect(admitted.headers.get('ratelimit-policy')).toBe(
        `"${operation.rateLimitClass}";q=${env.config.rateLimit.limits[operation.rateLimitClass]};w=${env.config.rateLimit.windowMs / 1000}`,
      );
    },
  );
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

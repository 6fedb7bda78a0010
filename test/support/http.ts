// A small fetch wrapper for tests: every call goes through the real HTTP API, and every response
// is checked against the OpenAPI document the API serves (apps/api/src/openapi/builder.ts): the status is
// declared for that method and path, the content type and body match, and the response's headers
// are declared (required ones present, all of them matching their schema). A mismatch fails the test.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { openApiDocument } from '../../apps/api/src/openapi/builder.js';
import type { OpenApiDocument, OpenApiHeader, OpenApiResponse } from '../../apps/api/src/openapi/types.js';
// ajv-formats is CommonJS typed as ESM: under NodeNext its default import is the module object.
const addFormats = ajvFormats.default;

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  apiKey?: string;
  body?: unknown;
  /** Sent as-is (for malformed JSON and wrong content types). */
  rawBody?: string;
  /** Headers to send; an undefined value is left out. */
  headers?: Record<string, string | undefined>;
  /** Skips the OpenAPI check of the response. Only for responses that are not the API's (none so far). */
  skipOpenApiCheck?: boolean;
}

export async function request<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[name] = value;
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  let isJson = false;
  try {
    parsed = text ? JSON.parse(text) : null;
    isJson = text !== '';
  } catch {
    // not JSON: keep the text
  }
  const result = { status: response.status, headers: response.headers, body: parsed as T };
  if (!options.skipOpenApiCheck) {
    responseValidator().check({ method, path, status: response.status, headers: response.headers, text, body: parsed, isJson });
  }
  return result;
}

/** A client bound to one API and one key. */
export function client(baseUrl: string, apiKey?: string) {
  const call = <T = any>(method: string, path: string, options: RequestOptions = {}) =>
    request<T>(baseUrl, method, path, { apiKey, ...options });
  return {
    get: <T = any>(path: string, options?: RequestOptions) => call<T>('GET', path, options),
    post: <T = any>(path: string, body?: unknown, options?: RequestOptions) => call<T>('POST', path, { body, ...options }),
    delete: <T = any>(path: string, options?: RequestOptions) => call<T>('DELETE', path, options),
    call,
  };
}

export const isoMillis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// ---- Checking responses against the OpenAPI document ----

export class OpenApiMismatchError extends Error {
  override name = 'OpenApiMismatchError';
}

export interface ReceivedResponse {
  method: string;
  /** The request path, with its query string. */
  path: string;
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
  isJson: boolean;
}

/** Headers of the transport, not of the API: they need not be declared. */
const transportHeaders = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'vary',
  'cache-control',
  'etag',
  'last-modified',
  'accept-ranges',
]);

/** Under /admin/queues/ (not the page itself) live the dashboard's assets and JSON calls. */
const isDashboardInternal = (path: string) => new URL(path, 'http://x').pathname.startsWith('/admin/queues/');

const DOCUMENT_ID = 'https://dnc.test/openapi.json';

const pointerSegment = (segment: string) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));

interface PathTemplate {
  template: string;
  pattern: RegExp;
  parameters: number;
}

/** Validates responses against one OpenAPI document; JSON Schemas are compiled once, on first use. */
export class ResponseValidator {
  private readonly ajv: Ajv2020;
  private readonly templates: PathTemplate[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    // The whole document is one schema resource, so `#/components/...` references resolve in it.
    // Without its media-type examples (maps, unlike JSON Schema's `examples` arrays): they are data,
    // and ajv would take the `$id` of each example entry for a schema id.
    const schemasOnly = JSON.parse(JSON.stringify(document), (key, value: unknown) =>
      key === 'examples' && !Array.isArray(value) ? undefined : value,
    ) as OpenApiDocument;
    this.ajv.addSchema(schemasOnly, DOCUMENT_ID);
    this.templates = Object.keys(document.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      parameters: (template.match(/\{/g) ?? []).length,
    }));
  }

  /** The declared operation for a request: concrete paths win over templated ones (as in Express and OpenAPI). */
  findOperation(method: string, requestPath: string) {
    const pathname = new URL(requestPath, 'http://x').pathname.replace(/(.)\/+$/, '$1');
    const verb = (method.toUpperCase() === 'HEAD' ? 'get' : method.toLowerCase()) as keyof OpenApiDocument['paths'][string];
    const candidates = this.templates
      .filter((t) => t.pattern.test(pathname) && this.document.paths[t.template]?.[verb])
      .sort((a, b) => a.parameters - b.parameters);
    const match = candidates[0];
    return match ? { template: match.template, verb, operation: this.document.paths[match.template]![verb]! } : undefined;
  }

  check(received: ReceivedResponse): void {
    const problems = this.problems(received);
    if (problems.length === 0) return;
    const body = received.isJson ? JSON.stringify(received.body) : received.text;
    throw new OpenApiMismatchError(
      [
        `Response does not match the OpenAPI document: ${received.method.toUpperCase()} ${received.path} → ${received.status}`,
        ...problems.map((problem) => `  - ${problem}`),
        `  body: ${body.length > 2000 ? `${body.slice(0, 2000)}…` : body}`,
      ].join('\n'),
    );
  }

  problems(received: ReceivedResponse): string[] {
    if (isDashboardInternal(received.path)) return this.dashboardProblems(received);
    const found = this.findOperation(received.method, received.path);
    if (!found) return this.undeclaredRouteProblems(received);
    const pointer = `#/paths/${pointerSegment(found.template)}/${found.verb}/responses/${received.status}`;
    const declared = found.operation.responses[String(received.status)];
    if (!declared) {
      return [
        `status ${received.status} is not declared for ${found.verb.toUpperCase()} ${found.template} (declared: ${Object.keys(found.operation.responses).join(', ')})`,
      ];
    }
    const withoutBody = received.method.toUpperCase() === 'HEAD';
    return [...this.headerProblems(received, declared), ...(withoutBody ? [] : this.contentProblems(received, declared, pointer))];
  }

  /** A path or method the document does not declare: the API answers with its generic 404 (or 400 for a malformed path). */
  private undeclaredRouteProblems(received: ReceivedResponse): string[] {
    const schemaName = { 404: 'NotFoundError', 400: 'ValidationError' }[received.status];
    if (!schemaName) return [`${received.method.toUpperCase()} ${received.path} is not in the document, and ${received.status} is not 404`];
    const problems: string[] = [];
    if (!received.headers.get('x-request-id')) problems.push('header X-Request-Id is missing');
    if (!this.isMediaType(received, 'application/json') || !received.isJson) problems.push('the body is not JSON');
    else problems.push(...this.schemaProblems(`#/components/schemas/${schemaName}`, received.body, 'body'));
    return problems;
  }

  /** The queue dashboard's own assets and JSON calls (bull-board's, not the API's): only the API's conventions are checked. */
  private dashboardProblems(received: ReceivedResponse): string[] {
    const problems: string[] = [];
    if (!received.headers.get('x-request-id')) problems.push('header X-Request-Id is missing');
    if (received.status === 401) {
      const code = (received.body as { error?: unknown } | null)?.error;
      if (code !== 'missing_api_key' && code !== 'invalid_api_key') problems.push(`401 with error code ${String(code)}`);
      else
        problems.push(
          ...this.schemaProblems(
            `#/components/schemas/${code === 'missing_api_key' ? 'MissingApiKeyError' : 'InvalidApiKeyError'}`,
            received.body,
            'body',
          ),
        );
    }
    return problems;
  }

  private headerProblems(received: ReceivedResponse, declared: OpenApiResponse): string[] {
    const problems: string[] = [];
    const declaredHeaders = new Map<string, OpenApiHeader>();
    for (const [name, headerOrRef] of Object.entries(declared.headers ?? {})) {
      declaredHeaders.set(name.toLowerCase(), this.resolve<OpenApiHeader>(headerOrRef));
    }
    for (const [name, header] of declaredHeaders) {
      const value = received.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`required header ${name} is missing`);
        continue;
      }
      const validate = this.ajv.compile(header.schema);
      if (!validate(value))
        problems.push(`header ${name}: ${JSON.stringify(value)} ${this.ajv.errorsText(validate.errors, { dataVar: name })}`);
    }
    received.headers.forEach((_value, name) => {
      if (!transportHeaders.has(name) && !declaredHeaders.has(name)) problems.push(`header ${name} is sent but not declared`);
    });
    return problems;
  }

  private contentProblems(received: ReceivedResponse, declared: OpenApiResponse, pointer: string): string[] {
    const content = declared.content ?? {};
    const mediaTypes = Object.keys(content);
    if (mediaTypes.length === 0) return received.text === '' ? [] : ['a body is sent but none is declared'];
    const mediaType = mediaTypes.find((type) => this.isMediaType(received, type));
    if (!mediaType)
      return [`content type ${received.headers.get('content-type') ?? '(none)'} is not declared (declared: ${mediaTypes.join(', ')})`];
    const schemaPointer = `${pointer}/content/${pointerSegment(mediaType)}/schema`;
    if (mediaType === 'application/json') {
      if (!received.isJson) return ['the body is not valid JSON'];
      return this.schemaProblems(schemaPointer, received.body, 'body');
    }
    return this.schemaProblems(schemaPointer, received.text, 'body');
  }

  private isMediaType(received: ReceivedResponse, mediaType: string): boolean {
    const contentType = received.headers.get('content-type');
    return contentType !== null && contentType.split(';')[0]!.trim().toLowerCase() === mediaType;
  }

  private schemaProblems(pointer: string, data: unknown, dataVar: string): string[] {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
      this.compiled.set(pointer, validate);
    }
    if (validate(data)) return [];
    return (validate.errors ?? []).map(
      (error) =>
        `${dataVar}${error.instancePath} ${error.message ?? 'is invalid'}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`,
    );
  }

  private resolve<T>(value: unknown): T {
    const reference = (value as { $ref?: unknown }).$ref;
    if (typeof reference !== 'string') return value as T;
    let target: unknown = this.document;
    for (const segment of reference.replace(/^#\//, '').split('/')) {
      target = (target as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    if (target === undefined) throw new Error(`OpenAPI: unresolvable reference ${reference}`);
    return target as T;
  }
}

let validator: ResponseValidator | undefined;

/** The validator for the API's own document. */
export function responseValidator(): ResponseValidator {
  return (validator ??= new ResponseValidator(openApiDocument()));
}

// The response headers the API sends, each described once as a component of the document.
// A response refers to them by name; the document carries only the components its responses use.
import { DEFAULT_RATE_LIMIT_WINDOW_MS, DEFAULT_RATE_LIMITS } from '@dnc/shared/vocabulary';
import type { OpenApiDocument, OpenApiHeader, OpenApiHeaderRef } from './types.js';

const WRITE_LIMIT = DEFAULT_RATE_LIMITS['dnc-write'];
const WINDOW_SECONDS = DEFAULT_RATE_LIMIT_WINDOW_MS / 1000;

const headerSchemas = {
  requestId: {
    description:
      'The request id: echoed from the request’s `X-Request-Id` when it is sane, else generated. Also in the logs and the audit trail.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$', examples: ['3f1c2b9e-7d4a-4e8f-9a51-0c6d2e7b8f10'] },
  },
  rateLimitPolicy: {
    description: 'The team’s budget for this operation class: `"<class>";q=<limit>;w=<window seconds>`.',
    schema: { type: 'string', pattern: '^"[a-z-]+";q=\\d+;w=\\d+$', examples: [`"dnc-write";q=${WRITE_LIMIT};w=${WINDOW_SECONDS}`] },
  },
  rateLimit: {
    description: 'What is left of it: `"<class>";r=<remaining>;t=<seconds until a slot frees>`.',
    schema: { type: 'string', pattern: '^"[a-z-]+";r=\\d+;t=\\d+$', examples: [`"dnc-write";r=${WRITE_LIMIT - 1};t=${WINDOW_SECONDS}`] },
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

export type HeaderName = keyof typeof headerSchemas;

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

const HEADER_REF = '#/components/headers/';
const componentName = (name: HeaderName, required: boolean) =>
  `${name.charAt(0).toUpperCase()}${name.slice(1)}${required ? '' : 'Optional'}`;

/** Every header component there can be: each header, required and optional. */
const allComponents = new Map<string, OpenApiHeader>(
  (Object.keys(headerSchemas) as HeaderName[]).flatMap((name) =>
    [true, false].map((required) => [componentName(name, required), { ...headerSchemas[name], required }] as const),
  ),
);

/** Headers of a response, as references to components; `X-Request-Id` is always there. */
export function headers(required: HeaderName[] = [], optional: HeaderName[] = []): Record<string, OpenApiHeaderRef> {
  const out: Record<string, OpenApiHeaderRef> = {};
  for (const name of ['requestId', ...required] as HeaderName[])
    out[headerNames[name]] = { $ref: `${HEADER_REF}${componentName(name, true)}` };
  for (const name of optional) out[headerNames[name]] = { $ref: `${HEADER_REF}${componentName(name, false)}` };
  return out;
}

/** The header components the responses of these paths refer to, by name. */
export function headerComponents(paths: OpenApiDocument['paths']): Record<string, OpenApiHeader> {
  const used = new Set<string>();
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item)) {
      for (const response of Object.values(operation.responses)) {
        for (const { $ref } of Object.values(response.headers ?? {})) used.add($ref.slice(HEADER_REF.length));
      }
    }
  }
  return Object.fromEntries(
    [...used]
      .sort((a, b) => a.localeCompare(b))
      .map((name) => {
        const component = allComponents.get(name);
        if (!component) throw new Error(`OpenAPI: no header component ${name}`);
        return [name, component];
      }),
  );
}

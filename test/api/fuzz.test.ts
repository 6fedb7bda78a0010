// Fuzzing the /v1 routes with bad requests over real HTTP: malformed JSON, wrong types, NUL
// characters in every string field, query value and path segment, broken percent-encoding, bad
// or unsupported compression, bodies over 1 MiB, odd methods, bad ids, bad headers — and a few
// requests Node's HTTP parser refuses, over raw sockets. Generated from a seeded PRNG, so a run
// can be repeated exactly (see SEED). Whatever the input: no 5xx, every 4xx is the
// contract's error body with an X-Request-Id, and no team's entries, audit trail or bulk jobs change.
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { brotliCompressSync, brotliDecompressSync, deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedEntries } from '../support/bulk.js';
import { startApiUnderTest, storedState } from '../support/api-under-test.js';
import type { TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';

/** Change it to explore other inputs; the same seed always sends the same requests. */
const SEED = 20261126;
const HTTP_REQUESTS = 3200;
const RAW_REQUESTS = 50;
const CONCURRENCY = 16;
const REQUEST_TIMEOUT_MS = 20_000;
const MAX_BODY_BYTES = 1024 * 1024;

const TEAM = 'team_fuzz_a';
const OTHER_TEAM = 'team_fuzz_b';

let env: TestEnvironment;
let port: number;
/** What the generated requests pick from: the team's keys, and this team's and another's entries and queued jobs. */
let known: { writeKey: string; readOnlyKey: string; ownIds: string[]; otherIds: string[]; ownJobId: string; otherJobId: string };

beforeAll(async () => {
  let baseUrl: string;
  ({ env, baseUrl, port } = await startApiUnderTest());
  const writeKey = (await env.createKey(TEAM)).apiKey;
  const readOnlyKey = (await env.createKey(TEAM, ['dnc:read'])).apiKey;
  const otherKey = (await env.createKey(OTHER_TEAM)).apiKey;
  const ownIds = await seedEntries(env.services.db, TEAM, 'fuzzown', 12);
  const otherIds = await seedEntries(env.services.db, OTHER_TEAM, 'fuzzother', 6);
  // Queued jobs (no worker runs here), so job routes see real ids of this team and another.
  const submit = async (key: string, ids: string[]) => {
    const submitted = await client(baseUrl, key).post('/v1/dnc/bulk-delete', { ids, reason: 'fuzz setup' });
    expect(submitted.status).toBe(202);
    return submitted.body.data.$id as string;
  };
  const ownJobId = await submit(writeKey, ownIds.slice(10));
  const otherJobId = await submit(otherKey, otherIds.slice(4));
  known = { writeKey, readOnlyKey, ownIds, otherIds, ownJobId, otherJobId };
});
afterAll(() => env?.cleanup());

// ---- A seeded PRNG ----

/** mulberry32: a tiny, good-enough 32-bit PRNG. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  bytes(length: number): Buffer {
    return Buffer.from(Array.from({ length }, () => this.int(256)));
  }
  /** The string with `insert` put at a random position. */
  insert(value: string, insert: string): string {
    const at = this.int(value.length + 1);
    return value.slice(0, at) + insert + value.slice(at);
  }
}

// ---- What a request is made of ----

interface FuzzRequest {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Route {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** The path, given the id in it (already encoded). */
  path: (id: string) => string;
  idKind?: 'entry' | 'job';
  /** A plausible query (values unencoded). */
  query: () => Record<string, string>;
  /** A plausible body, or none for routes that read none. */
  body?: () => { [key: string]: Json };
  /** The route changes state when the request is good: every request to it must be bad on purpose. */
  writes: boolean;
  /** The route needs a JSON body: one that is missing or not JSON is refused. */
  bodyRequired?: boolean;
  scope: 'dnc:read' | 'dnc:write';
}

const ACTIONS = ['dnc.entry.added', 'dnc.entry.deleted', 'dnc.bulk_delete.submitted', 'dnc.bulk_delete.cancelled'];

function routes(random: Random): Route[] {
  const ownUrl = () => `https://www.linkedin.com/in/fuzzown-${1 + random.int(12)}`;
  const anyEntryId = () => random.pick([...known.ownIds, ...known.otherIds, 'dnc_doesnotexist123']);
  return [
    {
      name: 'add',
      method: 'POST',
      path: () => '/v1/dnc',
      // URLs already on the list: even a body the mutations leave valid can only be a 409.
      query: () => ({}),
      body: () => ({ url: ownUrl(), reason: 'fuzz reason' }),
      writes: true,
      bodyRequired: true,
      scope: 'dnc:write',
    },
    {
      name: 'batch',
      method: 'POST',
      path: () => '/v1/dnc/batch',
      query: () => ({}),
      body: () => ({ entries: [{ url: ownUrl() }, { url: 'in/fuzz-new-person' }] }),
      writes: true,
      bodyRequired: true,
      scope: 'dnc:write',
    },
    {
      name: 'list',
      method: 'GET',
      path: () => '/v1/dnc',
      query: () => ({ limit: String(1 + random.int(100)), offset: String(random.int(20)) }),
      writes: false,
      scope: 'dnc:read',
    },
    {
      name: 'check',
      method: 'GET',
      path: () => '/v1/dnc/check',
      query: () => ({ url: random.pick([ownUrl(), 'in/jane-doe', 'linkedin.com/in/Jöhn']) }),
      writes: false,
      scope: 'dnc:read',
    },
    {
      // v1.1: scrubbing many URLs (a read; 404 while the route does not exist yet).
      name: 'check-many',
      method: 'POST',
      path: () => '/v1/dnc/check',
      query: () => ({}),
      body: () => ({ urls: [ownUrl(), 'in/jane-doe'] }),
      writes: false,
      scope: 'dnc:read',
    },
    {
      name: 'audit',
      method: 'GET',
      path: () => '/v1/dnc/audit',
      query: () => ({
        limit: String(1 + random.int(50)),
        offset: '0',
        action: random.pick(ACTIONS),
        entryId: anyEntryId(),
        jobId: random.pick([known.ownJobId, known.otherJobId]),
      }),
      writes: false,
      scope: 'dnc:read',
    },
    {
      name: 'delete',
      method: 'DELETE',
      path: (id) => `/v1/dnc/${id}`,
      idKind: 'entry',
      query: () => ({ reason: 'fuzz delete' }),
      body: () => ({ reason: 'fuzz delete' }),
      writes: true,
      scope: 'dnc:write',
    },
    {
      name: 'bulk-submit',
      method: 'POST',
      path: () => '/v1/dnc/bulk-delete',
      query: () => ({}),
      body: () => ({ ids: [anyEntryId(), anyEntryId()], reason: 'fuzz bulk' }),
      writes: true,
      bodyRequired: true,
      scope: 'dnc:write',
    },
    {
      name: 'job',
      method: 'GET',
      path: (id) => `/v1/dnc/bulk-delete/${id}`,
      idKind: 'job',
      query: () => ({}),
      writes: false,
      scope: 'dnc:read',
    },
    {
      name: 'job-items',
      method: 'GET',
      path: (id) => `/v1/dnc/bulk-delete/${id}/items`,
      idKind: 'job',
      query: () => ({ status: random.pick(['pending', 'deleted', 'failed']), limit: '10', offset: '0' }),
      writes: false,
      scope: 'dnc:read',
    },
    {
      name: 'job-cancel',
      method: 'POST',
      path: (id) => `/v1/dnc/bulk-delete/${id}/cancel`,
      idKind: 'job',
      query: () => ({}),
      writes: true,
      scope: 'dnc:write',
    },
  ];
}

/** Ids that do not have the format of their kind; already percent-encoded where needed. */
const badIds = [
  'dnc_',
  'job_',
  'dnc-abc',
  'DNC_abc',
  'dnc_ab$c',
  'dnc_abc.def',
  `dnc_${'a'.repeat(65)}`,
  `dnc_${'a'.repeat(4000)}`,
  '%E9',
  '%',
  '%zz',
  '%ED%A0%80',
  '%C3%28',
  'dnc_abc%2Fdef',
  'dnc_%F0%9F%92%A9',
  'dnc_abc%00',
  '%00',
  'null',
  'undefined',
  '-1',
  '0',
  '..',
  '%2E%2E',
  'dnc_abc%20',
  "dnc_abc'--",
];

/** Percent-encodings a lenient decoder may or may not accept. */
const brokenEncodings = ['%', '%G1', '%E9', '%ED%A0%80', '%C3%28', '%FF%FE', '%%', '%2', '%u0041', '%F0%9F%92'];

/** Bodies that are not JSON. */
const malformedJson = [
  '{',
  '}',
  '{"url":}',
  '{"url": "in/x",}',
  "{'url': 'in/x'}",
  '{"url": "in/x" "reason": "y"}',
  '[1, 2',
  'NaN',
  'undefined',
  '{"url": "in/x"} trailing',
  '{"url": "in/x" /* comment */}',
  '{"reason": "a\u0000b"}', // a raw NUL inside a string: JSON forbids control characters there
  '{"reason": "\\u00"}',
  `${'['.repeat(100_000)}`,
  ' ',
  '\u0000',
];

/** Bodies that are JSON, but odd: a route may accept them. */
const oddJson = [
  '{"reason": "\\ud800"}',
  '{"a": 1e999999}',
  '{"__proto__": {"polluted": true}}',
  '{"constructor": {"prototype": {"x": 1}}}',
  '\uFEFF{"reason": "bom"}',
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  `{"reason": "x", "deep": ${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
  '{"reason": "\u202Eevil\u200B"}',
];

/** Values of the wrong type for any field of any route (every field is a string or an array). */
const wrongValues: Json[] = [1, -1, 0, 1.5, 1e308, true, false, null, {}, { nested: 'x' }, [1, 2], [null], [{}]];

/** The encodings the API accepts (any other is refused), and how to undo each. */
const compressors: Partial<Record<string, (input: Buffer) => Buffer>> = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };
const decompressors: Partial<Record<string, (input: Buffer) => Buffer>> = {
  gzip: gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

/** True when the bytes do not decompress: a few random bytes can be a valid (say, empty) brotli stream. */
function undecodable(bytes: Buffer, encoding: string): boolean {
  try {
    decompressors[encoding]!(bytes);
    return false;
  } catch {
    return true;
  }
}

const oddMethods = ['PROPFIND', 'TRACE', 'PATCH', 'PUT', 'OPTIONS', 'LOCK', 'MKCOL', 'COPY', 'PURGE', 'SEARCH', 'REPORT', 'HEAD'];

/** Every string leaf of a JSON value, as a path of keys. */
function stringPaths(value: Json, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringPaths(item, [...path, index]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => stringPaths(item, [...path, key]));
  return [];
}

function setAt(value: Json, path: (string | number)[], update: (old: Json) => Json): Json {
  if (path.length === 0) return update(value);
  const [head, ...rest] = path;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  copy[head!] = setAt(copy[head!], rest, update);
  return copy;
}

/** A request under construction. Query values are kept percent-encoded, as they will be sent. */
interface Parts {
  route: Route;
  id: string;
  query: Map<string, string>;
  /** Query keys a refusing mutation set: noise leaves them alone. */
  lockedQuery: Set<string>;
  /** The body as JSON, while no mutation has replaced it with bytes. */
  json?: Json;
  body?: Buffer;
  /** A refusing mutation chose the body: noise leaves it alone. */
  bodyLocked: boolean;
  headers: Record<string, string>;
  method: string;
  /** The API key; null for none, '' when an odd Authorization header is set. */
  key: string | null;
}

/**
 * Bad requests: a route with plausible input, then one or more mutations. A route that writes
 * always gets at least one mutation that must make it refused (and noise never undoes it).
 */
function generate(random: Random, count: number): FuzzRequest[] {
  const allRoutes = routes(random);
  const requests: FuzzRequest[] = [];

  const idFor = (route: Route) =>
    route.idKind === 'job'
      ? random.pick([known.ownJobId, known.otherJobId, 'job_doesnotexist123'])
      : random.pick([...known.ownIds, ...known.otherIds, 'dnc_doesnotexist123']);

  function start(route: Route): Parts {
    const json = route.body?.();
    return {
      route,
      id: route.idKind ? idFor(route) : '',
      query: new Map(Object.entries(route.query()).map(([key, value]) => [key, encodeURIComponent(value)])),
      lockedQuery: new Set(),
      json,
      body: json === undefined ? undefined : Buffer.from(JSON.stringify(json)),
      bodyLocked: false,
      headers: {},
      method: route.method,
      key: known.writeKey,
    };
  }

  function setBody(parts: Parts, body: Buffer | string, json?: Json) {
    parts.body = typeof body === 'string' ? Buffer.from(body) : body;
    parts.json = json;
  }

  function build(parts: Parts, label: string): FuzzRequest {
    const headers: Record<string, string> = { ...parts.headers };
    if (parts.key) headers.authorization = `Bearer ${parts.key}`;
    if (parts.body !== undefined && !('content-type' in headers)) headers['content-type'] = 'application/json';
    const query = [...parts.query].map(([key, value]) => `${key}=${value}`).join('&');
    return {
      label: `${parts.route.name}: ${label}`,
      method: parts.method,
      path: parts.route.path(parts.id) + (query ? `?${query}` : ''),
      headers,
      body: parts.body,
    };
  }

  const withNul = (value: string) => random.insert(value, '\u0000');

  // First, systematically: a NUL in every string field of every body, every query value and every path id.
  for (const route of allRoutes) {
    const template = start(route);
    for (const path of template.json === undefined ? [] : stringPaths(template.json)) {
      const parts = start(route);
      const json = setAt(parts.json!, path, (old) => withNul(old as string));
      setBody(parts, JSON.stringify(json), json);
      requests.push(build(parts, `nul in body.${path.join('.')}`));
    }
    for (const key of [...template.query.keys(), 'extra']) {
      const parts = start(route);
      parts.query.set(key, encodeURIComponent(withNul(decodeURIComponent(parts.query.get(key) ?? 'x'))));
      requests.push(build(parts, `nul in query.${key}`));
    }
    if (route.idKind) {
      const parts = start(route);
      parts.id = `${parts.id}%00`;
      requests.push(build(parts, 'nul in the path'));
    }
  }

  type Mutation = (parts: Parts) => string | undefined;

  /** Mutations after which the request must be refused, whatever the route. */
  const refusing: Mutation[] = [
    (parts) => {
      if (parts.json === undefined || stringPaths(parts.json).length === 0) return undefined;
      const path = random.pick(stringPaths(parts.json));
      const json = setAt(parts.json, path, (old) => withNul(old as string));
      setBody(parts, JSON.stringify(json), json);
      parts.bodyLocked = true;
      return `nul in body.${path.join('.')}`;
    },
    (parts) => {
      const keys = [...parts.query.keys()];
      const key = keys.length > 0 && random.chance(0.6) ? random.pick(keys) : random.pick(['x', 'reason', 'q', 'cursor']);
      parts.query.set(key, encodeURIComponent(withNul(decodeURIComponent(parts.query.get(key) ?? 'value'))));
      parts.lockedQuery.add(key);
      return `nul in query.${key}`;
    },
    (parts) => {
      const json = parts.json;
      if (json === undefined || parts.bodyLocked) return undefined;
      if (random.chance(0.3)) {
        const topLevel = random.pick<Json>([1, 'string', true, null, [], [json]]);
        setBody(parts, JSON.stringify(topLevel));
        parts.bodyLocked = true;
        return `a body of type ${Array.isArray(topLevel) ? 'array' : topLevel === null ? 'null' : typeof topLevel}`;
      }
      const path = random.pick(stringPaths(json));
      // An array of ids or entries may be replaced whole.
      const target = path.length > 1 && random.chance(0.3) ? path.slice(0, 1) : path;
      const wrong = random.pick(wrongValues);
      setBody(parts, JSON.stringify(setAt(json, target, () => wrong)));
      parts.bodyLocked = true;
      return `body.${target.join('.')} = ${JSON.stringify(wrong)}`;
    },
    (parts) => {
      if (!parts.route.body) return undefined;
      const text = random.pick(malformedJson);
      if (text.trim() === '' && !parts.route.bodyRequired) return undefined;
      setBody(parts, text);
      parts.bodyLocked = true;
      return `malformed JSON ${JSON.stringify(text.slice(0, 24))}`;
    },
    (parts) => {
      if (!parts.route.body) return undefined;
      const json = parts.body ?? Buffer.from('{}');
      const encoding = random.pick(['gzip', 'deflate', 'br', 'x-gzip', 'compress', 'zstd-nope', 'identity, gzip', 'GZIP']);
      const compress = compressors[encoding];
      parts.headers['content-encoding'] = encoding;
      parts.bodyLocked = true;
      if (compress && random.chance(0.5)) {
        const full = compress(json);
        let truncated: Buffer;
        do truncated = full.subarray(0, Math.max(1, random.int(full.length - 1)));
        while (!undecodable(truncated, encoding));
        setBody(parts, truncated);
        return `truncated ${encoding}`;
      }
      if (compress) {
        let garbage: Buffer;
        do garbage = random.bytes(1 + random.int(64));
        while (!undecodable(garbage, encoding));
        setBody(parts, garbage);
        return `garbage ${encoding}`;
      }
      setBody(parts, json);
      return `unsupported encoding ${encoding}`;
    },
    (parts) => {
      if (!parts.route.body || !random.chance(0.15)) return undefined;
      setBody(parts, JSON.stringify({ ...(parts.route.body() as object), reason: 'x'.repeat(MAX_BODY_BYTES + 1 + random.int(1000)) }));
      parts.bodyLocked = true;
      return 'a body over 1 MiB';
    },
    (parts) => {
      if (!parts.route.idKind) return undefined;
      parts.id = random.pick(badIds);
      return `bad id ${parts.id.slice(0, 20)}`;
    },
    (parts) => {
      parts.method = random.pick(oddMethods);
      return `method ${parts.method}`;
    },
    (parts) => {
      const keys: (string | null)[] = [null, 'not-a-key', 'dnc_live_00000000000000000000000000000000', ''];
      if (parts.route.scope === 'dnc:write') keys.push(known.readOnlyKey);
      parts.key = random.pick(keys);
      if (parts.key === '') parts.headers.authorization = random.pick(['Basic abc', 'Bearer', 'bearer  ', 'Token x', 'Bearer a b']);
      return `key ${parts.key === known.readOnlyKey ? 'read-only' : JSON.stringify(parts.key)}`;
    },
    (parts) => {
      if (parts.json === undefined || parts.bodyLocked || !('reason' in (parts.json as object))) return undefined;
      setBody(parts, JSON.stringify({ ...(parts.json as object), reason: 'r'.repeat(501 + random.int(2000)) }));
      parts.bodyLocked = true;
      return 'reason over 500 characters';
    },
    (parts) => {
      if (parts.route.name !== 'bulk-submit') return undefined;
      parts.headers['idempotency-key'] = random.pick(['', 'k'.repeat(256), 'k'.repeat(5000)]);
      return 'bad Idempotency-Key';
    },
    (parts) => {
      if (!parts.route.bodyRequired) return undefined;
      parts.headers['content-type'] = random.pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
      ]);
      return `content-type ${parts.headers['content-type']}`;
    },
  ];

  /** Noise: input that is odd but may well be accepted. */
  const noise: Mutation[] = [
    (parts) => {
      const key = random.pick([...parts.query.keys(), 'x', 'y']);
      if (parts.lockedQuery.has(key)) return undefined;
      parts.query.set(key, random.insert('abc', random.pick(brokenEncodings)));
      return `broken percent-encoding in query.${key}`;
    },
    (parts) => {
      const key = random.pick([...parts.query.keys(), 'limit', 'offset']);
      if (parts.lockedQuery.has(key)) return undefined;
      parts.query.set(key, random.pick(['-1', '1e3', '0x10', '', '99999999999999999999', 'a%26b', '%20', 'a&x=b']));
      return `odd query.${key}`;
    },
    (parts) => {
      parts.headers.prefer = random.pick(['respond-async', 'respond-async, wait=0', 'RESPOND-ASYNC', 'handling=lenient', '']);
      return `Prefer ${JSON.stringify(parts.headers.prefer)}`;
    },
    (parts) => {
      parts.headers['x-request-id'] = random.pick(['', 'a b', 'x'.repeat(300), 'req-ok-1', '../../etc']);
      return 'odd X-Request-Id';
    },
    (parts) => {
      if (parts.json === undefined || parts.bodyLocked) return undefined;
      const json = { ...(parts.json as object), extra: random.pick(wrongValues), '\u{1F4A9}': 'x' };
      setBody(parts, JSON.stringify(json), json);
      return 'unknown fields';
    },
    (parts) => {
      if (!parts.route.body || parts.bodyLocked || parts.route.writes) return undefined;
      setBody(parts, random.pick(oddJson));
      return 'odd JSON';
    },
  ];

  while (requests.length < count) {
    const parts = start(random.pick(allRoutes));
    // Where a body is optional, sometimes none at all.
    if (!parts.route.bodyRequired && random.chance(0.2)) setBody(parts, Buffer.alloc(0));
    if (parts.body?.length === 0) parts.body = undefined;
    const labels: string[] = [];
    const apply = (mutation: Mutation) => {
      const label = mutation(parts);
      if (label) labels.push(label);
      return label;
    };
    if (parts.route.writes || random.chance(0.7)) while (!apply(random.pick(refusing)));
    for (let extra = random.int(3); extra > 0; extra--) apply(random.pick(random.chance(0.5) ? refusing : noise));
    requests.push(build(parts, labels.join(' + ') || 'plain'));
  }
  return requests;
}

// ---- Sending ----

interface Outcome {
  request: FuzzRequest;
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  error?: string;
}

function send(agent: Agent, request: FuzzRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        agent,
        method: request.method,
        path: request.path,
        headers: { ...request.headers, ...(request.body ? { 'content-length': String(request.body.length) } : {}) },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ request, status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (error) => resolve({ request, status: 0, headers: {}, text: '', error: String(error) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (error) => resolve({ request, status: 0, headers: {}, text: '', error: String(error) }));
    req.end(request.body);
  });
}

async function sendAll(requests: FuzzRequest[]): Promise<Outcome[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const outcomes: Outcome[] = new Array(requests.length);
  let nextIndex = 0;
  const lane = async () => {
    for (let index = nextIndex++; index < requests.length; index = nextIndex++) outcomes[index] = await send(agent, requests[index]!);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  agent.destroy();
  return outcomes;
}

/** Writes raw bytes on a fresh connection and reads the response until the server closes it. */
function sendRaw(bytes: Buffer): Promise<{ status: number; headers: Map<string, string>; text: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy(new Error('no answer in time')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => resolve({ status: 0, headers: new Map(), text: '', error: String(error) }));
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const split = raw.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = raw.slice(0, Math.max(0, split)).split('\r\n');
      const headers = new Map(
        lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine?.split(' ')[1] ?? 0), headers, text: split === -1 ? '' : raw.slice(split + 4) });
    });
    socket.write(bytes);
  });
}

/** Requests the HTTP parser refuses: high bytes in the target, oversize headers, control characters, garbage. */
function generateRaw(random: Random, count: number): { label: string; bytes: Buffer; status: number }[] {
  const requests: { label: string; bytes: Buffer; status: number }[] = [];
  const auth = () => `Authorization: Bearer ${known.writeKey}\r\n`;
  for (let index = 0; index < count; index++) {
    const kind = index % 5;
    if (kind === 0) {
      const target = Buffer.from(`/v1/dnc/check?url=in/${'abc'.slice(0, 1 + random.int(3))}`);
      const high = Buffer.from([0x80 + random.int(128)]);
      requests.push({
        label: 'high byte in target',
        bytes: Buffer.concat([Buffer.from('GET '), target, high, Buffer.from(` HTTP/1.1\r\nHost: x\r\n${auth()}\r\n`)]),
        status: 400,
      });
    } else if (kind === 1) {
      const size = 17 * 1024 + random.int(24 * 1024);
      requests.push({
        label: `${size}-byte header`,
        bytes: Buffer.from(`DELETE /v1/dnc/${known.ownIds[0]} HTTP/1.1\r\nHost: x\r\n${auth()}X-Pad: ${'p'.repeat(size)}\r\n\r\n`),
        status: 431,
      });
    } else if (kind === 2) {
      const control = String.fromCharCode(random.pick([0, 1, 8, 11, 12, 27, 127]));
      requests.push({
        label: 'control character in a header value',
        bytes: Buffer.from(`DELETE /v1/dnc/${known.ownIds[1]} HTTP/1.1\r\nHost: x\r\n${auth()}X-Note: a${control}b\r\n\r\n`),
        status: 400,
      });
    } else if (kind === 3) {
      // Parsed (header values may hold bytes >= 0x80), then refused by the API for its bad id.
      const key = Buffer.from(Array.from({ length: 1 + random.int(20) }, () => 0x80 + random.int(128)));
      const body = JSON.stringify({ ids: ['dnc_bad!id'] });
      requests.push({
        label: 'bytes >= 0x80 in an Idempotency-Key',
        bytes: Buffer.concat([
          Buffer.from(`POST /v1/dnc/bulk-delete HTTP/1.1\r\nHost: x\r\n${auth()}Idempotency-Key: `),
          key,
          Buffer.from(`\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`),
        ]),
        status: 400,
      });
    } else {
      // It starts with a byte no method can start with (empty lines before a request are allowed).
      const first = Buffer.from([random.pick([0x00, 0x01, 0x07, 0x0b, 0x1b, 0x7f, 0x80 + random.int(128)])]);
      const bytes = Buffer.concat([first, random.bytes(random.int(40)), Buffer.from('\r\n\r\n')]);
      requests.push({ label: 'garbage request line', bytes, status: 400 });
    }
  }
  return requests;
}

// ---- Checking ----

const snapshot = () => storedState(env.services.db);

/** What is wrong with a response, if anything. */
function problemsOf(outcome: Outcome): string[] {
  if (outcome.error) return [`no response: ${outcome.error}`];
  const problems: string[] = [];
  if (outcome.status >= 500) problems.push(`status ${outcome.status}`);
  if (!outcome.headers['x-request-id']) problems.push('no X-Request-Id');
  if (outcome.status >= 400 && outcome.request.method !== 'HEAD') {
    if (!/^application\/json/.test(String(outcome.headers['content-type'])))
      problems.push(`content type ${outcome.headers['content-type']}`);
    try {
      const body = JSON.parse(outcome.text) as Record<string, unknown>;
      if (typeof body.error !== 'string' || typeof body.message !== 'string' || body.data !== null) problems.push('not the error envelope');
    } catch {
      problems.push('body is not JSON');
    }
  }
  if (outcome.status >= 200 && outcome.status < 300 && outcome.request.method !== 'GET' && outcome.request.method !== 'HEAD') {
    // Only the v1.1 scrub (a read) may accept a POST here.
    if (!outcome.request.label.startsWith('check-many')) problems.push('a write was accepted');
  }
  return problems;
}

it(`answers ${HTTP_REQUESTS} generated bad requests and ${RAW_REQUESTS} unparsable ones without a 5xx, with the error body, changing nothing (seed ${SEED})`, async () => {
  const random = new Random(SEED);
  const requests = generate(random, HTTP_REQUESTS);
  const raw = generateRaw(random, RAW_REQUESTS);
  const before = await snapshot();

  const outcomes = await sendAll(requests);
  const rawOutcomes: Awaited<ReturnType<typeof sendRaw>>[] = [];
  for (let index = 0; index < raw.length; index += CONCURRENCY) {
    rawOutcomes.push(...(await Promise.all(raw.slice(index, index + CONCURRENCY).map((r) => sendRaw(r.bytes)))));
  }

  const failures: string[] = [];
  const byStatus = new Map<number, number>();
  for (const outcome of outcomes) {
    byStatus.set(outcome.status, (byStatus.get(outcome.status) ?? 0) + 1);
    const problems = problemsOf(outcome);
    if (problems.length > 0) {
      const { method, path, label } = outcome.request;
      failures.push(`${method} ${path.slice(0, 120)} [${label}] → ${outcome.status}: ${problems.join(', ')} ${outcome.text.slice(0, 200)}`);
    }
  }
  raw.forEach((request, index) => {
    const outcome = rawOutcomes[index]!;
    byStatus.set(outcome.status, (byStatus.get(outcome.status) ?? 0) + 1);
    const problems: string[] = [];
    if (outcome.error) problems.push(outcome.error);
    if (outcome.status !== request.status) problems.push(`status ${outcome.status}, expected ${request.status}`);
    if (!outcome.headers.get('x-request-id')) problems.push('no X-Request-Id');
    if (!/^application\/json/.test(outcome.headers.get('content-type') ?? '')) problems.push('not JSON');
    try {
      const body = JSON.parse(outcome.text) as Record<string, unknown>;
      if (body.error !== 'validation_error' || typeof body.message !== 'string' || body.data !== null)
        problems.push('not the error envelope');
    } catch {
      problems.push('body is not JSON');
    }
    if (problems.length > 0)
      failures.push(`raw [${request.label}] → ${outcome.status}: ${problems.join(', ')} ${outcome.text.slice(0, 200)}`);
  });

  const distribution = Object.fromEntries([...byStatus].sort(([a], [b]) => a - b));
  console.info(
    `fuzz seed ${SEED}: ${outcomes.length} HTTP + ${rawOutcomes.length} raw requests, by status ${JSON.stringify(distribution)}`,
  );
  expect(failures.slice(0, 25), `${failures.length} bad responses (seed ${SEED})`).toEqual([]);
  expect([...byStatus.keys()].filter((status) => status >= 500)).toEqual([]);
  expect(await snapshot()).toEqual(before);
}, 180_000);

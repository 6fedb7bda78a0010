// Bad input is a 400, never a 500 (contract v1.1, "Bad input, more precisely"): NUL characters
// anywhere in a request's strings, bodies that cannot be decompressed or are sent in an encoding
// the service does not accept, and requests Node's HTTP parser refuses before Express sees them.
import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync, zstdCompressSync } from 'node:zlib';
import { validationErrorSchema } from '@dnc/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientErrorResponse, handleClientError } from '../../apps/api/src/http/client-error.js';
import { seedEntries } from '../support/bulk.js';
import { startApiUnderTest, storedState } from '../support/api-under-test.js';
import type { TestEnvironment } from '../support/environment.js';
import { client, responseValidator, type ApiResponse } from '../support/http.js';

const TEAM = 'team_badinput_a';
const READER_TEAM = 'team_badinput_r';
const LIMITED_TEAM = 'team_badinput_l';

let env: TestEnvironment;
let baseUrl: string;
let port: number;
let apiKey: string;
let api: ReturnType<typeof client>;
let readOnlyApi: ReturnType<typeof client>;
let anonymousApi: ReturnType<typeof client>;
let limitedApi: ReturnType<typeof client>;
let entryIds: string[];

beforeAll(async () => {
  ({ env, baseUrl, port } = await startApiUnderTest());
  apiKey = (await env.createKey(TEAM)).apiKey;
  api = client(baseUrl, apiKey);
  readOnlyApi = client(baseUrl, (await env.createKey(READER_TEAM, ['dnc:read'])).apiKey);
  anonymousApi = client(baseUrl);
  // A second API whose write budget is one request per window, to see where validation sits.
  const limitedUrl = (await env.startApi({ DNC_WRITE_LIMIT: '1', DNC_WRITE_RESERVED_FOR_SYNC: '0' })).baseUrl;
  limitedApi = client(limitedUrl, (await env.createKey(LIMITED_TEAM)).apiKey);
  entryIds = await seedEntries(env.services.db, TEAM, 'badinput', 5);
});
afterAll(() => env?.cleanup());

const snapshot = () => storedState(env.services.db);

/** Runs a request that must be refused, and checks that nothing changed. */
async function expectNoChange<T>(run: () => Promise<T>): Promise<T> {
  const before = await snapshot();
  const result = await run();
  expect(await snapshot()).toEqual(before);
  return result;
}

const NUL_MESSAGE = 'must not contain NUL characters (U+0000)';

/** A 400 validation_error whose details name the field. */
function expectNulRefused(response: ApiResponse, path: string) {
  expect(response.status).toBe(400);
  expect(response.body).toMatchObject({ error: 'validation_error', message: expect.any(String), data: null });
  expect(response.body.details).toContainEqual({ path, message: NUL_MESSAGE });
  expect(response.headers.get('x-request-id')).toBeTruthy();
}

describe('a NUL character (U+0000) in a string is a 400 naming the field, and nothing changes', () => {
  it('POST /v1/dnc: in reason, in url, and in a key of the body', async () => {
    await expectNoChange(async () => {
      expectNulRefused(await api.post('/v1/dnc', { url: 'in/nul-reason', reason: 'asked\u0000twice' }), 'body.reason');
      expectNulRefused(await api.post('/v1/dnc', { url: 'in/nul\u0000url' }), 'body.url');
      expectNulRefused(await api.post('/v1/dnc', { url: 'in/nul-key', 'rea\u0000son': 'x' }), 'body.rea\\u0000son');
    });
  });

  it('POST /v1/dnc: in a query value the route does not even read', async () => {
    await expectNoChange(async () => {
      expectNulRefused(await api.post('/v1/dnc?note=a%00b', { url: 'in/nul-query' }), 'query.note');
    });
  });

  it('POST /v1/dnc/batch: in an entry url', async () => {
    await expectNoChange(async () => {
      const response = await api.post('/v1/dnc/batch', { entries: [{ url: 'in/batch-ok' }, { url: 'in/batch\u0000nul' }] });
      expectNulRefused(response, 'body.entries.1.url');
    });
  });

  it('DELETE /v1/dnc/{id}: in the reason of the JSON body', async () => {
    await expectNoChange(async () => {
      expectNulRefused(await api.delete(`/v1/dnc/${entryIds[0]}`, { body: { reason: 'gdpr\u0000' } }), 'body.reason');
    });
  });

  it('DELETE /v1/dnc/{id}: in ?reason=', async () => {
    await expectNoChange(async () => {
      expectNulRefused(await api.delete(`/v1/dnc/${entryIds[0]}?reason=gdpr%00request`), 'query.reason');
    });
  });

  it('DELETE /v1/dnc/{id} with Prefer: respond-async: in the body or the query, and no job is queued', async () => {
    await expectNoChange(async () => {
      const headers = { prefer: 'respond-async' };
      expectNulRefused(await api.delete(`/v1/dnc/${entryIds[1]}`, { headers, body: { reason: '\u0000' } }), 'body.reason');
      expectNulRefused(await api.delete(`/v1/dnc/${entryIds[1]}?reason=%00`, { headers }), 'query.reason');
    });
  });

  it('DELETE /v1/dnc/{id}: in the path segment', async () => {
    await expectNoChange(async () => {
      expectNulRefused(await api.delete(`/v1/dnc/${entryIds[2]}%00`), 'params.id');
    });
  });

  it('POST /v1/dnc/bulk-delete: in the reason and in an id, and no job is created', async () => {
    await expectNoChange(async () => {
      expectNulRefused(await api.post('/v1/dnc/bulk-delete', { ids: entryIds.slice(0, 2), reason: 'erase\u0000' }), 'body.reason');
      expectNulRefused(await api.post('/v1/dnc/bulk-delete', { ids: [entryIds[0], `${entryIds[1]}\u0000`] }), 'body.ids.1');
    });
  });

  it('GET routes: in a query value or a path segment', async () => {
    expectNulRefused(await api.get('/v1/dnc/check?url=in%2Fjane%00doe'), 'query.url');
    expectNulRefused(await api.get('/v1/dnc?limit=1%00'), 'query.limit');
    expectNulRefused(await api.get('/v1/dnc/audit?action=%00'), 'query.action');
    expectNulRefused(await api.get('/v1/dnc/bulk-delete/job_abc%00'), 'params.jobId');
    expectNulRefused(await api.get('/v1/dnc/bulk-delete/job_abc/items?status=pending%00'), 'query.status');
    await expectNoChange(async () => {
      expectNulRefused(await api.post('/v1/dnc/bulk-delete/job_abc%00/cancel'), 'params.jobId');
    });
  });

  it('other odd but well-formed strings are accepted as they are, not a 500', async () => {
    // A lone surrogate (valid JSON, not valid Unicode), a right-to-left override, an emoji, C1 controls.
    const rawBody = '{"url": "in/odd-strings-person", "reason": "\\ud800 \u202e \u{1F600} \u0085"}';
    const response = await api.post('/v1/dnc', undefined, { rawBody });
    expect(response.status).toBe(201);
  });

  it('is checked after authentication, scope and the rate limit, as every validation is', async () => {
    await expectNoChange(async () => {
      const body = { url: 'in/nul-order', reason: '\u0000' };
      expect((await anonymousApi.post('/v1/dnc', body)).body.error).toBe('missing_api_key');
      expect((await readOnlyApi.post('/v1/dnc', body)).body.error).toBe('insufficient_scope');
      // The 400 takes the team's only slot; the next request is turned away by the limiter first.
      expectNulRefused(await limitedApi.post('/v1/dnc', body), 'body.reason');
      expect((await limitedApi.post('/v1/dnc', body)).body.error).toBe('rate_limit_exceeded');
    });
  });
});

/** Sends a body of raw bytes and checks the response against the OpenAPI document. */
async function sendBytes(method: string, path: string, body: Uint8Array, headers: Record<string, string>): Promise<ApiResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  let isJson = false;
  try {
    parsed = JSON.parse(text);
    isJson = true;
  } catch {
    // not JSON
  }
  responseValidator().check({ method, path, status: response.status, headers: response.headers, text, body: parsed, isJson });
  return { status: response.status, headers: response.headers, body: parsed };
}

const unreadable = {
  error: 'validation_error',
  message: 'The request body could not be read',
  data: null,
  details: [{ path: 'body', message: expect.any(String) }],
};

describe('a body that cannot be read is a 400 ("The request body could not be read"), never a 500', () => {
  const json = Buffer.from(JSON.stringify({ url: 'in/compressed-person', reason: 'sent compressed' }));

  it.each([
    ['gzip', Buffer.from('this is not gzip at all')],
    ['deflate', Buffer.from('this is not deflate either')],
    ['br', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x02])],
    ['gzip', gzipSync(json).subarray(0, 20)],
    ['deflate', deflateSync(json).subarray(0, 8)],
  ])('when Content-Encoding %s does not decompress, then 400 and nothing changes', async (encoding, bytes) => {
    const response = await expectNoChange(() => sendBytes('POST', '/v1/dnc', bytes, { 'content-encoding': encoding }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual(unreadable);
  });

  it.each(['compress', 'x-unknown', 'gzip, gzip', 'identity;q=1'])(
    'when Content-Encoding is %s (not accepted), then 400 (not 415) and nothing changes',
    async (encoding) => {
      const response = await expectNoChange(() => sendBytes('POST', '/v1/dnc', json, { 'content-encoding': encoding }));
      expect(response.status).toBe(400);
      expect(response.body).toEqual(unreadable);
    },
  );

  it('when the charset is not UTF-8, then 400 (not 415) and nothing changes', async () => {
    const response = await expectNoChange(() => sendBytes('POST', '/v1/dnc', json, { 'content-type': 'application/json; charset=latin1' }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual(unreadable);
  });

  it('when the delete body of a real entry does not decompress, then 400 and the entry stays', async () => {
    const response = await expectNoChange(() =>
      sendBytes('DELETE', `/v1/dnc/${entryIds[3]}`, Buffer.from('garbage'), { 'content-encoding': 'gzip' }),
    );
    expect(response.body).toEqual(unreadable);
  });

  it('when the bulk-delete body does not decompress, then 400 and no job is created', async () => {
    const response = await expectNoChange(() =>
      sendBytes('POST', '/v1/dnc/bulk-delete', Buffer.from('garbage'), { 'content-encoding': 'br' }),
    );
    expect(response.body).toEqual(unreadable);
  });

  it('when a compressed body decompresses to more than 1 MiB, then 413', async () => {
    const bomb = gzipSync(Buffer.from(JSON.stringify({ url: 'in/bomb', reason: 'x'.repeat(2 * 1024 * 1024) })));
    const response = await expectNoChange(() => sendBytes('POST', '/v1/dnc', bomb, { 'content-encoding': 'gzip' }));
    expect(response.status).toBe(413);
    expect(response.body.error).toBe('payload_too_large');
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
    ['zstd', zstdCompressSync],
  ] as const)('a well-formed %s body is accepted', async (encoding, compress) => {
    const body = Buffer.from(JSON.stringify({ url: `in/compressed-${encoding}` }));
    const response = await sendBytes('POST', '/v1/dnc', compress(body), { 'content-encoding': encoding });
    expect(response.status).toBe(201);
    expect(response.body.data.url).toBe(`https://linkedin.com/in/compressed-${encoding}`);
  });
});

interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

/** Writes raw bytes on a fresh connection and reads the one response until the server closes it. */
function rawRequest(bytes: Buffer | string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const split = raw.indexOf('\r\n\r\n');
      if (split === -1) return reject(new Error(`not an HTTP response: ${JSON.stringify(raw)}`));
      const [statusLine, ...headerLines] = raw.slice(0, split).split('\r\n');
      const headers = new Headers();
      for (const line of headerLines) headers.append(line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim());
      const text = raw.slice(split + 4);
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, text, body });
    });
    socket.write(bytes);
  });
}

/** The envelope every refused request gets. */
function expectEnvelope(response: RawResponse, status: number, path: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('connection')).toBe('close');
  expect(response.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(response.text));
  expect(validationErrorSchema.safeParse(response.body).success).toBe(true);
  expect(response.body).toMatchObject({ error: 'validation_error', data: null, details: [{ path }] });
}

describe('a request the HTTP parser refuses gets the JSON error body and an X-Request-Id', () => {
  it('a byte >= 0x80 in the request target → 400 naming the target', async () => {
    const request = Buffer.concat([
      Buffer.from(`GET /v1/dnc/check?url=in/j`),
      Buffer.from([0xe9]),
      Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
    ]);
    const response = await rawRequest(request);
    expectEnvelope(response, 400, 'target');
    // It is the API's ordinary 400 body, as the OpenAPI document declares it.
    responseValidator().check({ method: 'GET', path: '/v1/dnc/check', ...response, isJson: true });
  });

  it('a 20 KB header → 431 validation_error', async () => {
    const response = await rawRequest(`GET /v1/dnc HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    expectEnvelope(response, 431, 'headers');
    expect((response.body as { message: string }).message).toMatch(/too large/);
  });

  it('a NUL in a header value (an Idempotency-Key) → 400, and no job is created', async () => {
    const response = await expectNoChange(() => {
      const body = JSON.stringify({ ids: entryIds.slice(0, 1) });
      return rawRequest(
        `POST /v1/dnc/bulk-delete HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${apiKey}\r\nIdempotency-Key: a\u0000b\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
    });
    expectEnvelope(response, 400, 'headers');
  });

  it.each([
    ['a malformed method', 'G@T /v1/dnc HTTP/1.1\r\nHost: x\r\n\r\n', 'method'],
    ['a malformed version', 'GET /v1/dnc HTTP/9.Z\r\nHost: x\r\n\r\n', 'version'],
    ['a malformed header name', 'GET /v1/dnc HTTP/1.1\r\nHo st: x\r\n\r\n', 'headers'],
    ['not HTTP at all', 'HELLO\r\n\r\n', 'method'],
    ['a bad chunk size', 'POST /v1/dnc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'body'],
  ])('%s → 400', async (_name, request, path) => {
    expectEnvelope(await rawRequest(request), 400, path);
  });

  it('a reset connection is dropped without an answer or a log line', () => {
    const socket = { writable: true, destroy: vi.fn(), end: vi.fn() };
    const logger = { info: vi.fn() };
    handleClientError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), socket as never, logger);
    expect(socket.destroy).toHaveBeenCalled();
    expect(socket.end).not.toHaveBeenCalled();
    expect(logger.info).not.toHaveBeenCalled();
  });

  it('a request that timed out → 408 validation_error', () => {
    expect(clientErrorResponse(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }))).toMatchObject({
      status: 408,
      error: 'validation_error',
    });
  });
});

// Authentication and scopes on /v1, the exact error bodies, and the order of checks
// (authenticate → scope → rate limit → validate) including which refusals use rate-limit slots.
import type { CreatedApiKey } from '@dnc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { client, request, type ApiResponse } from '../support/http.js';
import { sleep } from '../support/wait.js';

const TEAM = 'team_auth';

let env: TestEnvironment;
let baseUrl: string;
let fullKey: CreatedApiKey;
let readKey: CreatedApiKey;
let writeKey: CreatedApiKey;
let entryId: string;

beforeAll(async () => {
  env = await createTestEnvironment(unlimited);
  baseUrl = (await env.startApi()).baseUrl;
  [fullKey, readKey, writeKey] = await Promise.all([
    env.createKey(TEAM),
    env.createKey(TEAM, ['dnc:read']),
    env.createKey(TEAM, ['dnc:write']),
  ]);
  const added = await client(baseUrl, fullKey.apiKey).post('/v1/dnc', { url: 'linkedin.com/in/auth-target' });
  expect(added.status).toBe(201);
  entryId = added.body.data.$id;
});
afterAll(() => env?.cleanup());

const errorBody = (error: string) => ({ error, message: expect.any(String), data: null });

/** No stack frames, file paths, error class names or SQL in an error response. */
function expectNoInternals(response: ApiResponse) {
  const text = JSON.stringify(response.body);
  expect(response.body).not.toHaveProperty('stack');
  expect(text).not.toMatch(/\s{2,}at \S|\(\S+:\d+:\d+\)/);
  expect(text).not.toMatch(/node_modules|\.ts:\d+|\.js:\d+|AppError|select |insert into|delete from/i);
}

/** A syntactically valid key (dncsk_<16 alphanumerics>_<64 hex>) that was never issued. */
const unknownKey = `dncsk_${'Z'.repeat(16)}_${'0'.repeat(64)}`;

function withWrongSecret(apiKey: string): string {
  const lastUnderscore = apiKey.lastIndexOf('_');
  const secret = apiKey.slice(lastUnderscore + 1);
  const wrong = secret.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  return `${apiKey.slice(0, lastUnderscore + 1)}${wrong}`;
}

describe('authentication', () => {
  it('when no Authorization header is sent, then every /v1 route answers 401 missing_api_key', async () => {
    for (const [method, path] of [
      ['GET', '/v1/dnc'],
      ['GET', '/v1/dnc/check?url=in/someone'],
      ['GET', '/v1/dnc/audit'],
      ['POST', '/v1/dnc'],
      ['POST', '/v1/dnc/batch'],
      ['DELETE', `/v1/dnc/${entryId}`],
    ] as const) {
      const response = await request(baseUrl, method, path, method === 'POST' ? { body: { url: 'in/someone' } } : {});
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.body).toEqual(errorBody('missing_api_key'));
      expect(response.headers.get('x-request-id')).toBeTruthy();
      expectNoInternals(response);
    }
  });

  it.each([
    ['Basic x', 'a Basic credential'],
    ['Basic ' + Buffer.from('user:pass').toString('base64'), 'a real Basic credential'],
    ['Bearer', 'Bearer with no token'],
    ['Bearer ', 'Bearer with an empty token'],
    ['garbage', 'no scheme'],
  ])('when the Authorization header is %j (%s), then it answers 401 missing_api_key', async (authorization) => {
    const response = await request(baseUrl, 'GET', '/v1/dnc', { headers: { authorization } });
    expect(response.status).toBe(401);
    expect(response.body).toEqual(errorBody('missing_api_key'));
    expectNoInternals(response);
  });

  it.each([
    ['Bearer garbage', 'a garbage token'],
    ['Bearer dncsk_short_abc', 'a token shaped almost like a key'],
  ])('when the Authorization header is %j (%s), then it answers 401 invalid_api_key', async (authorization) => {
    const response = await request(baseUrl, 'GET', '/v1/dnc', { headers: { authorization } });
    expect(response.status).toBe(401);
    expect(response.body).toEqual(errorBody('invalid_api_key'));
    expectNoInternals(response);
  });

  it('when a well-formed key was never issued, then it answers 401 invalid_api_key', async () => {
    const response = await client(baseUrl, unknownKey).get('/v1/dnc');
    expect(response.status).toBe(401);
    expect(response.body).toEqual(errorBody('invalid_api_key'));
    expectNoInternals(response);
  });

  it('when the key id exists but the secret is wrong, then it answers 401 invalid_api_key and nothing is written', async () => {
    const wrong = withWrongSecret(fullKey.apiKey);
    expect(wrong).not.toBe(fullKey.apiKey);
    const get = await client(baseUrl, wrong).get('/v1/dnc');
    expect(get.status).toBe(401);
    expect(get.body).toEqual(errorBody('invalid_api_key'));

    const del = await client(baseUrl, wrong).delete(`/v1/dnc/${entryId}`);
    expect(del.status).toBe(401);
    expect(del.body).toEqual(errorBody('invalid_api_key'));
    expect(await env.services.db.selectFrom('dnc_entries').select('id').where('id', '=', entryId).executeTakeFirst()).toBeDefined();
  });

  it('when a key that was in use is revoked, then the API refuses it with invalid_api_key within 5 seconds', async () => {
    const key = await env.createKey(TEAM);
    const api = client(baseUrl, key.apiKey);
    // Use the key first so that any per-process cache holds it as valid.
    expect((await api.get('/v1/dnc')).status).toBe(200);

    expect(await env.services.apiKeys.revoke(key.keyId)).toBe(true);
    const revokedAt = Date.now();

    // Until then the API may trust the copy it cached; a request sent 5 s after the revocation
    // must be refused (a busy machine only sends it later).
    await sleep(revokedAt + 5_000 - Date.now());
    const refused = await api.get('/v1/dnc');
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(errorBody('invalid_api_key'));
    // And it stays refused, for writes as well.
    const write = await api.post('/v1/dnc', { url: 'in/after-revocation' });
    expect(write.status).toBe(401);
    expect(write.body).toEqual(errorBody('invalid_api_key'));
  });

  it('when a key in continuous use is revoked, then a request sent 5 seconds later is refused, and every one after it', async () => {
    // Continuous use keeps the key in the API's cache, refreshed in the background rather than
    // left to expire: the path a busy integration takes.
    const key = await env.createKey(TEAM);
    const api = client(baseUrl, key.apiKey);
    expect((await api.get('/v1/dnc/check?url=in/continuous')).status).toBe(200);
    const revocation: { at?: number } = {};
    const answers: { sentAt: number; status: number }[] = [];
    const user = (async () => {
      while (revocation.at === undefined || Date.now() < revocation.at + 6_500) {
        const sentAt = Date.now();
        const { status } = await api.get('/v1/dnc/check?url=in/continuous');
        answers.push({ sentAt, status });
        await sleep(25);
      }
    })();
    await sleep(1_000);
    expect(await env.services.apiKeys.revoke(key.keyId)).toBe(true);
    const revokedAt = Date.now();
    revocation.at = revokedAt;
    await user;

    // Before the revocation: all served. From 5 s after it: all refused.
    const before = answers.filter((answer) => answer.sentAt < revokedAt);
    const boundPassed = answers.filter((answer) => answer.sentAt >= revokedAt + 5_000);
    expect(before.length).toBeGreaterThan(0);
    expect(new Set(before.map((answer) => answer.status))).toEqual(new Set([200]));
    expect(boundPassed.length).toBeGreaterThan(0);
    expect(new Set(boundPassed.map((answer) => answer.status))).toEqual(new Set([401]));
    // And once refused, never served again (no process-local copy brings it back).
    const firstRefused = answers.findIndex((answer) => answer.status === 401);
    expect(answers.slice(firstRefused).every((answer) => answer.status === 401)).toBe(true);
  });

  it('when a revoked key is presented to a freshly started API, then it is refused at once', async () => {
    const key = await env.createKey(TEAM);
    await env.services.apiKeys.revoke(key.keyId);
    const fresh = await env.startApi();
    const response = await client(fresh.baseUrl, key.apiKey).get('/v1/dnc');
    expect(response.status).toBe(401);
    expect(response.body).toEqual(errorBody('invalid_api_key'));
    await fresh.close();
  });
});

describe('scopes', () => {
  it('when a read-only key adds or deletes, then it answers 403 insufficient_scope and nothing changes', async () => {
    const api = client(baseUrl, readKey.apiKey);
    const auditCountBefore = await env.services.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();

    const add = await api.post('/v1/dnc', { url: 'linkedin.com/in/read-only-attempt' });
    expect(add.status).toBe(403);
    expect(add.body).toEqual(errorBody('insufficient_scope'));

    const batch = await api.post('/v1/dnc/batch', { entries: [{ url: 'linkedin.com/in/read-only-attempt' }] });
    expect(batch.status).toBe(403);
    expect(batch.body).toEqual(errorBody('insufficient_scope'));

    const del = await api.delete(`/v1/dnc/${entryId}`);
    expect(del.status).toBe(403);
    expect(del.body).toEqual(errorBody('insufficient_scope'));
    expectNoInternals(del);

    const urls = await env.services.db.selectFrom('dnc_entries').select('url').where('team_id', '=', TEAM).execute();
    expect(urls.map((row) => row.url)).not.toContain('https://linkedin.com/in/read-only-attempt');
    expect(await env.services.db.selectFrom('dnc_entries').select('id').where('id', '=', entryId).executeTakeFirst()).toBeDefined();
    const auditCountAfter = await env.services.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(auditCountAfter.n).toBe(auditCountBefore.n);
  });

  it('when a read-only key reads, then it is allowed', async () => {
    const api = client(baseUrl, readKey.apiKey);
    expect((await api.get('/v1/dnc')).status).toBe(200);
    expect((await api.get('/v1/dnc/check?url=in/auth-target')).status).toBe(200);
    expect((await api.get('/v1/dnc/audit')).status).toBe(200);
  });

  it.each(['/v1/dnc', '/v1/dnc/check?url=in/auth-target', '/v1/dnc/audit'])(
    'when a write-only key reads %s, then it answers 403 insufficient_scope',
    async (path) => {
      const response = await client(baseUrl, writeKey.apiKey).get(path);
      expect(response.status).toBe(403);
      expect(response.body).toEqual(errorBody('insufficient_scope'));
      expectNoInternals(response);
    },
  );

  it('when a write-only key adds and deletes, then it is allowed', async () => {
    const api = client(baseUrl, writeKey.apiKey);
    const added = await api.post('/v1/dnc', { url: 'linkedin.com/in/write-only-ok' });
    expect(added.status).toBe(201);
    expect((await api.delete(`/v1/dnc/${added.body.data.$id}`)).status).toBe(200);
  });
});

describe('unknown routes and error bodies', () => {
  it('when an unknown /v1 route is called with a valid key, then it answers 404 not_found', async () => {
    const api = client(baseUrl, fullKey.apiKey);
    for (const [method, path] of [
      ['GET', '/v1/nope'],
      ['POST', '/v1/nope'],
      ['GET', '/v1/dnc/check/extra'],
      ['PUT', '/v1/dnc'],
    ] as const) {
      const response = await api.call(method, path);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body).toEqual(errorBody('not_found'));
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expectNoInternals(response);
    }
  });

  it('when requests fail for assorted reasons, then no error body contains a stack trace or internals', async () => {
    const api = client(baseUrl, fullKey.apiKey);
    const responses = await Promise.all([
      api.post('/v1/dnc', undefined, { rawBody: '{"url": "in/x"' }),
      api.post('/v1/dnc', { url: 'https://example.com/not-linkedin' }),
      api.post('/v1/dnc', { url: 42 }),
      api.get('/v1/dnc?limit=abc'),
      api.get('/v1/dnc/check'),
    ]);
    for (const response of responses) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.body).toMatchObject({ error: expect.any(String), message: expect.any(String), data: null });
      expectNoInternals(response);
    }
  });
});

describe('malformed paths', () => {
  it('when a path id is not valid percent-encoding, then it answers 400 validation_error rather than 500', async () => {
    const response = await client(baseUrl, fullKey.apiKey).delete('/v1/dnc/%E0%A4%A');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ ...errorBody('validation_error'), details: [{ path: 'params.id', message: expect.any(String) }] });
    expectNoInternals(response);
    // Authentication still comes first.
    const anonymous = await client(baseUrl).delete('/v1/dnc/%E0%A4%A');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('missing_api_key');
  });
});

describe('order of checks and rate-limit accounting', () => {
  const LIMITED_TEAM = 'team_auth_limited';
  let limitedBaseUrl: string;
  let limitedWrite: CreatedApiKey;
  let limitedRead: CreatedApiKey;

  beforeAll(async () => {
    limitedBaseUrl = (await env.startApi({ DNC_WRITE_LIMIT: '3', DNC_WRITE_RESERVED_FOR_SYNC: '0' })).baseUrl;
    [limitedWrite, limitedRead] = await Promise.all([
      env.createKey(LIMITED_TEAM, ['dnc:write']),
      env.createKey(LIMITED_TEAM, ['dnc:read']),
    ]);
  });

  const remainingOf = (response: ApiResponse) => {
    const header = response.headers.get('ratelimit');
    const match = header ? /"dnc-write";r=(\d+);t=\d+/.exec(header) : null;
    return match ? Number(match[1]) : undefined;
  };

  it('when 401s and 403s come first, then they use no slot; admitted requests (even 400s) use one each; then 429 comes after 401/403 and before validation', async () => {
    const wrongSecret = withWrongSecret(limitedWrite.apiKey);
    // Refused before the rate limit: none of these may take a slot.
    for (let i = 0; i < 5; i++) {
      expect((await request(limitedBaseUrl, 'POST', '/v1/dnc', { body: { url: `in/limited-${i}` } })).status).toBe(401);
      expect((await client(limitedBaseUrl, wrongSecret).post('/v1/dnc', { url: `in/limited-${i}` })).status).toBe(401);
      expect((await client(limitedBaseUrl, limitedRead.apiKey).post('/v1/dnc', { url: `in/limited-${i}` })).status).toBe(403);
      expect((await client(limitedBaseUrl, limitedRead.apiKey).delete('/v1/dnc/dnc_nothing1')).status).toBe(403);
    }

    const writer = client(limitedBaseUrl, limitedWrite.apiKey);
    const first = await writer.post('/v1/dnc', { url: 'in/limited-first' });
    expect(first.status).toBe(201);
    expect(first.headers.get('ratelimit-policy')).toBe('"dnc-write";q=3;w=60');
    expect(remainingOf(first)).toBe(2);

    // A validation failure is admitted past the limit, so it uses a slot.
    const invalid = await writer.post('/v1/dnc', { url: 'https://example.com/nope' });
    expect(invalid.status).toBe(400);
    expect(remainingOf(invalid)).toBe(1);

    // So does a 404.
    const missing = await writer.delete('/v1/dnc/dnc_missing0000000000');
    expect(missing.status).toBe(404);
    expect(remainingOf(missing)).toBe(0);

    // The team's write budget is now spent.
    const limited = await writer.post('/v1/dnc', { url: 'in/limited-second' });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      error: 'rate_limit_exceeded',
      message: expect.any(String),
      data: null,
      resetTime: expect.any(String),
      retryAfter: expect.any(Number),
    });

    // Rate limit comes before validation: a bad body from the spent team is a 429, not a 400.
    const badBody = await writer.post('/v1/dnc', undefined, { rawBody: '{not json' });
    expect(badBody.status).toBe(429);
    const badId = await writer.delete('/v1/dnc/not-an-id');
    expect(badId.status).toBe(429);

    // Authentication and scope come before the rate limit, even for the spent team.
    const noKey = await request(limitedBaseUrl, 'POST', '/v1/dnc', { body: { url: 'in/limited-third' } });
    expect(noKey.status).toBe(401);
    expect(noKey.body).toEqual(errorBody('missing_api_key'));
    const badKey = await client(limitedBaseUrl, wrongSecret).post('/v1/dnc', { url: 'in/limited-third' });
    expect(badKey.status).toBe(401);
    expect(badKey.body).toEqual(errorBody('invalid_api_key'));
    const readOnly = await client(limitedBaseUrl, limitedRead.apiKey).post('/v1/dnc', { url: 'in/limited-third' });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body).toEqual(errorBody('insufficient_scope'));
    // Reads draw from a different class and are unaffected.
    expect((await client(limitedBaseUrl, limitedRead.apiKey).get('/v1/dnc')).status).toBe(200);
  });
});

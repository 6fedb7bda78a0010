// Behaviour when Postgres or Redis is unreachable (503 fast, /readyz), boot failures (one line on
// stderr, non-zero exit) and graceful shutdown (in-flight requests complete, exit 0).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { client, request } from '../support/http.js';
import { runNode, startApiProcess, stopAllProcesses } from '../support/processes.js';

const UNREACHABLE_POSTGRES = 'postgres://postgres@127.0.0.1:1/none';
const UNREACHABLE_REDIS = 'redis://127.0.0.1:1';
const API_ENTRY = 'apps/api/src/main.ts';

let env: TestEnvironment;

beforeAll(async () => {
  env = await createTestEnvironment();
});
afterAll(async () => {
  await stopAllProcesses();
  await env?.cleanup();
});

const unavailableBody = { error: 'service_unavailable', message: expect.any(String), data: null };

/** Times a request; the contract wants a 503 fast, never a hang. */
async function timed<T>(call: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await call();
  return { result, ms: performance.now() - started };
}

function expectRetryAfter(headers: Headers) {
  const retryAfter = headers.get('retry-after');
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThan(0);
}

describe('probes when everything answers', () => {
  it('when Postgres and Redis answer, then /readyz is 200 and /healthz is 200', async () => {
    const { baseUrl } = await env.startApi();
    const ready = await request(baseUrl, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    const health = await request(baseUrl, 'GET', '/healthz');
    expect(health.status).toBe(200);
  });
});

describe('Postgres unreachable', () => {
  let baseUrl: string;
  let apiKey: string;

  beforeAll(async () => {
    // The key exists in the real database; the API points elsewhere, so authenticating needs Postgres.
    apiKey = (await env.createKey('team_avail_pg')).apiKey;
    baseUrl = (await env.startApi({ DATABASE_URL: UNREACHABLE_POSTGRES })).baseUrl;
  });

  it('when an authenticated request arrives, then it answers 503 service_unavailable with Retry-After within 2 s', async () => {
    const { result, ms } = await timed(() => client(baseUrl, apiKey).get('/v1/dnc/check?url=in/someone'));
    expect(result.status).toBe(503);
    expect(result.body).toEqual(unavailableBody);
    expectRetryAfter(result.headers);
    expect(ms).toBeLessThan(2_000);
  });

  it('when a write arrives, then it answers 503 without leaking connection details', async () => {
    const { result, ms } = await timed(() => client(baseUrl, apiKey).post('/v1/dnc', { url: 'in/someone' }));
    expect(result.status).toBe(503);
    expect(result.body).toEqual(unavailableBody);
    expect(JSON.stringify(result.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres:\/\//);
    expectRetryAfter(result.headers);
    expect(ms).toBeLessThan(2_000);
  });

  it('when /readyz is asked, then it answers 503 and /healthz still answers 200', async () => {
    const { result, ms } = await timed(() => request(baseUrl, 'GET', '/readyz'));
    expect(result.status).toBe(503);
    expect(ms).toBeLessThan(2_000);
    expect((await request(baseUrl, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('Redis unreachable', () => {
  let baseUrl: string;
  let apiKey: string;

  beforeAll(async () => {
    apiKey = (await env.createKey('team_avail_redis')).apiKey;
    baseUrl = (await env.startApi({ REDIS_URL: UNREACHABLE_REDIS })).baseUrl;
  });

  it('when a request passes authentication, then it answers 503 service_unavailable with Retry-After within 2 s', async () => {
    const { result, ms } = await timed(() => client(baseUrl, apiKey).get('/v1/dnc/check?url=in/someone'));
    expect(result.status).toBe(503);
    expect(result.body).toEqual(unavailableBody);
    expectRetryAfter(result.headers);
    expect(ms).toBeLessThan(2_000);
  });

  it('when a write passes authentication, then it answers 503 within 2 s and writes nothing', async () => {
    const { result, ms } = await timed(() => client(baseUrl, apiKey).post('/v1/dnc', { url: 'in/redis-down-person' }));
    expect(result.status).toBe(503);
    expect(result.body).toEqual(unavailableBody);
    expect(ms).toBeLessThan(2_000);
    const rows = await env.services.db.selectFrom('dnc_entries').select('id').where('team_id', '=', 'team_avail_redis').execute();
    expect(rows).toEqual([]);
  });

  it('when /readyz is asked, then it answers 503 and /healthz still answers 200', async () => {
    const { result, ms } = await timed(() => request(baseUrl, 'GET', '/readyz'));
    expect(result.status).toBe(503);
    expect(ms).toBeLessThan(2_000);
    expect((await request(baseUrl, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('boot failures', () => {
  function expectOneLine(stderr: string) {
    const lines = stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(stderr).not.toMatch(/^\s+at /m);
    return lines[0]!;
  }

  it('when DATABASE_URL points at no Postgres, then the API exits non-zero with one stderr line naming the URL and how to start it', async () => {
    const result = await runNode(API_ENTRY, { ...env.env, PORT: '0', LOG_LEVEL: 'info', DATABASE_URL: UNREACHABLE_POSTGRES });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    const line = expectOneLine(result.stderr);
    expect(line).toContain(UNREACHABLE_POSTGRES);
    expect(line).toMatch(/start/i);
    expect(line).toContain('DATABASE_URL');
    expect(result.stdout).not.toContain('API listening');
  });

  it('when REDIS_URL points at no Redis, then the API exits non-zero with one stderr line naming the URL and how to start it', async () => {
    const result = await runNode(API_ENTRY, { ...env.env, PORT: '0', LOG_LEVEL: 'info', REDIS_URL: UNREACHABLE_REDIS });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    const line = expectOneLine(result.stderr);
    expect(line).toContain('redis://127.0.0.1:1');
    expect(line).toMatch(/start/i);
    expect(line).toContain('REDIS_URL');
    expect(result.stdout).not.toContain('API listening');
  });

  it('when a config value is invalid (PORT=abc), then the API exits non-zero with one stderr line naming PORT', async () => {
    const result = await runNode(API_ENTRY, { ...env.env, PORT: 'abc', LOG_LEVEL: 'info' });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    const line = expectOneLine(result.stderr);
    expect(line).toMatch(/\bPORT\b/);
    expect(result.stdout).toBe('');
  });
});

describe('graceful shutdown', () => {
  it('when SIGTERM arrives while a request is in flight, then that request completes and the process exits 0', async () => {
    const api = await startApiProcess(env.env);
    const { apiKey } = await env.createKey('team_avail_shutdown');
    const body = JSON.stringify({ url: 'https://linkedin.com/in/graceful-shutdown-person' });
    const splitAt = 10;

    // A slow client: headers and the first bytes of the body now, the rest after SIGTERM.
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${api.baseUrl}/v1/dnc`, {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.write(body.slice(0, splitAt));
      // Let the server parse the headers (the request is then in flight) before the signal.
      setTimeout(() => {
        api.child.kill('SIGTERM');
        api
          .waitForLog((line) => line.msg === 'shutting down', 5_000)
          .then(
            () => setTimeout(() => req.end(body.slice(splitAt)), 200),
            (error: unknown) => reject(error as Error),
          );
      }, 500);
    });

    const completed = await response;
    expect(completed.status).toBe(201);
    expect(JSON.parse(completed.body)).toMatchObject({
      error: null,
      data: { teamId: 'team_avail_shutdown', url: 'https://linkedin.com/in/graceful-shutdown-person' },
      message: 'Added to Do Not Contact list',
    });
    const status = await Promise.race([api.exited, new Promise((resolve) => setTimeout(resolve, 10_000, 'timeout'))]);
    expect(status).toEqual({ code: 0, signal: null });
    const rows = await env.services.db.selectFrom('dnc_entries').select('url').where('team_id', '=', 'team_avail_shutdown').execute();
    expect(rows).toEqual([{ url: 'https://linkedin.com/in/graceful-shutdown-person' }]);
  });

  it('when SIGTERM arrives while idle, then the process exits 0 promptly', async () => {
    const api = await startApiProcess(env.env);
    expect((await request(api.baseUrl, 'GET', '/healthz')).status).toBe(200);
    const { result: status, ms } = await timed(() => api.stop('SIGTERM'));
    expect(status).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(5_000);
  });
});

// Behaviour when Postgres or Redis is unreachable (503 rather than a hang, /readyz), boot failures
// (one line on stderr, non-zero exit) and graceful shutdown (in-flight requests complete, exit 0).
// How fast the 503 comes is a figure of `pnpm bench`, not an assertion here.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, withSessionSettings, type TestEnvironment } from '../support/environment.js';
import { client, request } from '../support/http.js';
import { PROCESS_TEST_TIMEOUT_MS, runNode, startApiProcess, startWorkerProcess, stopAllProcesses } from '../support/processes.js';
import { settlesWithin } from '../support/wait.js';

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

/**
 * The answer to a request while a dependency is down: it must come, rather than hang on the dead
 * connection. The bound is far above the API's 1.2 s connect timeout, so only a hang trips it.
 */
const answered = <T>(request: Promise<T>) => settlesWithin(request, 15_000, 'the request while a dependency is down');

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

  it('when an authenticated request arrives, then it answers 503 service_unavailable with Retry-After rather than hanging', async () => {
    const result = await answered(client(baseUrl, apiKey).get('/v1/dnc/check?url=in/someone'));
    expect(result.status).toBe(503);
    expect(result.body).toEqual(unavailableBody);
    expectRetryAfter(result.headers);
  });

  it('when a write arrives, then it answers 503 without leaking connection details', async () => {
    const result = await answered(client(baseUrl, apiKey).post('/v1/dnc', { url: 'in/someone' }));
    expect(result.status).toBe(503);
    expect(result.body).toEqual(unavailableBody);
    expect(JSON.stringify(result.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres:\/\//);
    expectRetryAfter(result.headers);
  });

  it('when /readyz is asked, then it answers 503 and /healthz still answers 200', async () => {
    const result = await answered(request(baseUrl, 'GET', '/readyz'));
    expect(result.status).toBe(503);
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

  it('when a request passes authentication, then it answers 503 service_unavailable with Retry-After rather than hanging', async () => {
    const result = await answered(client(baseUrl, apiKey).get('/v1/dnc/check?url=in/someone'));
    expect(result.status).toBe(503);
    expect(result.body).toEqual(unavailableBody);
    expectRetryAfter(result.headers);
  });

  it('when a write passes authentication, then it answers 503 rather than hanging and writes nothing', async () => {
    const result = await answered(client(baseUrl, apiKey).post('/v1/dnc', { url: 'in/redis-down-person' }));
    expect(result.status).toBe(503);
    expect(result.body).toEqual(unavailableBody);
    const rows = await env.services.db.selectFrom('dnc_entries').select('id').where('team_id', '=', 'team_avail_redis').execute();
    expect(rows).toEqual([]);
  });

  it('when /readyz is asked, then it answers 503 and /healthz still answers 200', async () => {
    const result = await answered(request(baseUrl, 'GET', '/readyz'));
    expect(result.status).toBe(503);
    expect((await request(baseUrl, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('boot failures', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
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

describe('graceful shutdown', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
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
          // The server answers 100 Continue once it has parsed the headers and handed the request on.
          expect: '100-continue',
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
      // The request is in flight: the signal now, the rest of the body once the shutdown has begun.
      req.once('continue', () => {
        api.child.kill('SIGTERM');
        api
          .waitForLog((line) => line.msg === 'shutting down')
          .then(
            () => setTimeout(() => req.end(body.slice(splitAt)), 200),
            (error: unknown) => reject(error as Error),
          );
      });
    });

    const completed = await response;
    expect(completed.status).toBe(201);
    expect(JSON.parse(completed.body)).toMatchObject({
      error: null,
      data: { teamId: 'team_avail_shutdown', url: 'https://linkedin.com/in/graceful-shutdown-person' },
      message: 'Added to Do Not Contact list',
    });
    expect(await settlesWithin(api.exited, 20_000, 'the exit after SIGTERM')).toEqual({ code: 0, signal: null });
    const rows = await env.services.db.selectFrom('dnc_entries').select('url').where('team_id', '=', 'team_avail_shutdown').execute();
    expect(rows).toEqual([{ url: 'https://linkedin.com/in/graceful-shutdown-person' }]);
  });

  it('when SIGTERM arrives while idle, then the process exits 0 by itself', async () => {
    const api = await startApiProcess(env.env);
    expect((await request(api.baseUrl, 'GET', '/healthz')).status).toBe(200);
    // stop() would SIGKILL a process still running after its timeout; exit code 0 says it left by itself.
    const status = await api.stop('SIGTERM', 20_000);
    expect(status).toEqual({ code: 0, signal: null });
  });
});

describe('the statement timeout of Postgres sessions at boot', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  const timeoutWarnings = (lines: Record<string, unknown>[]) => lines.filter((line) => line.level === 40 && 'statementTimeoutMs' in line);

  it('when the database default applies, then the API starts without a warning', async () => {
    const api = await startApiProcess(env.env);
    try {
      expect(api.logLines().some((line) => line.msg === 'API listening')).toBe(true);
      expect(timeoutWarnings(api.logLines())).toEqual([]);
    } finally {
      await api.stop();
    }
  });

  it('when DATABASE_URL overrides it with none, then the API still starts, and warns that a 503 write could commit later', async () => {
    const api = await startApiProcess({ ...env.env, DATABASE_URL: withSessionSettings(env.env.DATABASE_URL!, { statement_timeout: '0' }) });
    try {
      expect(timeoutWarnings(api.logLines())).toEqual([
        expect.objectContaining({
          statementTimeoutMs: 0,
          queryTimeoutMs: 5_000,
          msg: expect.stringContaining('could still commit after its 503'),
        }),
      ]);
    } finally {
      await api.stop();
    }
  });

  it('when DATABASE_URL overrides it with none for the worker, then the worker still starts, and warns the same way', async () => {
    // The worker runs the same boot check: its batches are written under the same 5 s query timeout.
    const worker = await startWorkerProcess(env.env, {
      DATABASE_URL: withSessionSettings(env.env.DATABASE_URL!, { statement_timeout: '0' }),
    });
    try {
      expect(timeoutWarnings(worker.logLines())).toEqual([
        expect.objectContaining({ name: 'worker', statementTimeoutMs: 0, queryTimeoutMs: 5_000 }),
      ]);
    } finally {
      await worker.stop();
    }
    const withDefault = await startWorkerProcess(env.env);
    try {
      expect(timeoutWarnings(withDefault.logLines())).toEqual([]);
    } finally {
      await withDefault.stop();
    }
  });
});

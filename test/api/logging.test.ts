import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { request } from '../support/http.js';
import { PROCESS_TEST_TIMEOUT_MS, startApiProcess, stopAllProcesses } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

let env: TestEnvironment;

beforeAll(async () => {
  env = await createTestEnvironment();
});
afterAll(async () => {
  await stopAllProcesses();
  await env?.cleanup();
});

describe('logging', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('when requests carry API keys, then no log line holds the Authorization header or a key secret, and each line has the request id', async () => {
    const api = await startApiProcess({ ...env.env, LOG_LEVEL: 'trace' });
    const { apiKey } = await env.createKey('team_logs');
    const wrongSecret = `${apiKey.slice(0, -8)}deadbeef`;
    await request(api.baseUrl, 'POST', '/v1/dnc', { apiKey, body: { url: 'in/log-me' }, headers: { 'x-request-id': 'req-log-1' } });
    await request(api.baseUrl, 'GET', '/v1/dnc', { apiKey: wrongSecret, headers: { 'x-request-id': 'req-log-2' } });
    await request(api.baseUrl, 'GET', '/v1/dnc', {
      headers: {
        authorization: 'Basic c2VjcmV0OnNlY3JldA==',
        cookie: 'session=cookie-secret-1',
        'proxy-authorization': 'Basic proxy-secret-1',
        'x-api-key': 'x-api-key-secret-1',
        'x-request-id': 'req-log-3',
      },
    });
    await api.stop();

    const output = api.stdout() + api.stderr();
    const secret = apiKey.split('_').pop()!;
    expect(output).not.toContain(secret);
    expect(output).not.toContain(wrongSecret.split('_').pop()!);
    expect(output).not.toMatch(/Bearer +dncsk/);
    expect(output).not.toContain('c2VjcmV0OnNlY3JldA==');
    for (const other of ['cookie-secret-1', 'proxy-secret-1', 'x-api-key-secret-1']) expect(output).not.toContain(other);

    const requestLines = api.logLines().filter((line) => line.req !== undefined);
    expect(requestLines.map((line) => line.requestId).sort()).toEqual(['req-log-1', 'req-log-2', 'req-log-3']);
    for (const line of requestLines) {
      expect((line.req as { headers: Record<string, string> }).headers.authorization).toBe('[redacted]');
    }
  });

  it('when a client leaves before its request is answered, then one "request aborted" line says who it was and claims no status', async () => {
    const api = await startApiProcess({ ...env.env, LOG_LEVEL: 'info' });
    const { apiKey } = await env.createKey('team_logs_abort');
    const { port } = new URL(api.baseUrl);
    // A body announced at 100 bytes, 10 sent, then the connection closed.
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST /v1/dnc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: application/json\r\n` +
        'Content-Length: 100\r\nX-Request-Id: req-log-abort\r\n\r\n{"url": "i',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();

    const line = await waitUntil(() => Promise.resolve(api.logLines().find((entry) => entry.requestId === 'req-log-abort')), {
      what: 'the aborted request line',
    });
    await api.stop();
    expect(line.msg).toBe('request aborted');
    expect(line.req).toMatchObject({ method: 'POST', url: '/v1/dnc', remoteAddress: expect.stringMatching(/127\.0\.0\.1$/) });
    expect(line.res).toEqual({ statusCode: null });
  });
});

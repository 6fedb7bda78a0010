import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { request } from '../support/http.js';
import { PROCESS_TEST_TIMEOUT_MS, startApiProcess, stopAllProcesses } from '../support/processes.js';

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
});

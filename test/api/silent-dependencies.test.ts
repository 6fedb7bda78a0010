// A Postgres or Redis that accepts connections and then says nothing (a hung host, a black-holed
// network) must not hang requests: they answer 503 within 2 s.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';

let env: TestEnvironment;
let silent: Server;
const sockets = new Set<Socket>();
let silentPort: number;

beforeAll(async () => {
  env = await createTestEnvironment();
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  await env?.cleanup();
});

describe('silent dependencies', () => {
  it('when Postgres accepts connections but never answers, then a request answers 503 within 2 s', async () => {
    const { apiKey } = await env.createKey('team_silent_pg');
    const api = await env.startApi({ DATABASE_URL: `postgres://postgres@127.0.0.1:${silentPort}/none` });
    const started = Date.now();
    const response = await client(api.baseUrl, apiKey).get('/v1/dnc');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.status).toBe(503);
    expect(response.body.error).toBe('service_unavailable');
  });

  it('when Redis accepts connections but never answers, then a request answers 503 within 2 s', async () => {
    const { apiKey } = await env.createKey('team_silent_redis');
    const api = await env.startApi({ REDIS_URL: `redis://127.0.0.1:${silentPort}` });
    const started = Date.now();
    const response = await client(api.baseUrl, apiKey).get('/v1/dnc');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.status).toBe(503);
    expect(response.body.error).toBe('service_unavailable');
  });
});

// A Postgres or Redis that accepts connections and then says nothing (a hung host, a black-holed
// network) must not hang requests: they answer 503. How fast is a figure of `pnpm bench`.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { settlesWithin } from '../support/wait.js';

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

/** The answer must come: the bound is far above the API's 1.2 s connect timeout, so only a hang trips it. */
const answered = <T>(request: Promise<T>) => settlesWithin(request, 15_000, 'the request to a silent dependency');

describe('silent dependencies', () => {
  it('when Postgres accepts connections but never answers, then a request answers 503 rather than hanging', async () => {
    const { apiKey } = await env.createKey('team_silent_pg');
    const api = await env.startApi({ DATABASE_URL: `postgres://postgres@127.0.0.1:${silentPort}/none` });
    const response = await answered(client(api.baseUrl, apiKey).get('/v1/dnc'));
    expect(response.status).toBe(503);
    expect(response.body.error).toBe('service_unavailable');
  });

  it('when Redis accepts connections but never answers, then a request answers 503 rather than hanging', async () => {
    const { apiKey } = await env.createKey('team_silent_redis');
    const api = await env.startApi({ REDIS_URL: `redis://127.0.0.1:${silentPort}` });
    const response = await answered(client(api.baseUrl, apiKey).get('/v1/dnc'));
    expect(response.status).toBe(503);
    expect(response.body.error).toBe('service_unavailable');
  });
});

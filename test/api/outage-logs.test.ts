// What an operator reads while Redis or Postgres is gone: one warning per process when it goes,
// one line when it is back (with how long it was gone), each 503 at `warn` with its request id,
// and nothing at `error`. The outage is a real network fault: a TCP proxy between the processes
// and the store resets every connection and refuses new ones, then accepts them again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { startApiProcess, startWorkerProcess, stopAllProcesses, type NodeProcess } from '../support/processes.js';
import { startTcpProxy, viaPort, type TcpProxy } from '../support/tcp-proxy.js';
import { sleep, waitUntil } from '../support/wait.js';

const OUTAGE_MS = 3_000;
const WARN = 40;

let env: TestEnvironment;
let postgresProxy: TcpProxy;
let redisProxy: TcpProxy;

beforeAll(async () => {
  env = await createTestEnvironment(unlimited);
  const database = new URL(env.env.DATABASE_URL!);
  const redis = new URL(env.env.REDIS_URL!);
  postgresProxy = await startTcpProxy(database.hostname, Number(database.port || 5432));
  redisProxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
});
afterAll(async () => {
  await stopAllProcesses();
  await postgresProxy?.close();
  await redisProxy?.close();
  await env?.cleanup();
});

const messages = (proc: NodeProcess, msg: string) => proc.logLines().filter((line) => String(line.msg).startsWith(msg));

describe('logs during an outage', () => {
  it('when Redis and then Postgres go away and come back, then each process logs one warning per outage and one line when it is back, and each 503 at warn with its request id', async () => {
    const throughProxies = {
      ...env.env,
      DATABASE_URL: viaPort(env.env.DATABASE_URL!, postgresProxy.port),
      REDIS_URL: viaPort(env.env.REDIS_URL!, redisProxy.port),
      AUDIT_RELAY_INTERVAL_MS: '200',
    };
    const apiProcess = await startApiProcess(throughProxies);
    const worker = await startWorkerProcess(throughProxies);
    const api = client(apiProcess.baseUrl, (await env.createKey('team_outage')).apiKey);
    expect((await api.get('/v1/dnc/check?url=in/outage')).status).toBe(200);

    const unavailable: string[] = [];
    /** Requests during the outage: every answer is a 503, and the request ids are kept to find their log lines. */
    const hammer = async (call: () => Promise<{ status: number; headers: Headers }>) => {
      const until = Date.now() + OUTAGE_MS;
      while (Date.now() < until) {
        const response = await call();
        expect(response.status).toBe(503);
        unavailable.push(response.headers.get('x-request-id')!);
        await sleep(100);
      }
    };

    // Redis goes away.
    await redisProxy.cut();
    await hammer(() => api.get('/v1/dnc/check?url=in/outage'));
    await redisProxy.restore();
    await waitUntil(async () => (await api.get('/v1/dnc/check?url=in/outage')).status === 200, {
      intervalMs: 200,
      what: 'a 200 once Redis is back',
    });
    for (const proc of [apiProcess, worker]) {
      await proc.waitForLog((line) => String(line.msg).startsWith('redis available again'), 20_000);
    }

    // Postgres goes away (a write needs it; the key stays cached in the API for a few seconds,
    // and an unknown entry id still has to be looked up).
    await postgresProxy.cut();
    await hammer(() => api.delete('/v1/dnc/dnc_outage1'));
    await postgresProxy.restore();
    await waitUntil(async () => (await api.delete('/v1/dnc/dnc_outage1')).status === 404, {
      intervalMs: 200,
      what: 'a 404 once Postgres is back',
    });
    for (const proc of [apiProcess, worker]) {
      await proc.waitForLog((line) => String(line.msg).startsWith('postgres available again'), 20_000);
    }

    for (const proc of [apiProcess, worker]) {
      for (const dependency of ['redis', 'postgres']) {
        const gone = messages(proc, `${dependency} unavailable`);
        const back = messages(proc, `${dependency} available again`);
        expect(gone, `${dependency} warnings of ${proc.pid}`).toHaveLength(1);
        expect(gone[0]!.level).toBe(WARN);
        expect(back, `${dependency} recoveries of ${proc.pid}`).toHaveLength(1);
        expect(back[0]!.downForMs).toBeGreaterThan(0);
      }
      // Nothing at error or above: an outage is not a bug.
      expect(proc.logLines().filter((line) => (line.level as number) > WARN)).toEqual([]);
    }

    // Each 503 is one warning with its request id, and nothing else at warn in the API.
    const requestWarnings = apiProcess
      .logLines()
      .filter((line) => line.level === WARN && line.msg === 'request failed: dependency unavailable');
    expect(requestWarnings.map((line) => line.requestId).sort()).toEqual([...unavailable].sort());
    const otherApiWarnings = apiProcess
      .logLines()
      .filter((line) => line.level === WARN && line.msg !== 'request failed: dependency unavailable')
      .map((line) => line.msg);
    expect(otherApiWarnings).toEqual(['redis unavailable', 'postgres unavailable']);
    // The worker retried its connections many times; it said so twice.
    expect(
      worker
        .logLines()
        .filter((line) => line.level === WARN)
        .map((line) => line.msg),
    ).toEqual(['redis unavailable', 'postgres unavailable']);
  }, 90_000);
});

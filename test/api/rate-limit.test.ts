// Per-team, per-class rate limits: exact under concurrency and across processes, with the
// contract's 429 body and RateLimit headers.
import { RateLimiter, teamKey } from '@dnc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { client, isoMillis, type ApiResponse } from '../support/http.js';
import { PROCESS_TEST_TIMEOUT_MS, startApiProcess, stopAllProcesses, type RunningApiProcess } from '../support/processes.js';
import { sleep } from '../support/wait.js';

const WINDOW_MS = 3_000;
const WRITE_LIMIT = 7;
const READ_LIMIT = 50;
const WRITE_POLICY = `"dnc-write";q=${WRITE_LIMIT};w=3`;
const RATE_LIMIT_HEADER = /^"dnc-write";r=(\d+);t=(\d+)$/;

let env: TestEnvironment;
let baseUrl: string;
let slugCounter = 0;

beforeAll(async () => {
  env = await createTestEnvironment({
    RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
    DNC_WRITE_LIMIT: String(WRITE_LIMIT),
    DNC_WRITE_RESERVED_FOR_SYNC: '1',
    DNC_READ_LIMIT: String(READ_LIMIT),
  });
  baseUrl = (await env.startApi()).baseUrl;
});
afterAll(async () => {
  await stopAllProcesses();
  await env?.cleanup();
});

async function teamClient(teamId: string, target = baseUrl) {
  return client(target, (await env.createKey(teamId)).apiKey);
}

const freshUrl = () => `https://www.linkedin.com/in/rate-limit-person-${++slugCounter}`;

function limitedBody() {
  return {
    error: 'rate_limit_exceeded',
    message: expect.any(String),
    data: null,
    resetTime: expect.stringMatching(isoMillis),
    retryAfter: expect.any(Number),
  };
}

function countByStatus(responses: ApiResponse[]) {
  const counts: Record<number, number> = {};
  for (const response of responses) counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
}

async function entryCount(teamId: string) {
  const row = await env.services.db
    .selectFrom('dnc_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('team_id', '=', teamId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Spends the team's whole write budget with admitted requests and returns the first 429. */
async function spendWrites(api: Awaited<ReturnType<typeof teamClient>>) {
  for (let i = 0; i < WRITE_LIMIT; i++) expect((await api.post('/v1/dnc', { url: freshUrl() })).status).toBe(201);
  const limited = await api.post('/v1/dnc', { url: freshUrl() });
  expect(limited.status).toBe(429);
  return limited;
}

describe('dnc-write budget under concurrency', () => {
  it('when 100 writes of one team arrive at once, then exactly the limit is admitted whatever their outcome and the rest get 429', async () => {
    const team = 'team_rl_burst';
    const api = await teamClient(team);
    // A mix of outcomes: valid new URLs (201), invalid URLs (400) and one URL sent many times (201 once, then 409).
    const duplicated = freshUrl();
    const bodies = Array.from({ length: 100 }, (_, i) =>
      i % 3 === 0 ? { url: freshUrl() } : i % 3 === 1 ? { url: 'https://example.com/not-linkedin' } : { url: duplicated },
    );

    const responses = await Promise.all(bodies.map((body) => api.post('/v1/dnc', body)));

    const counts = countByStatus(responses);
    const admitted = responses.filter((r) => r.status !== 429);
    expect(admitted).toHaveLength(WRITE_LIMIT);
    expect(counts[429]).toBe(100 - WRITE_LIMIT);
    for (const response of admitted) expect([201, 400, 409]).toContain(response.status);
    // Only admitted requests reached the database.
    expect(await entryCount(team)).toBe(counts[201] ?? 0);
    for (const response of responses) {
      expect(response.headers.get('ratelimit-policy')).toBe(WRITE_POLICY);
      expect(response.headers.get('ratelimit')).toMatch(RATE_LIMIT_HEADER);
    }
  });

  it('when admitted writes end in 400, 404 and 409, then each still uses a slot and the next write gets 429', async () => {
    const api = await teamClient('team_rl_outcomes');
    const url = freshUrl();
    const statuses: number[] = [];
    statuses.push((await api.post('/v1/dnc', { url })).status);
    statuses.push((await api.post('/v1/dnc', { url })).status);
    statuses.push((await api.post('/v1/dnc', { url: 'not a url' })).status);
    statuses.push((await api.post('/v1/dnc', {})).status);
    statuses.push((await api.delete('/v1/dnc/dnc_doesnotexist0000000000')).status);
    statuses.push((await api.delete('/v1/dnc/not-an-id')).status);
    statuses.push((await api.post('/v1/dnc', { url })).status);
    expect(statuses).toEqual([201, 409, 400, 400, 404, 400, 409]);

    const limited = await api.post('/v1/dnc', { url: freshUrl() });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(limitedBody());
  });

  it('when requests are turned away before the limit (403 insufficient_scope, 401 revoked key of the team), then they use no slot of the team', async () => {
    const team = 'team_rl_refused';
    const readOnly = client(baseUrl, (await env.createKey(team, ['dnc:read'])).apiKey);
    for (let i = 0; i < 10; i++) {
      const refused = await readOnly.post('/v1/dnc', { url: freshUrl() });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('insufficient_scope');
    }
    const revoked = await env.createKey(team);
    await env.services.apiKeys.revoke(revoked.keyId);
    for (let i = 0; i < 5; i++) {
      const refused = await client(baseUrl, revoked.apiKey).post('/v1/dnc', { url: freshUrl() });
      expect(refused.status).toBe(401);
      expect(refused.body.error).toBe('invalid_api_key');
    }
    const api = await teamClient(team);
    const responses: ApiResponse[] = [];
    for (let i = 0; i < WRITE_LIMIT + 1; i++) responses.push(await api.post('/v1/dnc', { url: freshUrl() }));
    expect(responses.map((r) => r.status)).toEqual([...Array<number>(WRITE_LIMIT).fill(201), 429]);
  });
});

describe('429 response and RateLimit headers', () => {
  it('when writes are admitted one after another, then RateLimit counts the remaining slots down and names the policy', async () => {
    const api = await teamClient('team_rl_headers');
    const remaining: number[] = [];
    for (let i = 0; i < WRITE_LIMIT; i++) {
      const added = await api.post('/v1/dnc', { url: freshUrl() });
      expect(added.status).toBe(201);
      expect(added.headers.get('ratelimit-policy')).toBe(WRITE_POLICY);
      const match = RATE_LIMIT_HEADER.exec(added.headers.get('ratelimit') ?? '');
      expect(match).not.toBeNull();
      remaining.push(Number(match![1]));
      expect(Number(match![2])).toBeLessThanOrEqual(3);
      expect(added.headers.get('retry-after')).toBeNull();
    }
    expect(remaining).toEqual([6, 5, 4, 3, 2, 1, 0]);
  });

  it('when the budget is spent, then the 429 has the exact body, Retry-After equal to retryAfter and RateLimit r=0', async () => {
    const api = await teamClient('team_rl_body');
    const before = Date.now();
    const limited = await spendWrites(api);

    expect(limited.body).toEqual(limitedBody());
    const { retryAfter, resetTime } = limited.body as { retryAfter: number; resetTime: string };
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3);
    expect(limited.headers.get('retry-after')).toBe(String(retryAfter));
    // The next slot frees when the first admission leaves the window.
    expect(Date.parse(resetTime)).toBeGreaterThan(before);
    expect(Date.parse(resetTime)).toBeLessThanOrEqual(Date.now() + WINDOW_MS + 50);
    expect(limited.headers.get('ratelimit-policy')).toBe(WRITE_POLICY);
    expect(limited.headers.get('ratelimit')).toMatch(/^"dnc-write";r=0;t=[0-3]$/);
    expect(limited.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('when the client waits until resetTime, then a write is admitted again', async () => {
    const api = await teamClient('team_rl_reset');
    const limited = await spendWrites(api);
    const resetAt = Date.parse((limited.body as { resetTime: string }).resetTime);

    await sleep(Math.max(0, resetAt - Date.now()) + 100);

    const again = await api.post('/v1/dnc', { url: freshUrl() });
    expect(again.status).toBe(201);
    expect(again.headers.get('ratelimit-policy')).toBe(WRITE_POLICY);
  });
});

describe('scope of a budget', () => {
  it('when team A has spent its writes, then team B can still write', async () => {
    const teamA = await teamClient('team_rl_scope_a');
    const teamB = await teamClient('team_rl_scope_b');
    await spendWrites(teamA);

    const added = await teamB.post('/v1/dnc', { url: freshUrl() });
    expect(added.status).toBe(201);
    expect(added.headers.get('ratelimit')).toMatch(/^"dnc-write";r=6;t=\d+$/);
    expect((await teamA.post('/v1/dnc', { url: freshUrl() })).status).toBe(429);
  });

  it('when a key of the team is replaced by another key of the same team, then the spent budget still applies', async () => {
    const team = 'team_rl_per_team';
    await spendWrites(await teamClient(team));
    const secondKey = await teamClient(team);
    expect((await secondKey.post('/v1/dnc', { url: freshUrl() })).status).toBe(429);
  });

  it('when the team has spent its writes, then its reads are still allowed under the dnc-read policy', async () => {
    const api = await teamClient('team_rl_class');
    await spendWrites(api);

    const checked = await api.get('/v1/dnc/check?url=in/someone-else');
    expect(checked.status).toBe(200);
    expect(checked.body).toEqual({ error: null, data: { onList: false, entry: null } });
    expect(checked.headers.get('ratelimit-policy')).toBe(`"dnc-read";q=${READ_LIMIT};w=3`);
    expect(checked.headers.get('ratelimit')).toMatch(new RegExp(`^"dnc-read";r=${READ_LIMIT - 1};t=\\d+$`));
    const listed = await api.get('/v1/dnc');
    expect(listed.status).toBe(200);
    expect(listed.body.data.total).toBe(WRITE_LIMIT);
  });
});

describe('across processes', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let processes: RunningApiProcess[] = [];

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
  });

  it('when concurrent writes of one team are split across two API processes, then exactly the limit is admitted in total', async () => {
    processes = await Promise.all([startApiProcess(env.env), startApiProcess(env.env)]);
    const { apiKey } = await env.createKey('team_rl_processes');
    const apis = processes.map((p) => client(p.baseUrl, apiKey));
    // Both processes answer before the burst (and authenticate the key), without using write slots.
    for (const api of apis) expect((await api.get('/v1/dnc')).status).toBe(200);

    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => apis[i % 2]!.post('/v1/dnc', { url: freshUrl() })));

    const counts = countByStatus(responses);
    expect(counts).toEqual({ 201: WRITE_LIMIT, 429: 100 - WRITE_LIMIT });
    expect(await entryCount('team_rl_processes')).toBe(WRITE_LIMIT);
  });
});

describe('many slots at once (a bulk batch on a raised limit)', () => {
  it('when 1,234 slots are wanted of 2,000, then all are taken as distinct admissions, the next call gets the rest and then none', async () => {
    // The script adds a batch's slots in ZADDs of 500: more than two of them, the last one short.
    const limiter = new RateLimiter(env.services.redis, {
      prefix: env.config.redisPrefix,
      windowMs: 60_000,
      limits: { 'dnc-write': 2_000, 'dnc-read': 1, 'dnc-bulk': 1, 'jobs-read': 1 },
    });
    const wide = await limiter.acquire('team_rl_wide', 'dnc-write', { wanted: 1_234, reserve: 0 });
    expect(wide).toMatchObject({ granted: 1_234, remaining: 766 });
    expect(await env.services.redis.zcard(teamKey(env.config.redisPrefix, 'team_rl_wide', 'ratelimit', 'dnc-write'))).toBe(1_234);

    const rest = await limiter.acquire('team_rl_wide', 'dnc-write', { wanted: 1_000, reserve: 0 });
    expect(rest).toMatchObject({ granted: 766, remaining: 0 });
    expect(await env.services.redis.zcard(teamKey(env.config.redisPrefix, 'team_rl_wide', 'ratelimit', 'dnc-write'))).toBe(2_000);
    expect(await limiter.acquire('team_rl_wide', 'dnc-write', { wanted: 1, reserve: 0 })).toMatchObject({ granted: 0, remaining: 0 });
  });
});

// POST /v1/dnc/check (a scrub): many URLs in one request, through the real API, Postgres and Redis.
// Rows changed directly in Postgres (bypassing the API) prove when an answer came from the cache,
// as in cache.test.ts; the API's own Postgres queries and Redis commands are counted to prove
// that a 1,000-URL scrub costs a bounded number of round trips.
import { newEntryId, type Services } from '@dnc/shared';
import { MAX_CHECK_URLS } from '@dnc/shared/vocabulary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryShape, startApiUnderTest } from '../support/api-under-test.js';
import type { TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';

let env: TestEnvironment;
let baseUrl: string;
let apiServices: Services;
let slugCounter = 0;

beforeAll(async () => {
  ({ env, baseUrl, apiServices } = await startApiUnderTest({ CHECK_CACHE_TTL_MS: '60000' }));
});
afterAll(() => env?.cleanup());

async function teamClient(teamId: string) {
  return client(baseUrl, (await env.createKey(teamId)).apiKey);
}

const freshSlug = (prefix = 'scrub') => `${prefix}-${++slugCounter}`;

/** Inserts a row behind the API's back: no cache invalidation. */
async function insertDirectly(teamId: string, url: string) {
  const id = newEntryId();
  await env.services.db.insertInto('dnc_entries').values({ id, team_id: teamId, url }).execute();
  return id;
}

async function scrub(api: ReturnType<typeof client>, urls: string[]) {
  const response = await api.post('/v1/dnc/check', { urls });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.data;
}

/**
 * Counts, while `run` runs, the API process's queries that read dnc_entries and its Redis commands
 * on the check cache's keys (one command = one round trip).
 */
async function roundTrips<T>(run: () => Promise<T>): Promise<{ result: T; queries: string[]; cacheCommands: string[] }> {
  const executor = apiServices.db.getExecutor();
  const redis = apiServices.redis as unknown as {
    sendCommand: (command: { name: string; args: unknown[] }, ...rest: unknown[]) => unknown;
  };
  const executeQuery = executor.executeQuery.bind(executor);
  const sendCommand = redis.sendCommand.bind(redis);
  const queries: string[] = [];
  const cacheCommands: string[] = [];
  executor.executeQuery = (query, ...rest) => {
    if (query.sql.includes('dnc_entries')) queries.push(query.sql);
    return executeQuery(query, ...rest);
  };
  redis.sendCommand = (command, ...rest) => {
    if (command.args.some((arg) => String(arg).includes(':check'))) cacheCommands.push(command.name);
    return sendCommand(command, ...rest);
  };
  try {
    return { result: await run(), queries, cacheCommands };
  } finally {
    delete (executor as Partial<typeof executor>).executeQuery;
    delete (redis as Partial<typeof redis>).sendCommand;
  }
}

describe('POST /v1/dnc/check', () => {
  it('when URLs are listed, not listed, invalid and repeated, then each gets its result in request order, with the counts', async () => {
    const team = 'team_scrub_order';
    const api = await teamClient(team);
    const listed = freshSlug();
    const other = freshSlug();
    const added = await api.post('/v1/dnc', { url: `in/${listed}` });
    expect(added.status).toBe(201);
    const urls = [
      `https://www.linkedin.com/in/${other}/`,
      `https://www.linkedin.com/in/${listed.toUpperCase()}/?trk=x`,
      'https://example.com/in/nobody',
      `in/${listed}`,
      '',
      `linkedin.com/in/${other}`,
    ];

    const response = await api.post('/v1/dnc/check', { urls });

    expect(response.status).toBe(200);
    const stored = (slug: string) => `https://linkedin.com/in/${slug}`;
    expect(response.body).toEqual({
      error: null,
      data: {
        results: [
          { url: urls[0], normalizedUrl: stored(other), onList: false, entry: null },
          { url: urls[1], normalizedUrl: stored(listed), onList: true, entry: added.body.data },
          { url: urls[2], normalizedUrl: null, onList: false, entry: null, error: expect.any(String) },
          { url: urls[3], normalizedUrl: stored(listed), onList: true, entry: added.body.data },
          { url: urls[4], normalizedUrl: null, onList: false, entry: null, error: expect.any(String) },
          { url: urls[5], normalizedUrl: stored(other), onList: false, entry: null },
        ],
        onList: 2,
        errors: 2,
      },
    });
  });

  it('when a scrub holds 1,000 URLs, then it answers 1,000 results in order, and the request takes one dnc-read slot', async () => {
    const team = 'team_scrub_max';
    const api = await teamClient(team);
    const slugs = Array.from({ length: MAX_CHECK_URLS }, () => freshSlug('max'));
    for (const slug of slugs.filter((_, i) => i % 100 === 0)) await insertDirectly(team, `https://linkedin.com/in/${slug}`);
    const remaining = (header: string | null) => Number(/;r=(\d+);/.exec(header ?? '')?.[1]);

    const before = await api.get('/v1/dnc?limit=1');
    const response = await api.post('/v1/dnc/check', { urls: slugs.map((slug) => `in/${slug}`) });
    const after = await api.get('/v1/dnc?limit=1');

    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-policy')).toMatch(/^"dnc-read";/);
    // Each request in between took exactly one slot: the list read after, and the scrub.
    expect(remaining(before.headers.get('ratelimit')) - remaining(after.headers.get('ratelimit'))).toBe(2);
    expect(remaining(before.headers.get('ratelimit')) - remaining(response.headers.get('ratelimit'))).toBe(1);
    const data = response.body.data;
    expect(data.results).toHaveLength(MAX_CHECK_URLS);
    expect(data.results.map((result: { url: string }) => result.url)).toEqual(slugs.map((slug) => `in/${slug}`));
    expect(data.results.filter((result: { onList: boolean }) => result.onList).map((result: { url: string }) => result.url)).toEqual(
      slugs.filter((_, i) => i % 100 === 0).map((slug) => `in/${slug}`),
    );
    expect(data).toMatchObject({ onList: 10, errors: 0 });
  });

  it('when a scrub holds 1,001 URLs, then 413 payload_too_large; with none, 400 validation_error', async () => {
    const api = await teamClient('team_scrub_limits');
    const tooMany = await api.post('/v1/dnc/check', { urls: Array.from({ length: MAX_CHECK_URLS + 1 }, (_, i) => `in/too-many-${i}`) });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body).toEqual({
      error: 'payload_too_large',
      message: `A batch check holds at most ${MAX_CHECK_URLS} urls (got ${MAX_CHECK_URLS + 1})`,
      data: null,
    });

    for (const body of [{ urls: [] }, {}, { urls: 'in/jane-doe' }, { urls: [42] }]) {
      const invalid = await api.post('/v1/dnc/check', body);
      expect(invalid.status, JSON.stringify(body)).toBe(400);
      expect(invalid.body).toMatchObject({ error: 'validation_error', details: [{ path: expect.stringMatching(/^body\.urls/) }] });
    }
  });
});

describe('the scrub shares the check cache', () => {
  it('when a scrub has cached an answer, then a single check is served from the cache, and the other way round', async () => {
    const team = 'team_scrub_cache';
    const api = await teamClient(team);
    const scrubbedFirst = freshSlug();
    const checkedFirst = freshSlug();
    expect((await scrub(api, [`in/${scrubbedFirst}`])).results[0].onList).toBe(false);
    expect((await api.get(`/v1/dnc/check?url=in/${checkedFirst}`)).body.data.onList).toBe(false);
    // Listed behind the API's back: only an answer read from Postgres would see them.
    await insertDirectly(team, `https://linkedin.com/in/${scrubbedFirst}`);
    await insertDirectly(team, `https://linkedin.com/in/${checkedFirst}`);

    expect((await api.get(`/v1/dnc/check?url=in/${scrubbedFirst}`)).body.data).toEqual({ onList: false, entry: null });
    expect((await scrub(api, [`in/${checkedFirst}`, `in/${scrubbedFirst}`])).onList).toBe(0);
  });

  it('when the team adds or deletes an entry through the API, then the next scrub answers from Postgres again', async () => {
    const team = 'team_scrub_invalidate';
    const api = await teamClient(team);
    const slug = freshSlug();
    const hidden = freshSlug();
    const urls = [`in/${slug}`, `in/${hidden}`];
    expect((await scrub(api, urls)).onList).toBe(0);
    const hiddenId = await insertDirectly(team, `https://linkedin.com/in/${hidden}`);
    expect((await scrub(api, urls)).onList).toBe(0);

    const added = await api.post('/v1/dnc', { url: `in/${slug}` });
    expect(added.status).toBe(201);
    const afterAdd = await scrub(api, urls);
    expect(afterAdd.results.map((result: { entry: unknown }) => result.entry)).toEqual([
      added.body.data,
      { ...entryShape(team, `https://linkedin.com/in/${hidden}`), $id: hiddenId },
    ]);

    expect((await api.delete(`/v1/dnc/${added.body.data.$id}`)).status).toBe(200);
    const afterDelete = await scrub(api, urls);
    expect(afterDelete.results.map((result: { onList: boolean }) => result.onList)).toEqual([false, true]);
    expect(afterDelete.onList).toBe(1);
  });

  it("when team A's scrub caches answers, then team B's scrub of the same URLs answers from B's list", async () => {
    const apiA = await teamClient('team_scrub_iso_a');
    const apiB = await teamClient('team_scrub_iso_b');
    const slug = freshSlug();
    expect((await scrub(apiA, [`in/${slug}`])).onList).toBe(0);
    expect((await apiB.post('/v1/dnc', { url: `in/${slug}` })).status).toBe(201);
    expect((await scrub(apiB, [`in/${slug}`])).onList).toBe(1);
    expect((await scrub(apiA, [`in/${slug}`])).onList).toBe(0);
  });
});

describe('round trips', () => {
  it('when 1,000 URLs are scrubbed cold, then one cache read, one query and one cache write; warm, one cache read and no query', async () => {
    // The scripts are loaded once per Redis server (EVALSHA falls back to EVAL the first time): load them first.
    const warmUp = await teamClient('team_scrub_trips_warmup');
    await scrub(warmUp, [`in/${freshSlug('warmup')}`]);
    const team = 'team_scrub_trips';
    const api = await teamClient(team);
    const slugs = Array.from({ length: MAX_CHECK_URLS }, () => freshSlug('trips'));
    for (const slug of slugs.slice(0, 5)) await insertDirectly(team, `https://linkedin.com/in/${slug}`);
    const urls = slugs.map((slug) => `https://www.linkedin.com/in/${slug}/`);

    const cold = await roundTrips(() => scrub(api, urls));
    expect(cold.result.onList).toBe(5);
    expect(cold.queries).toHaveLength(1);
    expect(cold.queries[0]).toMatch(/url = any\(/);
    expect(cold.cacheCommands).toEqual(['evalsha', 'evalsha']);

    const warm = await roundTrips(() => scrub(api, urls));
    expect(warm.result).toEqual(cold.result);
    expect(warm.queries).toEqual([]);
    expect(warm.cacheCommands).toEqual(['evalsha']);

    // Half cached, half not: still one read, one query (for the misses only) and one write.
    const mixed = await roundTrips(() => scrub(api, [...urls.slice(0, 500), ...slugs.slice(0, 500).map((slug) => `in/${slug}-new`)]));
    expect(mixed.result.results).toHaveLength(1000);
    expect(mixed.queries).toHaveLength(1);
    expect(mixed.cacheCommands).toEqual(['evalsha', 'evalsha']);
  });
});

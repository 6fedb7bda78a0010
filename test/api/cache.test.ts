// GET /v1/dnc/check answers from a per-team Redis cache (positive and negative answers alike);
// any add or delete of the team invalidates all of that team's answers at once.
// Rows changed directly in Postgres (bypassing the API) prove when an answer came from the cache.
import { newEntryId } from '@dnc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { sleep, waitUntil } from '../support/wait.js';

const SHORT_TTL_MS = 1_500;

let env: TestEnvironment;
let baseUrl: string;
let shortTtlBaseUrl: string;
let slugCounter = 0;

beforeAll(async () => {
  env = await createTestEnvironment({ ...unlimited, CHECK_CACHE_TTL_MS: '60000' });
  baseUrl = (await env.startApi()).baseUrl;
  // Same database and Redis prefix; only the TTL it writes cached answers with differs.
  shortTtlBaseUrl = (await env.startApi({ CHECK_CACHE_TTL_MS: String(SHORT_TTL_MS) })).baseUrl;
});
afterAll(() => env?.cleanup());

async function teamClient(teamId: string, target = baseUrl) {
  return client(target, (await env.createKey(teamId)).apiKey);
}

/** A fresh slug and its stored (normalized) URL. */
function freshProfile() {
  const slug = `cache-person-${++slugCounter}`;
  return { slug, input: `https://www.linkedin.com/in/${slug}/`, stored: `https://linkedin.com/in/${slug}` };
}

const notOnList = { error: null, data: { onList: false, entry: null } };

async function check(api: ReturnType<typeof client>, url: string) {
  const response = await api.get(`/v1/dnc/check?url=${encodeURIComponent(url)}`);
  expect(response.status).toBe(200);
  return response.body;
}

/** Inserts a row behind the API's back: no cache invalidation. */
async function insertDirectly(teamId: string, url: string) {
  const id = newEntryId();
  await env.services.db.insertInto('dnc_entries').values({ id, team_id: teamId, url }).execute();
  return id;
}

async function deleteDirectly(id: string) {
  const result = await env.services.db.deleteFrom('dnc_entries').where('id', '=', id).executeTakeFirst();
  expect(result.numDeletedRows).toBe(1n);
}

describe('check answers stay correct after API writes', () => {
  it('when a cached "not on list" URL is added, then the very next check answers onList true with the entry', async () => {
    const api = await teamClient('team_cache_add');
    const profile = freshProfile();
    expect(await check(api, profile.input)).toEqual(notOnList);

    const added = await api.post('/v1/dnc', { url: profile.input });
    expect(added.status).toBe(201);

    expect(await check(api, `in/${profile.slug}`)).toEqual({ error: null, data: { onList: true, entry: added.body.data } });
  });

  it('when a cached "on list" URL is deleted, then the very next check answers onList false', async () => {
    const api = await teamClient('team_cache_delete');
    const profile = freshProfile();
    const added = await api.post('/v1/dnc', { url: profile.input });
    expect(added.status).toBe(201);
    expect(await check(api, profile.input)).toEqual({ error: null, data: { onList: true, entry: added.body.data } });

    expect((await api.delete(`/v1/dnc/${added.body.data.$id}`)).status).toBe(200);

    expect(await check(api, profile.input)).toEqual(notOnList);
  });
});

describe('the cache is really used', () => {
  it('when a row appears in Postgres behind a cached "not on list", then check keeps answering false until an API add invalidates the team', async () => {
    const team = 'team_cache_negative';
    const api = await teamClient(team);
    const profile = freshProfile();
    expect(await check(api, profile.input)).toEqual(notOnList);

    const id = await insertDirectly(team, profile.stored);
    expect(await check(api, profile.input)).toEqual(notOnList);
    expect(await check(api, profile.input)).toEqual(notOnList);

    expect((await api.post('/v1/dnc', { url: freshProfile().input })).status).toBe(201);

    const after = await check(api, profile.input);
    expect(after.data.onList).toBe(true);
    expect(after.data.entry).toMatchObject({ $id: id, teamId: team, url: profile.stored });
  });

  it('when a row disappears from Postgres behind a cached "on list", then check keeps answering true until an API delete invalidates the team', async () => {
    const team = 'team_cache_positive';
    const api = await teamClient(team);
    const cachedProfile = freshProfile();
    const added = await api.post('/v1/dnc', { url: cachedProfile.input });
    expect(added.status).toBe(201);
    const other = await api.post('/v1/dnc', { url: freshProfile().input });
    expect(other.status).toBe(201);
    const positive = { error: null, data: { onList: true, entry: added.body.data } };
    expect(await check(api, cachedProfile.input)).toEqual(positive);

    await deleteDirectly(added.body.data.$id);
    expect(await check(api, cachedProfile.input)).toEqual(positive);

    expect((await api.delete(`/v1/dnc/${other.body.data.$id}`)).status).toBe(200);

    expect(await check(api, cachedProfile.input)).toEqual(notOnList);
  });

  it('when the check fails validation, then nothing is cached and a later valid check reads Postgres', async () => {
    const team = 'team_cache_invalid';
    const api = await teamClient(team);
    const invalid = await api.get('/v1/dnc/check?url=https%3A%2F%2Fexample.com%2Fin%2Fnobody');
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toBe('validation_error');
    const profile = freshProfile();
    await insertDirectly(team, profile.stored);
    expect((await check(api, profile.input)).data.onList).toBe(true);
  });
});

describe('invalidation is per team', () => {
  it("when team A writes, then team B's cached answers survive", async () => {
    const teamA = 'team_cache_iso_a';
    const teamB = 'team_cache_iso_b';
    const apiA = await teamClient(teamA);
    const apiB = await teamClient(teamB);
    const profile = freshProfile();
    expect(await check(apiA, profile.input)).toEqual(notOnList);
    expect(await check(apiB, profile.input)).toEqual(notOnList);
    await insertDirectly(teamA, profile.stored);
    await insertDirectly(teamB, profile.stored);

    expect((await apiA.post('/v1/dnc', { url: freshProfile().input })).status).toBe(201);

    expect((await check(apiA, profile.input)).data.onList).toBe(true);
    // B's cached "not on list" was not flushed by A's write.
    expect(await check(apiB, profile.input)).toEqual(notOnList);

    expect((await apiB.post('/v1/dnc', { url: freshProfile().input })).status).toBe(201);
    expect((await check(apiB, profile.input)).data.onList).toBe(true);
  });

  it("when team A adds a URL, then team B's check of the same URL still answers false", async () => {
    const apiA = await teamClient('team_cache_iso_c');
    const apiB = await teamClient('team_cache_iso_d');
    const profile = freshProfile();
    expect(await check(apiB, profile.input)).toEqual(notOnList);
    expect((await apiA.post('/v1/dnc', { url: profile.input })).status).toBe(201);
    expect((await check(apiA, profile.input)).data.onList).toBe(true);
    expect(await check(apiB, profile.input)).toEqual(notOnList);
  });
});

describe('CHECK_CACHE_TTL_MS', () => {
  it('when a cached answer is older than CHECK_CACHE_TTL_MS, then check reads Postgres again', async () => {
    const team = 'team_cache_ttl';
    const api = await teamClient(team, shortTtlBaseUrl);
    const profile = freshProfile();
    expect(await check(api, profile.input)).toEqual(notOnList);
    const id = await insertDirectly(team, profile.stored);
    expect(await check(api, profile.input)).toEqual(notOnList);

    // Once the short TTL has expired (Redis's clock, not ours), the answer comes from Postgres.
    const after = await waitUntil(
      async () => {
        const answer = await check(api, profile.input);
        return answer.data.onList ? answer : undefined;
      },
      { timeoutMs: SHORT_TTL_MS + 10_000, what: 'the cached answer expired' },
    );
    expect(after.data.entry).toMatchObject({ $id: id, teamId: team, url: profile.stored });
  });

  it('when the TTL is long, then the cached answer is still served after the short TTL has passed', async () => {
    const team = 'team_cache_long_ttl';
    const api = await teamClient(team);
    const profile = freshProfile();
    expect(await check(api, profile.input)).toEqual(notOnList);
    await insertDirectly(team, profile.stored);

    await sleep(SHORT_TTL_MS + 300);

    expect(await check(api, profile.input)).toEqual(notOnList);
  });
});

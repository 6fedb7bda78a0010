// POST /v1/dnc, POST /v1/dnc/batch, GET /v1/dnc and GET /v1/dnc/check through the real API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryShape } from '../support/api-under-test.js';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { client, request } from '../support/http.js';

const TEAM = 'team_entries_a';
const OTHER_TEAM = 'team_entries_b';
const LIST_TEAM = 'team_entries_list';
const BATCH_MAX_TEAM = 'team_entries_batchmax';

let env: TestEnvironment;
let baseUrl: string;
let api: ReturnType<typeof client>;
let otherApi: ReturnType<typeof client>;
let listApi: ReturnType<typeof client>;
let batchMaxApi: ReturnType<typeof client>;
let apiKeyId: string;
let slugCounter = 0;

beforeAll(async () => {
  env = await createTestEnvironment(unlimited);
  const running = await env.startApi();
  baseUrl = running.baseUrl;
  const key = await env.createKey(TEAM);
  apiKeyId = key.keyId;
  api = client(baseUrl, key.apiKey);
  otherApi = client(baseUrl, (await env.createKey(OTHER_TEAM)).apiKey);
  listApi = client(baseUrl, (await env.createKey(LIST_TEAM)).apiKey);
  batchMaxApi = client(baseUrl, (await env.createKey(BATCH_MAX_TEAM)).apiKey);
});
afterAll(() => env?.cleanup());

const entryIdPattern = /^dnc_[A-Za-z0-9]+$/;

/** A slug no other test uses. */
function freshSlug(prefix = 'person') {
  return `${prefix}-${++slugCounter}`;
}

async function counts() {
  const db = env.services.db;
  const entries = await db
    .selectFrom('dnc_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const audit = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { entries: Number(entries.n), audit: Number(audit.n) };
}

/** Runs a request that must be refused, and checks that it wrote nothing. */
async function expectNoWrites<T>(run: () => Promise<T>): Promise<T> {
  const before = await counts();
  const result = await run();
  expect(await counts()).toEqual(before);
  return result;
}

async function rowsForUrl(teamId: string, url: string) {
  return env.services.db.selectFrom('dnc_entries').selectAll().where('team_id', '=', teamId).where('url', '=', url).execute();
}

async function addedEvents(teamId: string, url: string) {
  return env.services.db
    .selectFrom('audit_events')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('url', '=', url)
    .where('action', '=', 'dnc.entry.added')
    .execute();
}

const validationError = (details: unknown = [{ path: expect.any(String), message: expect.any(String) }]) => ({
  error: 'validation_error',
  message: expect.any(String),
  data: null,
  details,
});

const payloadTooLarge = { error: 'payload_too_large', message: expect.any(String), data: null };

describe('POST /v1/dnc', () => {
  it('when a LinkedIn URL is added, then it answers 201 with the exact body and stores the normalized URL', async () => {
    const slug = freshSlug('add');
    const added = await api.post('/v1/dnc', {
      url: `https://www.linkedin.com/in/${slug.toUpperCase()}/?trk=x`,
      reason: 'opt-out by email',
    });
    expect(added.status).toBe(201);
    expect(added.headers.get('content-type')).toMatch(/^application\/json/);
    const url = `https://linkedin.com/in/${slug}`;
    expect(added.body).toEqual({ error: null, data: entryShape(TEAM, url), message: 'Added to Do Not Contact list' });
    const entry = added.body.data;
    expect(entry.$createdAt).toBe(entry.$updatedAt);
    expect(Math.abs(Date.parse(entry.$createdAt) - Date.now())).toBeLessThan(60_000);

    const rows = await rowsForUrl(TEAM, url);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: entry.$id, team_id: TEAM, url, reason: 'opt-out by email' });
    expect(rows[0]!.created_at.toISOString()).toBe(entry.$createdAt);
  });

  it('when an entry is added, then one dnc.entry.added audit event records the entry, URL, reason, key and request id', async () => {
    const slug = freshSlug('audit');
    const added = await api.post('/v1/dnc', { url: `in/${slug}`, reason: 'asked us' }, { headers: { 'x-request-id': `req-add-${slug}` } });
    expect(added.status).toBe(201);
    const events = await addedEvents(TEAM, `https://linkedin.com/in/${slug}`);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      team_id: TEAM,
      action: 'dnc.entry.added',
      entry_id: added.body.data.$id,
      url: `https://linkedin.com/in/${slug}`,
      reason: 'asked us',
      api_key_id: apiKeyId,
      source: 'api',
      request_id: `req-add-${slug}`,
    });
    expect(events[0]!.id).toMatch(/^aud_[A-Za-z0-9]+$/);
  });

  it('when the reason is omitted, then the entry is added with no reason', async () => {
    const slug = freshSlug('noreason');
    const added = await api.post('/v1/dnc', { url: `linkedin.com/in/${slug}` });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      error: null,
      data: entryShape(TEAM, `https://linkedin.com/in/${slug}`),
      message: 'Added to Do Not Contact list',
    });
    expect((await rowsForUrl(TEAM, `https://linkedin.com/in/${slug}`))[0]!.reason).toBeNull();
  });

  it('when the reason is exactly 500 characters, then it is accepted', async () => {
    const slug = freshSlug('reason500');
    const added = await api.post('/v1/dnc', { url: `in/${slug}`, reason: 'r'.repeat(500) });
    expect(added.status).toBe(201);
    expect((await rowsForUrl(TEAM, `https://linkedin.com/in/${slug}`))[0]!.reason).toBe('r'.repeat(500));
  });

  it('when the same profile is added again in every other accepted spelling, then each answers 409 duplicate_entry with the existing entry', async () => {
    const first = await api.post('/v1/dnc', { url: 'https://linkedin.com/in/mary-major' });
    expect(first.status).toBe(201);
    const existing = first.body.data;
    const spellings = [
      'https://linkedin.com/in/mary-major',
      'http://linkedin.com/in/mary-major',
      'https://www.linkedin.com/in/mary-major',
      'https://uk.linkedin.com/in/mary-major',
      'linkedin.com/in/mary-major',
      'www.linkedin.com/in/Mary-Major',
      'in/mary-major',
      'https://linkedin.com/in/mary-major/',
      'https://linkedin.com/in/mary-major//',
      'https://linkedin.com/in/mary-major?trk=public_profile',
      'https://linkedin.com/in/mary-major#about',
      'https://www.linkedin.com/in/MARY-MAJOR/?a=1#x',
      'https://linkedin.com/in/mary%2Dmajor',
    ];
    for (const url of spellings) {
      const again = await expectNoWrites(() => api.post('/v1/dnc', { url, reason: 'again' }));
      expect({ url, status: again.status }).toEqual({ url, status: 409 });
      expect(again.body).toEqual({ error: 'duplicate_entry', message: expect.any(String), data: { entry: existing } });
    }
    const rows = await rowsForUrl(TEAM, 'https://linkedin.com/in/mary-major');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.reason).toBeNull();
    expect(await addedEvents(TEAM, 'https://linkedin.com/in/mary-major')).toHaveLength(1);
  });

  it('when a non-ASCII slug is added percent-encoded, raw, upper-case or in NFD, then all spellings are one entry stored decoded in NFC', async () => {
    const first = await api.post('/v1/dnc', { url: 'https://www.linkedin.com/in/Jos%C3%A9-Garc%C3%ADa/' });
    expect(first.status).toBe(201);
    expect(first.body.data.url).toBe('https://linkedin.com/in/jos\u00e9-garc\u00eda');
    for (const url of [
      'in/jos\u00e9-garc\u00eda',
      'in/JOS\u00c9-GARC\u00cdA',
      'linkedin.com/in/jose\u0301-garci\u0301a',
      'in/jose%CC%81-garci%CC%81a',
    ]) {
      const again = await expectNoWrites(() => api.post('/v1/dnc', { url }));
      expect({ url, status: again.status }).toEqual({ url, status: 409 });
      expect(again.body.data).toEqual({ entry: first.body.data });
    }
  });

  it('when another team adds a URL this team already has, then it is added for that team (duplicates are per team)', async () => {
    const slug = freshSlug('shared');
    expect((await api.post('/v1/dnc', { url: `in/${slug}` })).status).toBe(201);
    const other = await otherApi.post('/v1/dnc', { url: `https://www.linkedin.com/in/${slug}` });
    expect(other.status).toBe(201);
    expect(other.body.data).toEqual(entryShape(OTHER_TEAM, `https://linkedin.com/in/${slug}`));
  });

  it.each([
    ['another host', 'https://example.com/in/jane'],
    ['a look-alike host', 'https://linkedin.com.evil.com/in/jane'],
    ['linkedin.com in another host path', 'evil.com/linkedin.com/in/jane'],
    ['a company page', 'https://www.linkedin.com/company/acme'],
    ['/in/ without a slug', 'https://linkedin.com/in/'],
    ['extra path segments', 'https://linkedin.com/in/jane/details'],
    ['credentials', 'https://user:pw@linkedin.com/in/jane'],
    ['a port', 'https://linkedin.com:8443/in/jane'],
    ['an ftp: URL', 'ftp://linkedin.com/in/jane'],
    ['invalid percent-encoding', 'https://linkedin.com/in/jane%E0%A4%A'],
    ['a slug with spaces', 'https://linkedin.com/in/jane doe'],
    ['whitespace only', '   '],
  ])('when the url is %s, then it answers 400 validation_error with details and stores nothing', async (_label, url) => {
    const response = await expectNoWrites(() => api.post('/v1/dnc', { url }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual(validationError([{ path: expect.stringMatching(/(^|\.)url$/), message: expect.any(String) }]));
  });

  it('when the reason is longer than 500 characters, then it answers 400 naming the reason and stores nothing', async () => {
    const response = await expectNoWrites(() => api.post('/v1/dnc', { url: `in/${freshSlug('longreason')}`, reason: 'r'.repeat(501) }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual(validationError([{ path: expect.stringMatching(/(^|\.)reason$/), message: expect.any(String) }]));
  });

  it.each([
    ['url is a number', { url: 5 }, /(^|\.)url$/],
    ['url is null', { url: null }, /(^|\.)url$/],
    ['url is missing', { reason: 'x' }, /(^|\.)url$/],
    ['url is empty', { url: '' }, /(^|\.)url$/],
    ['reason is a number', { url: 'in/typed-reason', reason: 5 }, /(^|\.)reason$/],
    ['the body is an array', [{ url: 'in/array-body' }], /.*/],
    ['the body is a JSON string', 'in/string-body', /.*/],
    ['the body is JSON null', null, /.*/],
  ])('when %s, then it answers 400 validation_error and stores nothing', async (_label, body, path) => {
    const response = await expectNoWrites(() => api.call('POST', '/v1/dnc', { rawBody: JSON.stringify(body) }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual(validationError([{ path: expect.stringMatching(path), message: expect.any(String) }]));
  });

  it('when the body is malformed JSON, then it answers 400 validation_error with details and stores nothing', async () => {
    const response = await expectNoWrites(() => api.call('POST', '/v1/dnc', { rawBody: '{"url": "in/broken-json",' }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual(validationError());
    expect(JSON.stringify(response.body)).not.toMatch(/SyntaxError|at JSON\.parse|node_modules/);
  });

  it('when there is no body at all, then it answers 400 validation_error and stores nothing', async () => {
    const response = await expectNoWrites(() => api.call('POST', '/v1/dnc'));
    expect(response.status).toBe(400);
    expect(response.body).toEqual(validationError(expect.arrayContaining([{ path: expect.any(String), message: expect.any(String) }])));
  });

  it('when the body is over 1 MiB, then it answers 413 payload_too_large and stores nothing', async () => {
    const response = await expectNoWrites(() =>
      api.post('/v1/dnc', { url: `in/${freshSlug('huge')}`, reason: 'x'.repeat(1024 * 1024 + 10) }),
    );
    expect(response.status).toBe(413);
    expect(response.body).toEqual(payloadTooLarge);
  });
});

describe('POST /v1/dnc/batch', () => {
  it('when a batch mixes new, invalid, in-batch duplicate and already-listed URLs, then details follow input order and counts are exact', async () => {
    const existingSlug = freshSlug('batch-existing');
    const existing = await api.post('/v1/dnc', { url: `in/${existingSlug}` });
    expect(existing.status).toBe(201);
    const a = freshSlug('batch-a');
    const b = freshSlug('batch-b');
    const input = [
      `https://www.linkedin.com/in/${a}/`,
      'https://example.com/in/not-linkedin',
      `in/${a.toUpperCase()}`,
      `linkedin.com/in/${existingSlug}?trk=1`,
      `http://uk.linkedin.com/in/${b}`,
      'https://www.linkedin.com/company/acme',
      `in/${b}#x`,
    ];
    const before = await counts();
    const response = await api.post(
      '/v1/dnc/batch',
      { entries: input.map((url) => ({ url })) },
      { headers: { 'x-request-id': `req-batch-${a}` } },
    );
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      error: null,
      data: {
        added: 2,
        duplicates: 3,
        errors: 2,
        details: [
          { url: input[0], status: 'added', id: expect.stringMatching(entryIdPattern) },
          { url: input[1], status: 'error', error: expect.any(String) },
          { url: input[2], status: 'duplicate', id: expect.stringMatching(entryIdPattern) },
          { url: input[3], status: 'duplicate', id: existing.body.data.$id },
          { url: input[4], status: 'added', id: expect.stringMatching(entryIdPattern) },
          { url: input[5], status: 'error', error: expect.any(String) },
          { url: input[6], status: 'duplicate', id: expect.stringMatching(entryIdPattern) },
        ],
      },
      message: expect.any(String),
    });
    // A duplicate inside the batch carries the id of the entry its first spelling added.
    const details = response.body.data.details;
    expect(details[2].id).toBe(details[0].id);
    expect(details[6].id).toBe(details[4].id);
    expect(new Set(details.map((detail: { id?: string }) => detail.id)).size).toBe(4);
    // Exactly two rows and two audit events were written.
    expect(await counts()).toEqual({ entries: before.entries + 2, audit: before.audit + 2 });
    for (const slug of [a, b]) {
      const url = `https://linkedin.com/in/${slug}`;
      const rows = await rowsForUrl(TEAM, url);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.id).toMatch(entryIdPattern);
      expect(details[slug === a ? 0 : 4].id).toBe(rows[0]!.id);
      const events = await addedEvents(TEAM, url);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        entry_id: rows[0]!.id,
        api_key_id: apiKeyId,
        source: 'api',
        request_id: `req-batch-${a}`,
      });
    }
    // The already-listed entry was not touched or re-audited.
    expect(await addedEvents(TEAM, `https://linkedin.com/in/${existingSlug}`)).toHaveLength(1);
  });

  it('when every URL of a batch is invalid, then it answers 201 with every item an error and stores nothing', async () => {
    const input = ['https://example.com/x', 'linkedin.com/company/x', 'in/'];
    const response = await expectNoWrites(() => api.post('/v1/dnc/batch', { entries: input.map((url) => ({ url })) }));
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      error: null,
      data: {
        added: 0,
        duplicates: 0,
        errors: 3,
        details: input.map((url) => ({ url, status: 'error', error: expect.any(String) })),
      },
      message: expect.any(String),
    });
  });

  it('when a batch adds URLs, then a later check finds them and a later single add is a duplicate', async () => {
    const slug = freshSlug('batch-then-check');
    const checkBefore = await api.get(`/v1/dnc/check?url=in/${slug}`);
    expect(checkBefore.body.data).toEqual({ onList: false, entry: null });
    expect((await api.post('/v1/dnc/batch', { entries: [{ url: `in/${slug}` }] })).body.data.added).toBe(1);
    const check = await api.get(`/v1/dnc/check?url=in/${slug}`);
    expect(check.body.data).toEqual({ onList: true, entry: entryShape(TEAM, `https://linkedin.com/in/${slug}`) });
    const single = await api.post('/v1/dnc', { url: `in/${slug}` });
    expect(single.status).toBe(409);
    expect(single.body.data).toEqual({ entry: check.body.data.entry });
  });

  it('when a batch holds 1000 entries, then all of them are added', async () => {
    const entries = Array.from({ length: 1000 }, (_, i) => ({ url: `in/batch-max-${i}` }));
    const response = await batchMaxApi.post('/v1/dnc/batch', { entries });
    expect(response.status).toBe(201);
    expect(response.body.data).toMatchObject({ added: 1000, duplicates: 0, errors: 0 });
    expect(response.body.data.details).toHaveLength(1000);
    const total = await env.services.db
      .selectFrom('dnc_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('team_id', '=', BATCH_MAX_TEAM)
      .executeTakeFirstOrThrow();
    expect(Number(total.n)).toBe(1000);
  });

  it('when a batch holds 1001 entries, then it answers 413 payload_too_large and stores nothing', async () => {
    const entries = Array.from({ length: 1001 }, (_, i) => ({ url: `in/${freshSlug('too-many')}-${i}` }));
    const response = await expectNoWrites(() => api.post('/v1/dnc/batch', { entries }));
    expect(response.status).toBe(413);
    expect(response.body).toEqual(payloadTooLarge);
  });

  it('when a batch body is over 1 MiB, then it answers 413 payload_too_large and stores nothing', async () => {
    const entries = [{ url: `in/${freshSlug('huge-batch')}` }, { url: `in/${'x'.repeat(1024 * 1024)}` }];
    const response = await expectNoWrites(() => api.post('/v1/dnc/batch', { entries }));
    expect(response.status).toBe(413);
    expect(response.body).toEqual(payloadTooLarge);
  });

  it.each([
    ['entries is empty', { entries: [] }],
    ['entries is missing', {}],
    ['entries is not an array', { entries: { url: 'in/not-array' } }],
    ['an entry has no url', { entries: [{ url: 'in/batch-ok-1' }, {}] }],
    ['an entry url is a number', { entries: [{ url: 'in/batch-ok-2' }, { url: 5 }] }],
    ['the body is an array', [{ url: 'in/batch-array-body' }]],
  ])('when %s, then it answers 400 validation_error and stores nothing', async (_label, body) => {
    const response = await expectNoWrites(() => api.post('/v1/dnc/batch', body));
    expect(response.status).toBe(400);
    expect(response.body).toEqual(validationError(expect.arrayContaining([{ path: expect.any(String), message: expect.any(String) }])));
  });

  it('when the batch body is malformed JSON, then it answers 400 validation_error and stores nothing', async () => {
    const response = await expectNoWrites(() => api.call('POST', '/v1/dnc/batch', { rawBody: '{"entries": [' }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual(validationError());
  });
});

describe('GET /v1/dnc', () => {
  // LIST_TEAM's entries: three through the API (p1 < p2 < p3 in time), then three older ones
  // sharing one creation time, to check the id tie-break.
  let p1: any;
  let p2: any;
  let p3: any;
  const tieIds = ['dnc_tie1', 'dnc_tie2', 'dnc_tie3'];
  let expectedOrder: any[];

  beforeAll(async () => {
    const empty = await listApi.get('/v1/dnc');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ error: null, data: { entries: [], total: 0, limit: 50, offset: 0, nextCursor: null } });

    p1 = (await listApi.post('/v1/dnc', { url: 'in/list-one' })).body.data;
    p2 = (await listApi.post('/v1/dnc', { url: 'in/list-two' })).body.data;
    p3 = (await listApi.post('/v1/dnc', { url: 'in/list-three' })).body.data;
    const tieTime = new Date('2020-01-01T00:00:00.000Z');
    await env.services.db
      .insertInto('dnc_entries')
      .values(
        tieIds.map((id, i) => ({
          id,
          team_id: LIST_TEAM,
          url: `https://linkedin.com/in/list-tie-${i + 1}`,
          created_at: tieTime,
          updated_at: tieTime,
        })),
      )
      .execute();
    const tieEntry = (i: number) => ({
      $id: tieIds[i],
      teamId: LIST_TEAM,
      url: `https://linkedin.com/in/list-tie-${i + 1}`,
      $createdAt: '2020-01-01T00:00:00.000Z',
      $updatedAt: '2020-01-01T00:00:00.000Z',
    });
    expectedOrder = [p3, p2, p1, tieEntry(2), tieEntry(1), tieEntry(0)];
  });

  it('when the list is read with defaults, then it answers newest first, ties by id descending, with limit 50 and offset 0', async () => {
    const response = await listApi.get('/v1/dnc');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ error: null, data: { entries: expectedOrder, total: 6, limit: 50, offset: 0, nextCursor: null } });
  });

  it('when limit and offset are given, then that page is returned with the full total', async () => {
    const page = await listApi.get('/v1/dnc?limit=2&offset=1');
    expect(page.status).toBe(200);
    expect(page.body).toEqual({
      error: null,
      data: { entries: expectedOrder.slice(1, 3), total: 6, limit: 2, offset: 1, nextCursor: expect.any(String) },
    });

    const tiePage = await listApi.get('/v1/dnc?limit=2&offset=4');
    expect(tiePage.body.data).toEqual({ entries: expectedOrder.slice(4, 6), total: 6, limit: 2, offset: 4, nextCursor: null });
  });

  it('when the pages are walked one entry at a time, then together they hold every entry once in order', async () => {
    const seen: any[] = [];
    for (let offset = 0; offset < 6; offset++) {
      const page = await listApi.get(`/v1/dnc?limit=1&offset=${offset}`);
      expect(page.body.data.entries).toHaveLength(1);
      seen.push(page.body.data.entries[0]);
    }
    expect(seen).toEqual(expectedOrder);
  });

  it('when the offset is past the end, then entries is empty and total is still reported', async () => {
    const response = await listApi.get('/v1/dnc?offset=100');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ error: null, data: { entries: [], total: 6, limit: 50, offset: 100, nextCursor: null } });
  });

  it('when limit is 1000 (the maximum), then it is accepted', async () => {
    const response = await listApi.get('/v1/dnc?limit=1000');
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ entries: expectedOrder, total: 6, limit: 1000, offset: 0, nextCursor: null });
  });

  it("when another team has entries, then the list and total show only the caller's team", async () => {
    const response = await api.get('/v1/dnc?limit=1000');
    expect(response.status).toBe(200);
    expect(response.body.data.entries.length).toBeGreaterThan(0);
    expect(response.body.data.entries.every((entry: any) => entry.teamId === TEAM)).toBe(true);
    const own = await env.services.db
      .selectFrom('dnc_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('team_id', '=', TEAM)
      .executeTakeFirstOrThrow();
    expect(response.body.data.total).toBe(Number(own.n));
    expect((await listApi.get('/v1/dnc')).body.data.total).toBe(6);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=abc', 'offset'],
  ])('when the query is %s, then it answers 400 validation_error naming the parameter', async (query, parameter) => {
    const response = await listApi.get(`/v1/dnc?${query}`);
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      validationError([{ path: expect.stringMatching(new RegExp(`(^|\\.)${parameter}$`)), message: expect.any(String) }]),
    );
  });
});

describe('GET /v1/dnc/check', () => {
  it('when the URL is listed, then it answers onList true with the entry', async () => {
    const slug = freshSlug('check');
    const added = await api.post('/v1/dnc', { url: `in/${slug}` });
    const response = await api.get(`/v1/dnc/check?url=${encodeURIComponent(`https://linkedin.com/in/${slug}`)}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ error: null, data: { onList: true, entry: added.body.data } });
  });

  it('when the URL is not listed, then it answers onList false with entry null', async () => {
    const response = await api.get(`/v1/dnc/check?url=${encodeURIComponent(`https://www.linkedin.com/in/${freshSlug('absent')}`)}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ error: null, data: { onList: false, entry: null } });
  });

  it('when the listed URL is checked in any accepted spelling, then every check finds the entry', async () => {
    const slug = freshSlug('check-forms');
    const added = await api.post('/v1/dnc', { url: `https://linkedin.com/in/${slug}` });
    expect(added.status).toBe(201);
    const spellings = [
      `https://linkedin.com/in/${slug}`,
      `http://linkedin.com/in/${slug}`,
      `https://www.linkedin.com/in/${slug}/`,
      `https://uk.linkedin.com/in/${slug}`,
      `linkedin.com/in/${slug}`,
      `in/${slug}`,
      `in/${slug.toUpperCase()}`,
      `https://linkedin.com/in/${slug}?trk=public_profile`,
      `https://linkedin.com/in/${slug}#about`,
    ];
    for (const url of spellings) {
      const response = await api.get(`/v1/dnc/check?url=${encodeURIComponent(url)}`);
      expect({ url, status: response.status, body: response.body }).toEqual({
        url,
        status: 200,
        body: { error: null, data: { onList: true, entry: added.body.data } },
      });
    }
  });

  it('when a non-ASCII URL is checked raw or in NFD, then it finds the NFC entry', async () => {
    const added = await api.post('/v1/dnc', { url: 'in/%C3%A9lodie-check' });
    expect(added.status).toBe(201);
    for (const url of ['in/\u00e9lodie-check', 'in/e\u0301lodie-check', 'in/\u00c9LODIE-CHECK']) {
      const response = await api.get(`/v1/dnc/check?url=${encodeURIComponent(url)}`);
      expect({ url, data: response.body.data }).toEqual({ url, data: { onList: true, entry: added.body.data } });
    }
  });

  it('when a URL is checked (a cached "no") and then added, then the next check answers onList true', async () => {
    const slug = freshSlug('check-then-add');
    expect((await api.get(`/v1/dnc/check?url=in/${slug}`)).body.data).toEqual({ onList: false, entry: null });
    const added = await api.post('/v1/dnc', { url: `in/${slug}` });
    expect(added.status).toBe(201);
    expect((await api.get(`/v1/dnc/check?url=in/${slug}`)).body.data).toEqual({ onList: true, entry: added.body.data });
  });

  it("when another team's URL is checked, then it is not on this team's list", async () => {
    const slug = freshSlug('other-team-only');
    expect((await otherApi.post('/v1/dnc', { url: `in/${slug}` })).status).toBe(201);
    expect((await api.get(`/v1/dnc/check?url=in/${slug}`)).body).toEqual({ error: null, data: { onList: false, entry: null } });
  });

  it.each([
    ['url is missing', ''],
    ['url is empty', '?url='],
    ['url is repeated', '?url=in/a&url=in/b'],
  ])('when %s, then it answers 400 validation_error naming url', async (_label, query) => {
    const response = await api.get(`/v1/dnc/check${query}`);
    expect(response.status).toBe(400);
    expect(response.body).toEqual(validationError([{ path: expect.stringMatching(/(^|\.)url$/), message: expect.any(String) }]));
  });

  it.each([
    ['another host', 'https://example.com/in/jane'],
    ['a company page', 'https://linkedin.com/company/acme'],
    ['a look-alike host', 'https://linkedin.com.evil.com/in/jane'],
    ['extra path segments', 'https://linkedin.com/in/jane/details'],
  ])('when the url is %s, then it answers 400 validation_error', async (_label, url) => {
    const response = await api.get(`/v1/dnc/check?url=${encodeURIComponent(url)}`);
    expect(response.status).toBe(400);
    expect(response.body).toEqual(validationError([{ path: expect.stringMatching(/(^|\.)url$/), message: expect.any(String) }]));
  });
});

describe('X-Request-Id', () => {
  it('when requests send no X-Request-Id, then every response (2xx and 4xx alike) carries a generated, distinct one', async () => {
    const slug = freshSlug('reqid');
    const responses = [
      await api.post('/v1/dnc', { url: `in/${slug}` }), // 201
      await api.post('/v1/dnc', { url: `in/${slug}` }), // 409
      await api.post('/v1/dnc', { url: 'https://example.com/x' }), // 400
      await api.call('POST', '/v1/dnc', { rawBody: '{' }), // 400 malformed
      await api.post('/v1/dnc/batch', { entries: [{ url: `in/${slug}` }] }), // 201
      await api.get('/v1/dnc'), // 200
      await api.get('/v1/dnc?limit=0'), // 400
      await api.get(`/v1/dnc/check?url=in/${slug}`), // 200
      await request(baseUrl, 'GET', '/v1/dnc'), // 401
      await api.get('/v1/no-such-route'), // 404
    ];
    expect(responses.map((r) => r.status)).toEqual([201, 409, 400, 400, 201, 200, 400, 200, 401, 404]);
    const ids = responses.map((r) => r.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^\S{8,}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when a request sends an X-Request-Id, then the response echoes it, on success and on error', async () => {
    const headers = { 'x-request-id': 'client-req-0001' };
    const ok = await api.get('/v1/dnc', { headers });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBe('client-req-0001');
    const bad = await api.post('/v1/dnc', { url: 'https://example.com/x' }, { headers: { 'x-request-id': 'client-req-0002' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-request-id')).toBe('client-req-0002');
    const tooLarge = await api.post(
      '/v1/dnc',
      { url: 'in/x', reason: 'x'.repeat(1024 * 1024 + 1) },
      { headers: { 'x-request-id': 'client-req-0003' } },
    );
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('x-request-id')).toBe('client-req-0003');
    const unauthenticated = await request(baseUrl, 'GET', '/v1/dnc', { headers: { 'x-request-id': 'client-req-0004' } });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('x-request-id')).toBe('client-req-0004');
  });
});

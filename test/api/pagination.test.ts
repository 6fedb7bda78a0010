// Cursor pagination of GET /v1/dnc, GET /v1/dnc/audit and GET /v1/dnc/bulk-delete/{jobId}/items,
// through the real API and Postgres: walking every page by cursor gives every row once in the
// list's order (ties and microsecond-apart times included), `nextCursor` is null on the last page,
// `total` comes only with offset paging, and a cursor is refused (400) with offset, when malformed,
// or on another route, team, job or filter.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiUnderTest } from '../support/api-under-test.js';
import { withSessionSettings, type TestEnvironment } from '../support/environment.js';
import { client, type ApiResponse } from '../support/http.js';

const TEAM = 'team_pages';
const OTHER_TEAM = 'team_pages_other';

let env: TestEnvironment;
let api: ReturnType<typeof client>;
let otherApi: ReturnType<typeof client>;
let apiServices: TestEnvironment['services'];

/** The team's entries, newest first, as the list must show them. */
let expectedIds: string[];

beforeAll(async () => {
  let baseUrl: string;
  ({ env, baseUrl, apiServices } = await startApiUnderTest());
  api = client(baseUrl, (await env.createKey(TEAM)).apiKey);
  otherApi = client(baseUrl, (await env.createKey(OTHER_TEAM)).apiKey);

  // Five through the API, then rows written directly: three sharing one creation time (the id
  // breaks the tie) and three a microsecond apart within one millisecond (a cursor that kept
  // only milliseconds would skip or repeat them).
  const added: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const response = await api.post('/v1/dnc', { url: `in/pages-${i}` });
    expect(response.status).toBe(201);
    added.push(response.body.data.$id);
  }
  const rows = [
    ...['dnc_tieA', 'dnc_tieB', 'dnc_tieC'].map((id) => ({ id, at: '2020-01-01T00:00:00.000000Z' })),
    { id: 'dnc_microA', at: '2019-06-01T00:00:00.000003Z' },
    { id: 'dnc_microB', at: '2019-06-01T00:00:00.000002Z' },
    { id: 'dnc_microC', at: '2019-06-01T00:00:00.000001Z' },
  ];
  for (const row of rows) {
    await env.services.db
      .insertInto('dnc_entries')
      .values({ id: row.id, team_id: TEAM, url: `https://linkedin.com/in/${row.id.toLowerCase()}`, created_at: row.at, updated_at: row.at })
      .execute();
  }
  // The other team's entries must never show.
  expect((await otherApi.post('/v1/dnc', { url: 'in/pages-other' })).status).toBe(201);
  expectedIds = [...added.reverse(), 'dnc_tieC', 'dnc_tieB', 'dnc_tieA', 'dnc_microA', 'dnc_microB', 'dnc_microC'];
});
afterAll(() => env?.cleanup());

type Page = { nextCursor: string | null; total?: number; offset?: number; limit: number } & Record<string, unknown>;

/** Every page of `path` (from `cursor`, when given) on, following nextCursor. */
async function walk(
  target: ReturnType<typeof client>,
  path: string,
  itemsKey: string,
  from: string | null = null,
): Promise<{ pages: Page[]; items: any[] }> {
  const pages: Page[] = [];
  let cursor = from;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const response: ApiResponse = await target.get(cursor === null ? path : `${path}${separator}cursor=${encodeURIComponent(cursor)}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    pages.push(response.body.data);
    cursor = response.body.data.nextCursor;
    expect(pages.length).toBeLessThan(100);
  } while (cursor !== null);
  return { pages, items: pages.flatMap((page) => page[itemsKey] as any[]) };
}

function expectCursorError(response: ApiResponse, message: RegExp = /./) {
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expect(response.body).toEqual({
    error: 'validation_error',
    message: expect.any(String),
    data: null,
    details: [{ path: 'query.cursor', message: expect.stringMatching(message) }],
  });
}

describe('GET /v1/dnc by cursor', () => {
  it('when every page is followed by its nextCursor, then the pages hold every entry once, in order, the last with nextCursor null', async () => {
    for (const limit of [1, 2, 4, 11, 50]) {
      const { pages, items } = await walk(api, `/v1/dnc?limit=${limit}`, 'entries');
      expect(
        items.map((entry) => entry.$id),
        `limit ${limit}`,
      ).toEqual(expectedIds);
      expect(pages).toHaveLength(Math.max(1, Math.ceil(expectedIds.length / limit)));
      expect(pages.at(-1)!.nextCursor).toBeNull();
      for (const page of pages.slice(0, -1)) expect(page.nextCursor).toEqual(expect.any(String));
    }
  });

  it('when the first page is read without offset or cursor, then it carries total and offset 0; a page read by cursor carries neither', async () => {
    const first = await api.get('/v1/dnc?limit=4');
    expect(first.body.data).toEqual({
      entries: expect.any(Array),
      total: expectedIds.length,
      limit: 4,
      offset: 0,
      nextCursor: expect.any(String),
    });
    const second = await api.get(`/v1/dnc?limit=4&cursor=${first.body.data.nextCursor}`);
    expect(second.body.data).toEqual({ entries: expect.any(Array), limit: 4, nextCursor: expect.any(String) });
    expect(second.body.data.entries.map((entry: any) => entry.$id)).toEqual(expectedIds.slice(4, 8));
  });

  it('when a page is read by offset, then its nextCursor continues right after it', async () => {
    const page = await api.get('/v1/dnc?limit=3&offset=5');
    expect(page.body.data).toMatchObject({ total: expectedIds.length, limit: 3, offset: 5 });
    expect(page.body.data.entries.map((entry: any) => entry.$id)).toEqual(expectedIds.slice(5, 8));
    const next = await api.get(`/v1/dnc?limit=100&cursor=${page.body.data.nextCursor}`);
    expect(next.body.data.entries.map((entry: any) => entry.$id)).toEqual(expectedIds.slice(8));
    expect(next.body.data.nextCursor).toBeNull();
    const pastEnd = await api.get('/v1/dnc?offset=100');
    expect(pastEnd.body.data).toEqual({ entries: [], total: expectedIds.length, limit: 50, offset: 100, nextCursor: null });
  });

  it('when entries are added between two pages, then the next page by cursor neither repeats nor skips an entry', async () => {
    const first = await api.get('/v1/dnc?limit=3');
    const added = await api.post('/v1/dnc', { url: 'in/pages-added-later' });
    expect(added.status).toBe(201);
    const rest = await walk(api, '/v1/dnc?limit=3', 'entries', first.body.data.nextCursor);
    expect([...first.body.data.entries, ...rest.items].map((entry) => entry.$id)).toEqual(expectedIds);
    expect((await api.delete(`/v1/dnc/${added.body.data.$id}`)).status).toBe(200);
  });

  it('when a page is read by cursor, then no query counts the list or skips rows with OFFSET', async () => {
    const first = await api.get('/v1/dnc?limit=2');
    const executor = apiServices.db.getExecutor();
    const executeQuery = executor.executeQuery.bind(executor);
    const queries: { sql: string; parameters: readonly unknown[] }[] = [];
    executor.executeQuery = (query, ...rest) => {
      if (query.sql.includes('dnc_entries')) queries.push({ sql: query.sql, parameters: query.parameters });
      return executeQuery(query, ...rest);
    };
    try {
      expect((await api.get(`/v1/dnc?limit=2&cursor=${first.body.data.nextCursor}`)).status).toBe(200);
    } finally {
      delete (executor as Partial<typeof executor>).executeQuery;
    }
    expect(queries).toHaveLength(1);
    expect(queries[0]!.sql).not.toMatch(/count\(/i);
    expect(queries[0]!.sql).toMatch(/\(created_at, id\) < \(/);
  });
});

describe('bad cursors', () => {
  it('when cursor and offset are both given, then 400 validation_error naming query.cursor', async () => {
    const first = await api.get('/v1/dnc?limit=2');
    expectCursorError(await api.get(`/v1/dnc?offset=0&cursor=${first.body.data.nextCursor}`), /offset/);
    expectCursorError(await api.get(`/v1/dnc/audit?offset=2&cursor=${first.body.data.nextCursor}`), /offset/);
  });

  it.each([
    ['not base64url', '!!!'],
    ['base64url of no JSON', Buffer.from('hello').toString('base64url')],
    ['JSON of no cursor', Buffer.from('{"a":1}').toString('base64url')],
    [
      'a cursor whose key is not a time and an id',
      Buffer.from(JSON.stringify({ v: 1, r: 'entries', b: 'x', k: [1] })).toString('base64url'),
    ],
    ['empty', ''],
    ['too long', 'a'.repeat(600)],
  ])('when the cursor is %s, then 400 validation_error', async (_label, cursor) => {
    expectCursorError(await api.get(`/v1/dnc?cursor=${encodeURIComponent(cursor)}`));
  });

  it('when a cursor is edited to carry a key of another shape, then 400 (the binding holds, the key does not)', async () => {
    const first = await api.get('/v1/dnc?limit=2');
    const decoded = JSON.parse(Buffer.from(first.body.data.nextCursor, 'base64url').toString('utf8'));
    for (const key of [[], ['2020-01-01', 'dnc_x'], [decoded.k[0], 'not-an-id'], [decoded.k[0], decoded.k[1], 3]]) {
      const edited = Buffer.from(JSON.stringify({ ...decoded, k: key })).toString('base64url');
      expectCursorError(await api.get(`/v1/dnc?cursor=${edited}`), /not a cursor/);
    }
    // The same key, re-encoded: still valid (the cursor is not signed, only bound and checked).
    const same = Buffer.from(JSON.stringify(decoded)).toString('base64url');
    expect((await api.get(`/v1/dnc?limit=2&cursor=${same}`)).body.data.entries.map((entry: any) => entry.$id)).toEqual(
      expectedIds.slice(2, 4),
    );
  });

  it("when a cursor of another team's list is used, then 400 validation_error", async () => {
    expect((await otherApi.post('/v1/dnc', { url: 'in/pages-other-2' })).status).toBe(201);
    const others = await otherApi.get('/v1/dnc?limit=1');
    expect(others.body.data.nextCursor).toEqual(expect.any(String));
    expectCursorError(await api.get(`/v1/dnc?cursor=${others.body.data.nextCursor}`), /another team/);
  });

  it('when a cursor of another route is used, then 400 validation_error', async () => {
    const audit = await api.get('/v1/dnc/audit?limit=1');
    expectCursorError(await api.get(`/v1/dnc?cursor=${audit.body.data.nextCursor}`), /another list/);
    const entries = await api.get('/v1/dnc?limit=1');
    expectCursorError(await api.get(`/v1/dnc/audit?cursor=${entries.body.data.nextCursor}`), /another list/);
  });
});

describe('GET /v1/dnc/audit by cursor', () => {
  it('when every page is followed, then the pages hold every event once, newest first, as the offset pages do', async () => {
    const byOffset = await api.get('/v1/dnc/audit?limit=1000');
    expect(byOffset.body.data.total).toBeGreaterThan(5);
    const { pages, items } = await walk(api, '/v1/dnc/audit?limit=2', 'events');
    expect(items).toEqual(byOffset.body.data.events);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    expect(pages[1]).not.toHaveProperty('total');
  });

  it('when filtered, then the cursor pages keep the filter; a cursor of other filters is refused', async () => {
    const added = await walk(api, '/v1/dnc/audit?limit=2&action=dnc.entry.added', 'events');
    expect(added.items.length).toBeGreaterThan(2);
    expect(added.items.every((event) => event.action === 'dnc.entry.added')).toBe(true);
    expect(added.items).toEqual((await api.get('/v1/dnc/audit?limit=1000&action=dnc.entry.added')).body.data.events);

    const cursor = added.pages[0]!.nextCursor!;
    expectCursorError(await api.get(`/v1/dnc/audit?cursor=${cursor}`), /other filters/);
    expectCursorError(await api.get(`/v1/dnc/audit?action=dnc.entry.deleted&cursor=${cursor}`), /other filters/);
    expectCursorError(await otherApi.get(`/v1/dnc/audit?action=dnc.entry.added&cursor=${cursor}`), /another team/);
  });
});

describe('GET /v1/dnc/bulk-delete/{jobId}/items by cursor', () => {
  it('when every page is followed, then the items come once each in submission order; a cursor of another job or status is refused', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `dnc_pagesItem${i}`);
    // No worker runs in this file: the items stay pending.
    const submitted = await api.post('/v1/dnc/bulk-delete', { ids });
    expect(submitted.status).toBe(202);
    const jobId = submitted.body.data.$id;
    const other = await api.post('/v1/dnc/bulk-delete', { ids: ['dnc_pagesOther'] });
    expect(other.status).toBe(202);

    const { pages, items } = await walk(api, `/v1/dnc/bulk-delete/${jobId}/items?limit=3`, 'items');
    expect(items.map((item) => item.id)).toEqual(ids);
    expect(pages).toHaveLength(3);
    expect(pages[0]).toMatchObject({ total: 7, limit: 3, offset: 0 });
    expect(pages[1]).not.toHaveProperty('total');

    const pending = await walk(api, `/v1/dnc/bulk-delete/${jobId}/items?limit=5&status=pending`, 'items');
    expect(pending.items.map((item) => item.id)).toEqual(ids);

    const cursor = pages[0]!.nextCursor!;
    expectCursorError(await api.get(`/v1/dnc/bulk-delete/${other.body.data.$id}/items?cursor=${cursor}`), /another team or other filters/);
    expectCursorError(await api.get(`/v1/dnc/bulk-delete/${jobId}/items?status=pending&cursor=${cursor}`), /other filters/);
    expectCursorError(await api.get(`/v1/dnc/bulk-delete/${jobId}/items?offset=3&cursor=${cursor}`), /offset/);
  });
});

describe('a page the database gives up on', () => {
  it("when the audit page's query outlasts the database's statement timeout, then 503 with Retry-After (a retry may succeed), never 500", async () => {
    // Production's way to a cancelled statement: a DATABASE_URL with a statement timeout, and a
    // page that takes longer than it, here because a migration holds the table's lock.
    const guardedUrl = withSessionSettings(env.env.DATABASE_URL!, { statement_timeout: '300' });
    const guardedApi = client((await env.startApi({ DATABASE_URL: guardedUrl })).baseUrl, (await env.createKey(TEAM)).apiKey);
    expect((await guardedApi.get('/v1/dnc/audit?limit=2')).status).toBe(200);

    const byCursor = (await api.get('/v1/dnc/audit?limit=2')).body.data.nextCursor as string;
    const migration = await maintenanceLock('audit_events');
    try {
      for (const path of ['/v1/dnc/audit?limit=2', `/v1/dnc/audit?limit=2&cursor=${byCursor}`]) {
        const page = await guardedApi.get(path);
        expect(page.status, JSON.stringify(page.body)).toBe(503);
        expect(page.body).toEqual({ error: 'service_unavailable', message: expect.any(String), data: null });
        expect(page.headers.get('retry-after')).toMatch(/^\d+$/);
      }
    } finally {
      await migration.release();
    }
    expect((await guardedApi.get('/v1/dnc/audit?limit=2')).status).toBe(200);
  });
});

/** Holds an ACCESS EXCLUSIVE lock on `table` (what an ALTER TABLE takes) until released. */
async function maintenanceLock(table: string): Promise<{ release(): Promise<void> }> {
  const holder = new pg.Client({ connectionString: env.env.DATABASE_URL });
  await holder.connect();
  await holder.query('begin');
  await holder.query(`lock table ${pg.escapeIdentifier(table)} in access exclusive mode`);
  return {
    async release() {
      await holder.query('rollback');
      await holder.end();
    },
  };
}

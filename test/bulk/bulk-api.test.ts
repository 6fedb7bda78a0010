// The bulk-deletion HTTP contract (POST /v1/dnc/bulk-delete and its job resource), through the
// real API and the real in-process worker, against the file's own Postgres database and Redis prefix.
import { deleteKeysMatching, scanKeys } from '@dnc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedQueuedJob, seedEntries, terminal, waitForJob } from '../support/bulk.js';
import { expectError, expectValidationError, startBulkDeletion } from '../support/api-under-test.js';
import type { RunningWorker, TestEnvironment } from '../support/environment.js';
import { client, isoMillis, type ApiResponse } from '../support/http.js';
import { sleep, waitUntil } from '../support/wait.js';

const WINDOW_MS = 2000;
const WRITE_LIMIT = 6;
const RESERVED_FOR_SYNC = 2;
/** Items a team's drainer may execute per window. */
const ITEMS_PER_WINDOW = WRITE_LIMIT - RESERVED_FOR_SYNC;

let env: TestEnvironment;
let worker: RunningWorker;
let baseUrl: string;
/** A second API whose BULK_MAX_IDS is 50. */
let smallBaseUrl: string;

beforeAll(async () => {
  ({ env, baseUrl, worker } = await startBulkDeletion({
    windowMs: WINDOW_MS,
    writeLimit: WRITE_LIMIT,
    reservedForSync: RESERVED_FOR_SYNC,
  }));
  smallBaseUrl = (await env.startApi({ BULK_MAX_IDS: '50' })).baseUrl;
});
afterAll(() => env?.cleanup());

/** A team of its own with a read+write key, and a client bound to it. */
async function newTeam(teamId: string, url = baseUrl) {
  const key = await env.createKey(teamId);
  return { teamId, keyId: key.keyId, api: client(url, key.apiKey) };
}

function expectRetryAfter(response: ApiResponse): number {
  const header = response.headers.get('retry-after');
  expect(header).toMatch(/^\d+$/);
  const seconds = Number(header);
  expect(seconds).toBeGreaterThanOrEqual(1);
  return seconds;
}

/** What the team has stored for bulk deletion (jobs, items) and audited, straight from Postgres. */
async function storedForTeam(teamId: string) {
  const db = env.services.db;
  const [jobs, items, audits] = await Promise.all([
    db
      .selectFrom('bulk_jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('team_id', '=', teamId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('bulk_job_items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('team_id', '=', teamId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('team_id', '=', teamId)
      .executeTakeFirstOrThrow(),
  ]);
  return { jobs: Number(jobs.n), items: Number(items.n), audits: Number(audits.n) };
}

async function existingEntryIds(ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await env.services.db.selectFrom('dnc_entries').select('id').where('id', 'in', ids).execute();
  return rows.map((row) => row.id).sort();
}

/** Every item of a job through the API, in the order the API returns them. */
async function allItems(api: ReturnType<typeof client>, jobId: string): Promise<any[]> {
  const listed = await api.get(`/v1/dnc/bulk-delete/${jobId}/items?limit=1000`);
  expect(listed.status).toBe(200);
  return listed.body.data.items;
}

const itemKeys = ['id', 'status', 'error', 'processedAt'];
/** Items without their optional `error`, after checking they hold no field the contract lacks. */
function plainItems(items: any[]) {
  for (const item of items) {
    for (const key of Object.keys(item)) expect(itemKeys).toContain(key);
    if ('error' in item) expect(typeof item.error).toBe('string');
  }
  return items.map((item) => ({ id: item.id, status: item.status, processedAt: item.processedAt }));
}

describe('POST /v1/dnc/bulk-delete — submission', () => {
  it('when ids are submitted, then 202 answers the queued Job with Location and Retry-After, and repeats collapse', async () => {
    const { teamId, api } = await newTeam('team_shape');
    const [e1, e2] = await seedEntries(env.services.db, teamId, 'shape', 2);
    const before = Date.now();
    const submitted = await api.post('/v1/dnc/bulk-delete', { ids: [e1, e2, e1, 'dnc_shapeMissing', e2], reason: 'cleanup' });

    expect(submitted.status).toBe(202);
    expect(submitted.body).toEqual({
      error: null,
      data: expectedQueuedJob(teamId, 3, 'cleanup'),
      message: 'Bulk deletion queued',
    });
    const job = submitted.body.data;
    expect(Date.parse(job.$createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(job.estimatedCompletionAt)).toBeGreaterThanOrEqual(Date.parse(job.$createdAt));
    expect(submitted.headers.get('location')).toBe(`/v1/dnc/bulk-delete/${job.$id}`);
    expectRetryAfter(submitted);

    // One item per unique id, in order of first appearance.
    const rows = await env.services.db
      .selectFrom('bulk_job_items')
      .select('entry_id')
      .where('job_id', '=', job.$id)
      .orderBy('position')
      .execute();
    expect(rows.map((row) => row.entry_id)).toEqual([e1, e2, 'dnc_shapeMissing']);

    // When done: counts add up, finishedAt set, no estimate, no polling hint.
    const done = await waitForJob(api, job.$id);
    const polled = await api.get(`/v1/dnc/bulk-delete/${job.$id}`);
    expect(polled.status).toBe(200);
    expect(polled.body).toEqual({
      error: null,
      data: {
        ...job,
        status: 'completed',
        processed: 3,
        counts: { pending: 0, deleted: 2, notFound: 1, forbidden: 0, failed: 0, cancelled: 0 },
        startedAt: expect.stringMatching(isoMillis),
        finishedAt: expect.stringMatching(isoMillis),
        nextRunAt: null,
        estimatedCompletionAt: null,
      },
    });
    expect(polled.body.data).toEqual(done);
    expect(polled.headers.get('retry-after')).toBeNull();
    const { counts } = polled.body.data;
    expect(counts.pending + counts.deleted + counts.notFound + counts.forbidden + counts.failed + counts.cancelled).toBe(3);
    expect(Date.parse(polled.body.data.finishedAt)).toBeGreaterThanOrEqual(Date.parse(polled.body.data.startedAt));
    expect(Date.parse(polled.body.data.startedAt)).toBeGreaterThanOrEqual(Date.parse(job.$createdAt));
    expect(await existingEntryIds([e1!, e2!])).toEqual([]);
  });

  it('when ids is not an array, empty, badly formatted, or not strings, or reason is too long, then 400 and nothing is stored', async () => {
    const { teamId, api } = await newTeam('team_invalid');
    const [e1] = await seedEntries(env.services.db, teamId, 'invalid', 1);
    const cases: { body: unknown; path: string }[] = [
      { body: { ids: e1 }, path: 'body.ids' },
      { body: { ids: { 0: e1 } }, path: 'body.ids' },
      { body: {}, path: 'body.ids' },
      { body: { ids: [] }, path: 'body.ids' },
      { body: { ids: [e1, 'not-an-id'] }, path: 'body.ids.1' },
      { body: { ids: [e1, 'dnc_has-dash'] }, path: 'body.ids.1' },
      { body: { ids: [e1, 'dnc_'] }, path: 'body.ids.1' },
      { body: { ids: [42, e1] }, path: 'body.ids.0' },
      { body: { ids: [e1, null] }, path: 'body.ids.1' },
      { body: { ids: [e1], reason: 'x'.repeat(501) }, path: 'body.reason' },
      { body: { ids: [e1], reason: 7 }, path: 'body.reason' },
    ];
    for (const { body, path } of cases) {
      const response = await api.post('/v1/dnc/bulk-delete', body);
      expectValidationError(response, path);
    }
    expect(await storedForTeam(teamId)).toEqual({ jobs: 0, items: 0, audits: 0 });
    expect(await existingEntryIds([e1!])).toEqual([e1]);
  });

  it('when the body is malformed JSON, then 400 validation_error and nothing is stored', async () => {
    const { teamId, api } = await newTeam('team_badjson');
    const response = await api.post('/v1/dnc/bulk-delete', undefined, { rawBody: '{"ids": ["dnc_abc",' });
    expectValidationError(response, 'body');
    expect(await storedForTeam(teamId)).toEqual({ jobs: 0, items: 0, audits: 0 });
  });

  it('when the Idempotency-Key is longer than 255 characters, then 400 and nothing is stored', async () => {
    const { teamId, api } = await newTeam('team_longkey');
    const response = await api.post('/v1/dnc/bulk-delete', { ids: ['dnc_longkey1'] }, { headers: { 'Idempotency-Key': 'k'.repeat(256) } });
    expectValidationError(response, 'headers.idempotency-key');
    expect(await storedForTeam(teamId)).toEqual({ jobs: 0, items: 0, audits: 0 });

    const atLimit = await api.post('/v1/dnc/bulk-delete', { ids: ['dnc_longkey1'] }, { headers: { 'Idempotency-Key': 'k'.repeat(255) } });
    expect(atLimit.status).toBe(202);
  });

  it('when more ids than BULK_MAX_IDS are sent, then 413 payload_too_large and nothing is stored; exactly the limit is accepted', async () => {
    const { teamId, api } = await newTeam('team_toolarge', smallBaseUrl);
    const ids = Array.from({ length: 51 }, (_, i) => `dnc_large${i}`);
    const tooMany = await api.post('/v1/dnc/bulk-delete', { ids });
    expectError(tooMany, 413, 'payload_too_large');
    expect(await storedForTeam(teamId)).toEqual({ jobs: 0, items: 0, audits: 0 });

    const atLimit = await api.post('/v1/dnc/bulk-delete', { ids: ids.slice(0, 50) });
    expect(atLimit.status).toBe(202);
    expect(atLimit.body.data.total).toBe(50);
    // Not needed any further: stop it from draining in the background.
    expect((await api.post(`/v1/dnc/bulk-delete/${atLimit.body.data.$id}/cancel`)).status).toBe(200);
  });
});

describe('Idempotency-Key', () => {
  it('when the same key is sent with the same body, then 200 returns the same job and no second job is stored', async () => {
    const { teamId, api } = await newTeam('team_idem');
    const body = { ids: ['dnc_idemA', 'dnc_idemB'], reason: 'retry me' };
    const headers = { 'Idempotency-Key': 'idem-key-1' };
    const first = await api.post('/v1/dnc/bulk-delete', body, { headers });
    expect(first.status).toBe(202);
    const again = await api.post('/v1/dnc/bulk-delete', body, { headers });
    expect(again.status).toBe(200);
    expect(again.body.error).toBeNull();
    expect(again.body.data.$id).toBe(first.body.data.$id);
    expect(again.body.data.total).toBe(2);
    expect(again.body.data.reason).toBe('retry me');
    expect(await storedForTeam(teamId)).toMatchObject({ jobs: 1, items: 2 });
    const submittedAudits = await api.get(`/v1/dnc/audit?action=dnc.bulk_delete.submitted`);
    expect(submittedAudits.body.data.total).toBe(1);
  });

  it('when the same key is sent with a different body, then 422 idempotency_key_reused and nothing new is stored', async () => {
    const { teamId, api } = await newTeam('team_idemdiff');
    const headers = { 'Idempotency-Key': 'idem-key-2' };
    const first = await api.post('/v1/dnc/bulk-delete', { ids: ['dnc_idemdiffA'] }, { headers });
    expect(first.status).toBe(202);
    const otherIds = await api.post('/v1/dnc/bulk-delete', { ids: ['dnc_idemdiffB'] }, { headers });
    expectError(otherIds, 422, 'idempotency_key_reused');
    const otherReason = await api.post('/v1/dnc/bulk-delete', { ids: ['dnc_idemdiffA'], reason: 'changed' }, { headers });
    expectError(otherReason, 422, 'idempotency_key_reused');
    expect(await storedForTeam(teamId)).toMatchObject({ jobs: 1, items: 1 });
  });

  it('when another team uses the same key, then it gets a job of its own', async () => {
    const one = await newTeam('team_idemone');
    const two = await newTeam('team_idemtwo');
    const body = { ids: ['dnc_idemshared'] };
    const headers = { 'Idempotency-Key': 'shared-key' };
    const first = await one.api.post('/v1/dnc/bulk-delete', body, { headers });
    const second = await two.api.post('/v1/dnc/bulk-delete', body, { headers });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.data.$id).not.toBe(first.body.data.$id);
    expect(second.body.data.teamId).toBe(two.teamId);
    expect(await storedForTeam(one.teamId)).toMatchObject({ jobs: 1, items: 1 });
    expect(await storedForTeam(two.teamId)).toMatchObject({ jobs: 1, items: 1 });
  });

  it('when identical submissions with one key race, then exactly one job is stored and every answer is that job or 409', async () => {
    const { teamId, api } = await newTeam('team_idemrace');
    const body = { ids: Array.from({ length: 10_000 }, (_, i) => `dnc_race${i}`) };
    const headers = { 'Idempotency-Key': 'race-key' };
    const responses = await Promise.all(Array.from({ length: 5 }, () => api.post('/v1/dnc/bulk-delete', body, { headers })));

    for (const response of responses) expect([200, 202, 409]).toContain(response.status);
    expect(responses.filter((r) => r.status === 202)).toHaveLength(1);
    for (const conflict of responses.filter((r) => r.status === 409)) expectError(conflict, 409, 'idempotency_key_in_use');
    const ids = new Set(responses.filter((r) => r.status !== 409).map((r) => r.body.data.$id));
    expect(ids.size).toBe(1);
    expect(await storedForTeam(teamId)).toMatchObject({ jobs: 1, items: 10_000 });

    const [jobId] = [...ids];
    expect((await api.post(`/v1/dnc/bulk-delete/${jobId}/cancel`)).status).toBe(200);
  });
});

describe('GET /v1/dnc/bulk-delete/{jobId} — errors', () => {
  it("when another team's job is polled, listed or cancelled, then 403 forbidden without its data", async () => {
    const owner = await newTeam('team_owner');
    const other = await newTeam('team_other');
    const submitted = await owner.api.post('/v1/dnc/bulk-delete', { ids: ['dnc_ownerX'] });
    const jobId = submitted.body.data.$id;
    expectError(await other.api.get(`/v1/dnc/bulk-delete/${jobId}`), 403, 'forbidden');
    expectError(await other.api.get(`/v1/dnc/bulk-delete/${jobId}/items`), 403, 'forbidden');
    expectError(await other.api.post(`/v1/dnc/bulk-delete/${jobId}/cancel`), 403, 'forbidden');
    const job = await waitForJob(owner.api, jobId);
    expect(job.status).toBe('completed');
    expect(await storedForTeam(other.teamId)).toEqual({ jobs: 0, items: 0, audits: 0 });
  });

  it('when an unknown job is polled, listed or cancelled, then 404 not_found', async () => {
    const { api } = await newTeam('team_unknownjob');
    expectError(await api.get('/v1/dnc/bulk-delete/job_doesNotExist123'), 404, 'not_found');
    expectError(await api.get('/v1/dnc/bulk-delete/job_doesNotExist123/items'), 404, 'not_found');
    expectError(await api.post('/v1/dnc/bulk-delete/job_doesNotExist123/cancel'), 404, 'not_found');
  });

  it('when the job id has a bad format, then 400 validation_error', async () => {
    const { api } = await newTeam('team_badjobid');
    for (const bad of ['notajob', 'job_bad-id', 'dnc_abc', 'job_']) {
      expectValidationError(await api.get(`/v1/dnc/bulk-delete/${bad}`), 'params.jobId');
      expectValidationError(await api.get(`/v1/dnc/bulk-delete/${bad}/items`), 'params.jobId');
      expectValidationError(await api.post(`/v1/dnc/bulk-delete/${bad}/cancel`), 'params.jobId');
    }
  });
});

describe('per-item outcomes and GET …/items', () => {
  it("when a job mixes own, unknown and another team's ids, then they end deleted, not_found and forbidden (the other team's entry kept)", async () => {
    const { teamId, api } = await newTeam('team_items');
    const stranger = await newTeam('team_stranger');
    const [own1, own2] = await seedEntries(env.services.db, teamId, 'items', 2);
    const [foreign] = await seedEntries(env.services.db, stranger.teamId, 'foreign', 1);
    const unknown = 'dnc_itemsUnknown';

    // Cache a positive answer first: the bulk delete must invalidate it.
    const cached = await api.get('/v1/dnc/check?url=linkedin.com/in/items-1');
    expect(cached.body.data.onList).toBe(true);

    const submitted = await api.post('/v1/dnc/bulk-delete', { ids: [own1, unknown, foreign, own2], reason: 'mixed' });
    expect(submitted.status).toBe(202);
    const jobId = submitted.body.data.$id;
    const job = await waitForJob(api, jobId);
    expect(job).toMatchObject({
      status: 'completed',
      total: 4,
      processed: 4,
      counts: { pending: 0, deleted: 2, notFound: 1, forbidden: 1, failed: 0, cancelled: 0 },
    });

    expect(await existingEntryIds([own1!, own2!, foreign!])).toEqual([foreign]);
    const strangerList = await stranger.api.get('/v1/dnc');
    expect(strangerList.body.data.entries.map((entry: any) => entry.$id)).toEqual([foreign]);
    expect((await api.get('/v1/dnc/check?url=linkedin.com/in/items-1')).body.data).toEqual({ onList: false, entry: null });

    const listed = await api.get(`/v1/dnc/bulk-delete/${jobId}/items`);
    expect(listed.status).toBe(200);
    expect(listed.body.error).toBeNull();
    expect(listed.body.data).toMatchObject({ total: 4, limit: 50, offset: 0 });
    const processedAt = expect.stringMatching(isoMillis);
    expect(plainItems(listed.body.data.items)).toEqual([
      { id: own1, status: 'deleted', processedAt },
      { id: unknown, status: 'not_found', processedAt },
      { id: foreign, status: 'forbidden', processedAt },
      { id: own2, status: 'deleted', processedAt },
    ]);

    const deletedOnly = await api.get(`/v1/dnc/bulk-delete/${jobId}/items?status=deleted`);
    expect(deletedOnly.status).toBe(200);
    expect(deletedOnly.body.data).toMatchObject({ total: 2, limit: 50, offset: 0 });
    expect(plainItems(deletedOnly.body.data.items)).toEqual([
      { id: own1, status: 'deleted', processedAt },
      { id: own2, status: 'deleted', processedAt },
    ]);

    const forbiddenOnly = await api.get(`/v1/dnc/bulk-delete/${jobId}/items?status=forbidden`);
    expect(forbiddenOnly.body.data.total).toBe(1);
    expect(forbiddenOnly.body.data.items.map((item: any) => item.id)).toEqual([foreign]);

    const page = await api.get(`/v1/dnc/bulk-delete/${jobId}/items?limit=2&offset=1`);
    expect(page.status).toBe(200);
    expect(page.body.data).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(page.body.data.items.map((item: any) => item.id)).toEqual([unknown, foreign]);

    const pastEnd = await api.get(`/v1/dnc/bulk-delete/${jobId}/items?offset=10`);
    expect(pastEnd.body.data).toEqual({ items: [], total: 4, limit: 50, offset: 10, nextCursor: null });
  });

  it('when the items query is bad, then 400 validation_error', async () => {
    const { api } = await newTeam('team_badquery');
    const submitted = await api.post('/v1/dnc/bulk-delete', { ids: ['dnc_badqueryX'] });
    const jobId = submitted.body.data.$id;
    expectValidationError(await api.get(`/v1/dnc/bulk-delete/${jobId}/items?status=bogus`), 'query.status');
    expectValidationError(await api.get(`/v1/dnc/bulk-delete/${jobId}/items?limit=0`), 'query.limit');
    expectValidationError(await api.get(`/v1/dnc/bulk-delete/${jobId}/items?limit=1001`), 'query.limit');
    expectValidationError(await api.get(`/v1/dnc/bulk-delete/${jobId}/items?offset=-1`), 'query.offset');
  });

  it('when a job is still pending, then its items are listed as pending with processedAt null', async () => {
    const { teamId, api } = await newTeam('team_pending');
    // More than one window's worth: the last items are still pending right after submission.
    const ids = await seedEntries(env.services.db, teamId, 'pending', ITEMS_PER_WINDOW * 2);
    const submitted = await api.post('/v1/dnc/bulk-delete', { ids });
    const jobId = submitted.body.data.$id;
    const items = await allItems(api, jobId);
    expect(items.map((item) => item.id)).toEqual(ids);
    const last = items[items.length - 1];
    expect(last).toEqual({ id: ids[ids.length - 1], status: 'pending', processedAt: null });
    expect((await api.post(`/v1/dnc/bulk-delete/${jobId}/cancel`)).status).toBe(200);
  });
});

describe("the worker draws from the team's dnc-write budget", () => {
  it('when a job holds 3 windows of items, then it is throttled between windows and a synchronous add is still admitted', async () => {
    const { teamId, api } = await newTeam('team_throttle');
    const ids = await seedEntries(env.services.db, teamId, 'throttle', ITEMS_PER_WINDOW * 3);
    const submitted = await api.post('/v1/dnc/bulk-delete', { ids, reason: 'paced' });
    expect(submitted.status).toBe(202);
    const jobId = submitted.body.data.$id;

    let sawThrottled = false;
    let syncAdd: ApiResponse | undefined;
    let lastSeen: unknown;
    const job = await waitUntil(
      async () => {
        const sentAt = Date.now();
        const polled = await api.get(`/v1/dnc/bulk-delete/${jobId}`);
        expect(polled.status).toBe(200);
        const seen = polled.body.data;
        lastSeen = seen;
        if (terminal.includes(seen.status)) return seen;
        expectRetryAfter(polled);
        expect(seen.finishedAt).toBeNull();
        expect(seen.estimatedCompletionAt).toMatch(isoMillis);
        if (seen.status === 'throttled') {
          expect(seen.nextRunAt).toMatch(isoMillis);
          if (!sawThrottled && Date.parse(seen.nextRunAt) > sentAt) {
            sawThrottled = true;
            expect(seen.counts.deleted).toBeGreaterThanOrEqual(1);
            expect(seen.counts.pending).toBeGreaterThanOrEqual(1);
            // The bulk job has spent its share of the window; the reserve is left for this.
            syncAdd = await api.post('/v1/dnc', { url: 'linkedin.com/in/throttle-opt-out' });
          }
        } else {
          expect(seen.nextRunAt).toBeNull();
        }
        return undefined;
      },
      { what: () => `job finished (last seen: ${JSON.stringify(lastSeen)})` },
    );

    expect(sawThrottled).toBe(true);
    expect(syncAdd?.status).toBe(201);
    expect(syncAdd?.body.data.url).toBe('https://linkedin.com/in/throttle-opt-out');
    expect(job).toMatchObject({
      status: 'completed',
      total: 12,
      processed: 12,
      counts: { pending: 0, deleted: 12, notFound: 0, forbidden: 0, failed: 0, cancelled: 0 },
      nextRunAt: null,
      estimatedCompletionAt: null,
    });
    // Three batches, a window apart.
    expect(Date.parse(job.finishedAt) - Date.parse(job.startedAt)).toBeGreaterThanOrEqual(2 * WINDOW_MS - 150);
    expect(await existingEntryIds(ids)).toEqual([]);

    // No rolling window ever held more bulk deletions than the limit minus the reserve.
    const rows = await env.services.db
      .selectFrom('audit_events')
      .select('occurred_at')
      .where('job_id', '=', jobId)
      .where('action', '=', 'dnc.entry.deleted')
      .orderBy('occurred_at')
      .execute();
    const times = rows.map((row) => row.occurred_at.getTime());
    expect(times).toHaveLength(12);
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while (times[end]! - times[start]! >= WINDOW_MS - 150) start++;
      expect(end - start + 1).toBeLessThanOrEqual(ITEMS_PER_WINDOW);
    }
  });
});

describe('POST /v1/dnc/bulk-delete/{jobId}/cancel', () => {
  it('when a running job is cancelled, then pending items become cancelled, deleted ones stay deleted, and it is audited', async () => {
    const { teamId, api } = await newTeam('team_cancel');
    const ids = await seedEntries(env.services.db, teamId, 'cancel', ITEMS_PER_WINDOW * 3);
    const submitted = await api.post('/v1/dnc/bulk-delete', { ids, reason: 'changed my mind' });
    const jobId = submitted.body.data.$id;

    // Wait until the first batch has run and the job waits for its next window.
    await waitUntil(async () => {
      const polled = await api.get(`/v1/dnc/bulk-delete/${jobId}`);
      return polled.body.data.counts.deleted > 0 && !terminal.includes(polled.body.data.status);
    });

    const cancelled = await api.post(`/v1/dnc/bulk-delete/${jobId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.error).toBeNull();
    const job = cancelled.body.data;
    const deleted = job.counts.deleted;
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(deleted).toBeLessThan(12);
    expect(job).toEqual({
      ...submitted.body.data,
      status: 'cancelled',
      processed: deleted,
      counts: { pending: 0, deleted, notFound: 0, forbidden: 0, failed: 0, cancelled: 12 - deleted },
      startedAt: expect.stringMatching(isoMillis),
      finishedAt: expect.stringMatching(isoMillis),
      nextRunAt: null,
      estimatedCompletionAt: null,
    });

    // Executed in submission order: the first `deleted` items are gone, the rest are kept.
    const items = await allItems(api, jobId);
    expect(items.map((item) => item.status)).toEqual([
      ...Array<string>(deleted).fill('deleted'),
      ...Array<string>(12 - deleted).fill('cancelled'),
    ]);
    for (const item of items) expect(item.processedAt).toMatch(isoMillis);
    expect(await existingEntryIds(ids)).toEqual(ids.slice(deleted).sort());

    const audits = await api.get(`/v1/dnc/audit?action=dnc.bulk_delete.cancelled&jobId=${jobId}`);
    expect(audits.body.data.events).toHaveLength(1);
    expect(audits.body.data.events[0]).toMatchObject({ action: 'dnc.bulk_delete.cancelled', jobId, teamId });

    // A window later nothing more has been deleted.
    await sleep(WINDOW_MS + 300);
    const later = await api.get(`/v1/dnc/bulk-delete/${jobId}`);
    expect(later.body.data).toEqual(job);
    expect(later.headers.get('retry-after')).toBeNull();
    expect(await existingEntryIds(ids)).toEqual(ids.slice(deleted).sort());
  });

  it('when a completed job is cancelled, then it is returned unchanged and no cancellation is audited', async () => {
    const { teamId, api } = await newTeam('team_cancelled_done');
    const [entry] = await seedEntries(env.services.db, teamId, 'canceldone', 1);
    const submitted = await api.post('/v1/dnc/bulk-delete', { ids: [entry] });
    const done = await waitForJob(api, submitted.body.data.$id);
    expect(done.status).toBe('completed');

    const cancelled = await api.post(`/v1/dnc/bulk-delete/${done.$id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toEqual({ error: null, data: done });
    const audits = await api.get(`/v1/dnc/audit?action=dnc.bulk_delete.cancelled`);
    expect(audits.body.data.total).toBe(0);
  });

  it("when another team's active job is cancelled, then 403 and the job runs on", async () => {
    const owner = await newTeam('team_cancelowner');
    const other = await newTeam('team_cancelother');
    const [entry] = await seedEntries(env.services.db, owner.teamId, 'cancelowner', 1);
    const submitted = await owner.api.post('/v1/dnc/bulk-delete', { ids: [entry] });
    expectError(await other.api.post(`/v1/dnc/bulk-delete/${submitted.body.data.$id}/cancel`), 403, 'forbidden');
    const done = await waitForJob(owner.api, submitted.body.data.$id);
    expect(done.status).toBe('completed');
    expect(done.counts.deleted).toBe(1);
  });
});

describe('DELETE /v1/dnc/{id} with Prefer: respond-async', () => {
  it('when the delete is asked to respond async, then 202 answers a one-item Job and the worker deletes the entry', async () => {
    const { teamId, keyId, api } = await newTeam('team_async');
    const [entry] = await seedEntries(env.services.db, teamId, 'async', 1);
    const response = await api.delete(`/v1/dnc/${entry}?reason=later`, {
      headers: { Prefer: 'respond-async', 'X-Request-Id': 'req-async-1' },
    });

    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      error: null,
      data: expectedQueuedJob(teamId, 1, 'later'),
      message: 'Bulk deletion queued',
    });
    const jobId = response.body.data.$id;
    expect(response.headers.get('location')).toBe(`/v1/dnc/bulk-delete/${jobId}`);
    expectRetryAfter(response);

    const done = await waitForJob(api, jobId);
    expect(done.counts).toEqual({ pending: 0, deleted: 1, notFound: 0, forbidden: 0, failed: 0, cancelled: 0 });
    expect(await existingEntryIds([entry!])).toEqual([]);

    const audits = await api.get(`/v1/dnc/audit?action=dnc.entry.deleted&entryId=${entry}`);
    expect(audits.body.data.events).toEqual([
      {
        $id: expect.stringMatching(/^aud_[A-Za-z0-9]+$/),
        teamId,
        action: 'dnc.entry.deleted',
        entryId: entry,
        url: 'https://linkedin.com/in/async-1',
        reason: 'later',
        apiKeyId: keyId,
        source: 'bulk',
        jobId,
        requestId: 'req-async-1',
        occurredAt: expect.stringMatching(isoMillis),
      },
    ]);
  });
});

describe('audit of bulk deletions', () => {
  it('when a job runs, then its submission and every deleted item are audited with the job id and reason', async () => {
    const { teamId, keyId, api } = await newTeam('team_audit');
    const ids = await seedEntries(env.services.db, teamId, 'audit', 3);
    const submitted = await api.post(
      '/v1/dnc/bulk-delete',
      { ids: [...ids, 'dnc_auditMissing'], reason: 'gdpr request' },
      { headers: { 'X-Request-Id': 'req-bulk-audit-1' } },
    );
    expect(submitted.status).toBe(202);
    const jobId = submitted.body.data.$id;

    const submittedEvents = await api.get(`/v1/dnc/audit?action=dnc.bulk_delete.submitted&jobId=${jobId}`);
    expect(submittedEvents.status).toBe(200);
    expect(submittedEvents.body.data.events).toEqual([
      {
        $id: expect.stringMatching(/^aud_[A-Za-z0-9]+$/),
        teamId,
        action: 'dnc.bulk_delete.submitted',
        entryId: null,
        url: null,
        reason: 'gdpr request',
        apiKeyId: keyId,
        source: 'api',
        jobId,
        requestId: 'req-bulk-audit-1',
        occurredAt: expect.stringMatching(isoMillis),
      },
    ]);

    await waitForJob(api, jobId);
    const deletedEvents = await api.get(`/v1/dnc/audit?action=dnc.entry.deleted&jobId=${jobId}`);
    expect(deletedEvents.body.data.total).toBe(3);
    const byEntry = [...deletedEvents.body.data.events].sort((a: any, b: any) => a.entryId.localeCompare(b.entryId));
    expect(byEntry).toEqual(
      [...ids].sort().map((id) => ({
        $id: expect.stringMatching(/^aud_[A-Za-z0-9]+$/),
        teamId,
        action: 'dnc.entry.deleted',
        entryId: id,
        url: `https://linkedin.com/in/audit-${id.slice('dnc_audit'.length)}`,
        reason: 'gdpr request',
        apiKeyId: keyId,
        source: 'bulk',
        jobId,
        requestId: 'req-bulk-audit-1',
        occurredAt: expect.stringMatching(isoMillis),
      })),
    );
    // The unknown id deleted nothing, so it has no deletion event.
    expect((await api.get('/v1/dnc/audit?entryId=dnc_auditMissing')).body.data.total).toBe(0);
  });
});

// Last: stops this file's worker and wipes its Redis keys.
describe('polling reads Postgres only', () => {
  it("when every Redis key of the service is gone, then polling a job still answers 200 with the job's data", async () => {
    const { teamId, api } = await newTeam('team_noredis');
    const ids = await seedEntries(env.services.db, teamId, 'noredis', 2);
    const submitted = await api.post('/v1/dnc/bulk-delete', { ids: [...ids, 'dnc_noredisMissing'] });
    const jobId = submitted.body.data.$id;
    const done = await waitForJob(api, jobId);
    const itemsBefore = await allItems(api, jobId);
    // A running worker re-creates BullMQ's keys on its timers (stalled-check), between a delete and a scan.
    await worker.stop();

    const prefix = env.env.REDIS_PREFIX!;
    // Every master's keys on a cluster, not only those of the node a KEYS would reach.
    expect(await deleteKeysMatching(env.services.redis, `${prefix}:*`)).toBeGreaterThan(0);
    expect(await scanKeys(env.services.redis, `${prefix}:*`)).toEqual([]);

    const polled = await api.get(`/v1/dnc/bulk-delete/${jobId}`);
    expect(polled.status).toBe(200);
    expect(polled.body).toEqual({ error: null, data: done });
    expect(done.counts).toEqual({ pending: 0, deleted: 2, notFound: 1, forbidden: 0, failed: 0, cancelled: 0 });
    expect(await allItems(api, jobId)).toEqual(itemsBefore);
  });
});

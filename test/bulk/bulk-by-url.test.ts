// Bulk deletion by URL (POST /v1/dnc/bulk-delete with `urls`), through the real API and worker:
// URLs are normalized at submission and resolved to the team's entry when each item executes,
// with the same authorization, audit, cache invalidation, pacing, idempotency and cancellation
// as items submitted by id.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedQueuedJob, seedEntries, waitForJob } from '../support/bulk.js';
import { expectValidationError, startBulkDeletion } from '../support/api-under-test.js';
import type { TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { waitUntil } from '../support/wait.js';

const WINDOW_MS = 1000;
const WRITE_LIMIT = 11;
const RESERVED_FOR_SYNC = 1;

let env: TestEnvironment;
let baseUrl: string;

beforeAll(async () => {
  ({ env, baseUrl } = await startBulkDeletion({ windowMs: WINDOW_MS, writeLimit: WRITE_LIMIT, reservedForSync: RESERVED_FOR_SYNC }));
});
afterAll(() => env?.cleanup());

async function newTeam(teamId: string) {
  const key = await env.createKey(teamId);
  return client(baseUrl, key.apiKey);
}

async function jobCount(teamId: string): Promise<number> {
  const row = await env.services.db
    .selectFrom('bulk_jobs')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('team_id', '=', teamId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Sizes of the job's batches: the items of one batch share its transaction's `now()`. */
async function batchSizes(jobId: string): Promise<number[]> {
  const rows = await sql<{ size: number }>`
    select count(*)::int as size from bulk_job_items where job_id = ${jobId}
    group by processed_at order by processed_at`.execute(env.services.db);
  return rows.rows.map((row) => row.size);
}

describe('POST /v1/dnc/bulk-delete with urls', () => {
  it('when URLs in any spelling are submitted, then the team’s entries with those URLs are deleted, audited and shown in the items', async () => {
    const api = await newTeam('team_url');
    const other = await newTeam('team_url_other');
    const [first, second, third] = await seedEntries(env.services.db, 'team_url', 'byurl', 3);
    const [othersEntry] = await seedEntries(env.services.db, 'team_url_other', 'byurlother', 1);
    // Cached before: the deletion must invalidate the team's check cache.
    expect((await api.get('/v1/dnc/check?url=in/byurl-1')).body.data.onList).toBe(true);

    const submitted = await api.post('/v1/dnc/bulk-delete', {
      urls: [
        'https://www.linkedin.com/in/ByUrl-1/',
        'linkedin.com/in/byurl-2?trk=crm',
        'in/byurl-missing',
        'uk.linkedin.com/in/byurl-1', // a repeat of the first, once normalized
        'https://linkedin.com/in/byurlother-1', // another team's entry: not this team's to delete
        'in/byurl-3',
      ],
      reason: 'opt-out list',
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body.data).toEqual(expectedQueuedJob('team_url', 5, 'opt-out list'));
    const job = await waitForJob(api, submitted.body.data.$id);
    expect(job.counts).toEqual({ pending: 0, deleted: 3, notFound: 2, forbidden: 0, failed: 0, cancelled: 0 });

    const remaining = await env.services.db
      .selectFrom('dnc_entries')
      .select('id')
      .where('team_id', 'in', ['team_url', 'team_url_other'])
      .execute();
    expect(remaining.map((row) => row.id)).toEqual([othersEntry]);

    const items = await api.get(`/v1/dnc/bulk-delete/${job.$id}/items`);
    expect(items.status).toBe(200);
    expect(items.body.data.items).toEqual([
      { id: first, url: 'https://linkedin.com/in/byurl-1', status: 'deleted', processedAt: expect.any(String) },
      { id: second, url: 'https://linkedin.com/in/byurl-2', status: 'deleted', processedAt: expect.any(String) },
      { id: null, url: 'https://linkedin.com/in/byurl-missing', status: 'not_found', processedAt: expect.any(String) },
      { id: null, url: 'https://linkedin.com/in/byurlother-1', status: 'not_found', processedAt: expect.any(String) },
      { id: third, url: 'https://linkedin.com/in/byurl-3', status: 'deleted', processedAt: expect.any(String) },
    ]);
    const deleted = await api.get(`/v1/dnc/bulk-delete/${job.$id}/items?status=deleted&limit=2`);
    expect(deleted.body.data.items.map((item: { id: string }) => item.id)).toEqual([first, second]);

    const audits = await env.services.db
      .selectFrom('audit_events')
      .select(['entry_id', 'url', 'reason', 'source'])
      .where('job_id', '=', job.$id)
      .where('action', '=', 'dnc.entry.deleted')
      .orderBy('entry_id')
      .execute();
    expect(audits).toEqual(
      [
        { entry_id: first, url: 'https://linkedin.com/in/byurl-1' },
        { entry_id: second, url: 'https://linkedin.com/in/byurl-2' },
        { entry_id: third, url: 'https://linkedin.com/in/byurl-3' },
      ]
        .map((audit) => ({ ...audit, reason: 'opt-out list', source: 'bulk' }))
        .sort((a, b) => a.entry_id!.localeCompare(b.entry_id!)),
    );
    expect((await api.get('/v1/dnc/check?url=in/byurl-1')).body.data).toEqual({ onList: false, entry: null });
    expect((await other.get('/v1/dnc/check?url=in/byurlother-1')).body.data.onList).toBe(true);
  });

  it('when a URL is not a profile URL, or ids and urls are both or neither given, then 400 and no job', async () => {
    const api = await newTeam('team_url_bad');
    const invalid = await api.post('/v1/dnc/bulk-delete', { urls: ['in/ok-one', 'in/ok-two', 'https://example.com/in/x', 'mailto:a@b.c'] });
    expectValidationError(invalid, 'urls[2]');
    expect(invalid.body.details).toEqual([
      { path: 'urls[2]', message: expect.any(String) },
      { path: 'urls[3]', message: expect.any(String) },
    ]);
    expectValidationError(await api.post('/v1/dnc/bulk-delete', { ids: ['dnc_a1'], urls: ['in/x'] }), 'body.urls');
    expectValidationError(await api.post('/v1/dnc/bulk-delete', { reason: 'nothing' }), 'body.ids');
    expectValidationError(await api.post('/v1/dnc/bulk-delete', { urls: [] }), 'body.urls');
    expectValidationError(await api.post('/v1/dnc/bulk-delete', { urls: ['in/x', 7] }), 'body.urls.1');
    expect(await jobCount('team_url_bad')).toBe(0);
  });

  it('when more URLs than BULK_MAX_IDS are submitted, then 413 and no job', async () => {
    const api = await newTeam('team_url_big');
    const urls = Array.from({ length: 10_001 }, (_, n) => `in/big-${n}`);
    const response = await api.post('/v1/dnc/bulk-delete', { urls });
    expect(response.status).toBe(413);
    expect(response.body).toEqual({
      error: 'payload_too_large',
      message: 'A bulk deletion holds at most 10000 urls (got 10001)',
      data: null,
    });
    expect(await jobCount('team_url_big')).toBe(0);
  });

  it('when the same Idempotency-Key comes again, then the same URLs (in any spelling) return the job and other URLs or ids get 422', async () => {
    const api = await newTeam('team_url_idem');
    const headers = { 'idempotency-key': 'crm-export-7' };
    const first = await api.post('/v1/dnc/bulk-delete', { urls: ['in/idem-a', 'in/idem-b'] }, { headers });
    expect(first.status).toBe(202);
    const again = await api.post(
      '/v1/dnc/bulk-delete',
      { urls: ['https://www.linkedin.com/in/Idem-A', 'in/idem-b', 'in/idem-a'] },
      { headers },
    );
    expect(again.status).toBe(200);
    expect(again.body.data.$id).toBe(first.body.data.$id);
    const otherUrls = await api.post('/v1/dnc/bulk-delete', { urls: ['in/idem-a'] }, { headers });
    expect(otherUrls.status).toBe(422);
    expect(otherUrls.body.error).toBe('idempotency_key_reused');
    const ids = await api.post('/v1/dnc/bulk-delete', { ids: ['dnc_idemA'] }, { headers });
    expect(ids.status).toBe(422);
    expect(await jobCount('team_url_idem')).toBe(1);
  });

  it('when URL items run, then each takes a dnc-write slot: 10 per window, never the reserved one', async () => {
    const api = await newTeam('team_url_pace');
    await seedEntries(env.services.db, 'team_url_pace', 'urlpace', 25);
    const urls = Array.from({ length: 25 }, (_, n) => `in/urlpace-${n + 1}`);
    const submitted = await api.post('/v1/dnc/bulk-delete', { urls });
    const job = await waitForJob(api, submitted.body.data.$id);
    expect(job.counts.deleted).toBe(25);
    expect(await batchSizes(job.$id)).toEqual([10, 10, 5]);
  });

  it('when a URL job is cancelled, then its pending items are cancelled and the deleted ones stay deleted', async () => {
    // One item per window for this team.
    await env.services.teamLimits.set('team_url_cancel', { 'dnc-write': 2 });
    const api = await newTeam('team_url_cancel');
    await seedEntries(env.services.db, 'team_url_cancel', 'urlcancel', 10);
    const submitted = await api.post('/v1/dnc/bulk-delete', { urls: Array.from({ length: 10 }, (_, n) => `in/urlcancel-${n + 1}`) });
    const jobId = submitted.body.data.$id;
    await waitUntil(async () => (await api.get(`/v1/dnc/bulk-delete/${jobId}`)).body.data.counts.deleted >= 1, {
      what: 'a first deletion',
    });
    const cancelled = await api.post(`/v1/dnc/bulk-delete/${jobId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data.status).toBe('cancelled');
    const { deleted, cancelled: cancelledItems } = cancelled.body.data.counts;
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(deleted + cancelledItems).toBe(10);
    const left = await env.services.db.selectFrom('dnc_entries').select('id').where('team_id', '=', 'team_url_cancel').execute();
    expect(left).toHaveLength(cancelledItems);
    const items = await api.get(`/v1/dnc/bulk-delete/${jobId}/items?status=cancelled`);
    expect(items.body.data.items.every((item: { id: unknown; url: string }) => item.id === null && item.url.startsWith('https://'))).toBe(
      true,
    );
  });
});

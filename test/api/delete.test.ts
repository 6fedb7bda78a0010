// DELETE /v1/dnc/{id}: synchronous, permanent deletion with an audit event in the same transaction.
import type { CreatedApiKey } from '@dnc/shared';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../support/api-under-test.js';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { client, isoMillis } from '../support/http.js';
import { sleep } from '../support/wait.js';

const TEAM = 'team_delete_a';
const OTHER_TEAM = 'team_delete_b';

let env: TestEnvironment;
let baseUrl: string;
let key: CreatedApiKey;
let api: ReturnType<typeof client>;
let otherApi: ReturnType<typeof client>;
let slugCounter = 0;

beforeAll(async () => {
  env = await createTestEnvironment(unlimited);
  const running = await env.startApi();
  baseUrl = running.baseUrl;
  key = await env.createKey(TEAM);
  api = client(baseUrl, key.apiKey);
  otherApi = client(baseUrl, (await env.createKey(OTHER_TEAM)).apiKey);
});
afterAll(() => env?.cleanup());

/** Adds a fresh URL to the team's list through the API and returns the created entry. */
async function addEntry(target = api, slug = `delete-person-${++slugCounter}`) {
  const added = await target.post('/v1/dnc', { url: `https://www.linkedin.com/in/${slug}` });
  expect(added.status).toBe(201);
  return added.body.data as { $id: string; teamId: string; url: string };
}

async function entryRow(id: string) {
  return env.services.db.selectFrom('dnc_entries').selectAll().where('id', '=', id).executeTakeFirst();
}

async function deletionEvents(entryId: string) {
  return env.services.db
    .selectFrom('audit_events')
    .selectAll()
    .where('entry_id', '=', entryId)
    .where('action', '=', 'dnc.entry.deleted')
    .execute();
}

async function auditSnapshot() {
  return env.services.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
}

const notFoundBody = { error: 'not_found', message: expect.any(String), data: null };

describe('DELETE /v1/dnc/{id}', () => {
  it('when the team deletes its own entry, then it answers 200 with the exact body, removes the row and writes one audit event', async () => {
    const entry = await addEntry();
    const before = Date.now();

    const deleted = await api.delete(`/v1/dnc/${entry.$id}`, { headers: { 'x-request-id': 'req-delete-own-1' } });

    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ error: null, data: { message: 'DNC entry deleted successfully' } });
    expect(deleted.headers.get('x-request-id')).toBe('req-delete-own-1');
    expect(deleted.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await entryRow(entry.$id)).toBeUndefined();

    const events = await deletionEvents(entry.$id);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      team_id: TEAM,
      action: 'dnc.entry.deleted',
      entry_id: entry.$id,
      url: entry.url,
      reason: null,
      api_key_id: key.keyId,
      source: 'api',
      job_id: null,
      request_id: 'req-delete-own-1',
    });
    expect(event!.id).toMatch(/^aud_[A-Za-z0-9]+$/);
    expect(event!.occurred_at.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(event!.occurred_at.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
  });

  it('when the entry is deleted, then the very next check answers onList false and the list no longer shows it', async () => {
    const entry = await addEntry();
    expect((await api.get(`/v1/dnc/check?url=${encodeURIComponent(entry.url)}`)).body.data).toEqual({ onList: true, entry });

    expect((await api.delete(`/v1/dnc/${entry.$id}`)).status).toBe(200);

    expect((await api.get(`/v1/dnc/check?url=${encodeURIComponent(entry.url)}`)).body).toEqual({
      error: null,
      data: { onList: false, entry: null },
    });
    const listed = await api.get('/v1/dnc?limit=1000');
    expect(listed.status).toBe(200);
    expect(listed.body.data.entries.map((e: { $id: string }) => e.$id)).not.toContain(entry.$id);
  });

  it('when no X-Request-Id is sent, then the generated response id is the one recorded in the audit event', async () => {
    const entry = await addEntry();
    const deleted = await api.delete(`/v1/dnc/${entry.$id}`);
    expect(deleted.status).toBe(200);
    const requestId = deleted.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    const events = await deletionEvents(entry.$id);
    expect(events.map((e) => e.request_id)).toEqual([requestId]);
  });

  it('when a reason is given in the JSON body, then the audit event carries it', async () => {
    const entry = await addEntry();
    const deleted = await api.delete(`/v1/dnc/${entry.$id}`, { body: { reason: 'Prospect asked by email' } });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ error: null, data: { message: 'DNC entry deleted successfully' } });
    expect((await deletionEvents(entry.$id)).map((e) => e.reason)).toEqual(['Prospect asked by email']);
  });

  it('when a reason is given as ?reason=, then the audit event carries it decoded', async () => {
    const entry = await addEntry();
    const reason = 'GDPR request #42 & follow-up';
    const deleted = await api.delete(`/v1/dnc/${entry.$id}?reason=${encodeURIComponent(reason)}`);
    expect(deleted.status).toBe(200);
    expect((await deletionEvents(entry.$id)).map((e) => e.reason)).toEqual([reason]);
  });

  it('when the reason is exactly 500 characters, then the delete succeeds with it', async () => {
    const entry = await addEntry();
    const reason = 'r'.repeat(500);
    expect((await api.delete(`/v1/dnc/${entry.$id}`, { body: { reason } })).status).toBe(200);
    expect((await deletionEvents(entry.$id)).map((e) => e.reason)).toEqual([reason]);
  });

  it('when the reason is longer than 500 characters (body or query) or not a string, then it answers 400 and nothing changes', async () => {
    const entry = await addEntry();
    const auditBefore = await auditSnapshot();

    const cases = [{ body: { reason: 'x'.repeat(501) } }, { body: { reason: 42 } }, { path: `?reason=${'y'.repeat(501)}` }];
    for (const { body, path = '' } of cases) {
      const response = await api.delete(`/v1/dnc/${entry.$id}${path}`, body ? { body } : {});
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error: 'validation_error',
        message: expect.any(String),
        data: null,
        details: expect.arrayContaining([{ path: expect.stringMatching(/reason/), message: expect.any(String) }]),
      });
    }

    expect(await entryRow(entry.$id)).toBeDefined();
    expect(await auditSnapshot()).toEqual(auditBefore);
  });

  it('when the body is malformed JSON, then it answers 400 validation_error and the entry stays', async () => {
    const entry = await addEntry();
    const response = await api.delete(`/v1/dnc/${entry.$id}`, { rawBody: '{"reason": ' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'validation_error', message: expect.any(String), data: null, details: expect.any(Array) });
    expect(await entryRow(entry.$id)).toBeDefined();
  });

  it('when the id is well-formed but unknown, then it answers 404 not_found and writes no audit event', async () => {
    const auditBefore = await auditSnapshot();
    const response = await api.delete('/v1/dnc/dnc_doesNotExist0123456789');
    expect(response.status).toBe(404);
    expect(response.body).toEqual(notFoundBody);
    expect(await auditSnapshot()).toEqual(auditBefore);
  });

  it.each(['abc', 'dnc_', 'dnc_!!', 'job_x', 'dnc_abc-def'])(
    'when the id is malformed (%s), then it answers 400 validation_error naming the id',
    async (id) => {
      const response = await api.delete(`/v1/dnc/${id}`);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error: 'validation_error',
        message: expect.any(String),
        data: null,
        details: [{ path: expect.stringMatching(/id$/), message: expect.any(String) }],
      });
    },
  );

  it("when a team deletes another team's entry, then it answers 403 forbidden and neither the row nor the audit trail changes", async () => {
    const entry = await addEntry(otherApi);
    const rowBefore = await entryRow(entry.$id);
    const auditBefore = await auditSnapshot();

    const response = await api.delete(`/v1/dnc/${entry.$id}`, { body: { reason: 'not mine' } });

    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error: 'forbidden', message: expect.any(String), data: null });
    expect(JSON.stringify(response.body)).not.toContain(entry.url);
    expect(JSON.stringify(response.body)).not.toContain(OTHER_TEAM);
    expect(await entryRow(entry.$id)).toEqual(rowBefore);
    expect(await auditSnapshot()).toEqual(auditBefore);
    // The owner still sees it on their list.
    expect((await otherApi.get(`/v1/dnc/check?url=${encodeURIComponent(entry.url)}`)).body.data).toEqual({ onList: true, entry });
  });

  it('when the same entry is deleted twice, then the second delete answers 404 and only one audit event exists', async () => {
    const entry = await addEntry();
    expect((await api.delete(`/v1/dnc/${entry.$id}`)).status).toBe(200);
    const second = await api.delete(`/v1/dnc/${entry.$id}`);
    expect(second.status).toBe(404);
    expect(second.body).toEqual(notFoundBody);
    expect(await deletionEvents(entry.$id)).toHaveLength(1);
  });

  it('when two deletes of the same entry race, then exactly one gets 200, the other 404, and one audit event is written', async () => {
    // Several rounds make a real overlap of the two transactions very likely.
    for (let round = 0; round < 8; round++) {
      const entry = await addEntry();
      const responses = await Promise.all([api.delete(`/v1/dnc/${entry.$id}`), api.delete(`/v1/dnc/${entry.$id}`)]);
      expect(responses.map((r) => r.status).sort()).toEqual([200, 404]);
      const loser = responses.find((r) => r.status === 404)!;
      expect(loser.body).toEqual(notFoundBody);
      expect(await deletionEvents(entry.$id)).toHaveLength(1);
      expect(await entryRow(entry.$id)).toBeUndefined();
    }
  });

  it('when a deleted URL is added again, then it is a new entry with a new id (the deletion was permanent)', async () => {
    const slug = `delete-readd-${Date.now()}`;
    const first = await addEntry(api, slug);
    expect((await api.delete(`/v1/dnc/${first.$id}`)).status).toBe(200);

    const again = await api.post('/v1/dnc', { url: `linkedin.com/in/${slug}` });

    expect(again.status).toBe(201);
    expect(again.body).toEqual({
      error: null,
      data: {
        $id: expect.stringMatching(/^dnc_[A-Za-z0-9]+$/),
        teamId: TEAM,
        url: first.url,
        $createdAt: expect.stringMatching(isoMillis),
        $updatedAt: expect.stringMatching(isoMillis),
      },
      message: 'Added to Do Not Contact list',
    });
    expect(again.body.data.$id).not.toBe(first.$id);
    expect(await entryRow(first.$id)).toBeUndefined();
    expect((await api.get(`/v1/dnc/check?url=${encodeURIComponent(first.url)}`)).body.data).toEqual({
      onList: true,
      entry: again.body.data,
    });
    // The old id stays gone.
    expect((await api.delete(`/v1/dnc/${first.$id}`)).status).toBe(404);
  });
});

describe('a delete Postgres cannot finish in time', () => {
  it('when the entry stays locked past the statement timeout, then it answers 503, and nothing changes even once the lock is gone', async () => {
    const entry = await addEntry();
    const auditBefore = await auditSnapshot();
    // Another transaction holds the entry's row lock (a long transaction, a bulk batch in
    // flight): the DELETE waits for it longer than the database lets a statement run.
    const holder = new pg.Client({ connectionString: env.env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select id from dnc_entries where id = $1 for update', [entry.$id]);
      const deleted = await api.delete(`/v1/dnc/${entry.$id}`);
      expectError(deleted, 503, 'service_unavailable');
      expect(deleted.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
    // Had the statement gone on waiting after the 503 (the client's timeout alone only stops
    // waiting for it), it would run now that the lock is free, and delete after all.
    await sleep(1_000);
    expect(await entryRow(entry.$id)).toBeDefined();
    expect(await auditSnapshot()).toEqual(auditBefore);
    // The 503 said "try again": the retry deletes it.
    expect((await api.delete(`/v1/dnc/${entry.$id}`)).status).toBe(200);
    expect(await deletionEvents(entry.$id)).toHaveLength(1);
  });
});

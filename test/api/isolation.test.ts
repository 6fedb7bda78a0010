// Team isolation: a team's key never reads, checks, deletes or audits another team's entries,
// and each team keeps its own list (the same URL may be on both).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';

const TEAM_A = 'team_iso_a';
const TEAM_B = 'team_iso_b';

let env: TestEnvironment;
let a: ReturnType<typeof client>;
let b: ReturnType<typeof client>;
let aEntries: { $id: string; teamId: string; url: string; $createdAt: string; $updatedAt: string }[];

beforeAll(async () => {
  env = await createTestEnvironment(unlimited);
  const { baseUrl } = await env.startApi();
  a = client(baseUrl, (await env.createKey(TEAM_A)).apiKey);
  b = client(baseUrl, (await env.createKey(TEAM_B)).apiKey);
  aEntries = [];
  for (const slug of ['iso-alice', 'iso-bob', 'iso-carol']) {
    const added = await a.post('/v1/dnc', { url: `https://linkedin.com/in/${slug}` });
    expect(added.status).toBe(201);
    aEntries.push(added.body.data);
  }
});
afterAll(() => env?.cleanup());

const checkPath = (url: string) => `/v1/dnc/check?url=${encodeURIComponent(url)}`;

async function auditRows() {
  return env.services.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
}

describe('team isolation', () => {
  it("when team B lists, then it sees none of team A's entries", async () => {
    const listed = await b.get('/v1/dnc');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ error: null, data: { entries: [], total: 0, limit: 50, offset: 0, nextCursor: null } });
    // A sees its own.
    const own = await a.get('/v1/dnc');
    expect(own.body.data.total).toBe(3);
  });

  it("when team B checks team A's URL (before or after A's check is cached), then it answers onList false", async () => {
    const [first, second] = aEntries;
    // A checks first: A's positive answer is cached; B must not see it.
    expect((await a.get(checkPath(first!.url))).body.data).toEqual({ onList: true, entry: first });
    expect((await b.get(checkPath(first!.url))).body).toEqual({ error: null, data: { onList: false, entry: null } });
    // B checks first: B's negative answer is cached; A must still see its entry.
    expect((await b.get(checkPath(second!.url))).body.data).toEqual({ onList: false, entry: null });
    expect((await a.get(checkPath(second!.url))).body.data).toEqual({ onList: true, entry: second });
    // Any spelling of the URL.
    expect((await b.get(checkPath('www.linkedin.com/in/ISO-Alice/'))).body.data).toEqual({ onList: false, entry: null });
  });

  it("when team B deletes team A's entry, then it answers 403 forbidden without A's data and nothing changes", async () => {
    const target = aEntries[2]!;
    const rowsBefore = await env.services.db.selectFrom('dnc_entries').selectAll().orderBy('id').execute();
    const auditBefore = await auditRows();

    const response = await b.delete(`/v1/dnc/${target.$id}`, { body: { reason: 'trying' } });

    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error: 'forbidden', message: expect.any(String), data: null });
    const text = JSON.stringify(response.body);
    expect(text).not.toContain(target.url);
    expect(text).not.toContain(TEAM_A);
    expect(await env.services.db.selectFrom('dnc_entries').selectAll().orderBy('id').execute()).toEqual(rowsBefore);
    expect(await auditRows()).toEqual(auditBefore);
    expect((await a.get(checkPath(target.url))).body.data).toEqual({ onList: true, entry: target });
  });

  it("when team B reads the audit trail, then none of team A's events appear, with or without filters", async () => {
    const all = await b.get('/v1/dnc/audit');
    expect(all.status).toBe(200);
    expect(all.body.data.events.filter((e: { teamId: string }) => e.teamId !== TEAM_B)).toEqual([]);
    expect(JSON.stringify(all.body)).not.toContain(TEAM_A);

    const byEntry = await b.get(`/v1/dnc/audit?entryId=${aEntries[0]!.$id}`);
    expect(byEntry.status).toBe(200);
    expect(byEntry.body).toEqual({ error: null, data: { events: [], total: 0, limit: 50, offset: 0, nextCursor: null } });

    const byAction = await b.get('/v1/dnc/audit?action=dnc.entry.added');
    expect(byAction.body.data.events.filter((e: { teamId: string }) => e.teamId !== TEAM_B)).toEqual([]);

    // A sees its own events.
    const own = await a.get(`/v1/dnc/audit?entryId=${aEntries[0]!.$id}`);
    expect(own.body.data.total).toBe(1);
    expect(own.body.data.events[0]).toMatchObject({ teamId: TEAM_A, entryId: aEntries[0]!.$id, action: 'dnc.entry.added' });
  });

  it("when team B adds the same URL as team A, then it gets its own entry and each team's list is independent", async () => {
    const shared = aEntries[0]!;
    const added = await b.post('/v1/dnc', { url: 'in/iso-alice' });
    expect(added.status).toBe(201);
    const bEntry = added.body.data;
    expect(bEntry).toMatchObject({ teamId: TEAM_B, url: shared.url });
    expect(bEntry.$id).not.toBe(shared.$id);

    // Each team's duplicate answer names its own entry.
    const bDuplicate = await b.post('/v1/dnc', { url: shared.url });
    expect(bDuplicate.status).toBe(409);
    expect(bDuplicate.body).toEqual({ error: 'duplicate_entry', message: expect.any(String), data: { entry: bEntry } });
    const aDuplicate = await a.post('/v1/dnc', { url: shared.url });
    expect(aDuplicate.status).toBe(409);
    expect(aDuplicate.body.data).toEqual({ entry: shared });

    expect((await b.get(checkPath(shared.url))).body.data).toEqual({ onList: true, entry: bEntry });
    expect((await a.get(checkPath(shared.url))).body.data).toEqual({ onList: true, entry: shared });
    expect((await b.get('/v1/dnc')).body.data).toEqual({ entries: [bEntry], total: 1, limit: 50, offset: 0, nextCursor: null });

    // B deleting its copy leaves A's in place, and vice versa.
    expect((await b.delete(`/v1/dnc/${bEntry.$id}`)).status).toBe(200);
    expect((await b.get(checkPath(shared.url))).body.data).toEqual({ onList: false, entry: null });
    expect((await a.get(checkPath(shared.url))).body.data).toEqual({ onList: true, entry: shared });

    const readded = await b.post('/v1/dnc', { url: shared.url });
    expect(readded.status).toBe(201);
    expect((await a.delete(`/v1/dnc/${shared.$id}`)).status).toBe(200);
    expect((await a.get(checkPath(shared.url))).body.data).toEqual({ onList: false, entry: null });
    expect((await b.get(checkPath(shared.url))).body.data).toEqual({ onList: true, entry: readded.body.data });
  });

  it("when team B batch-adds team A's URLs, then they are added to B's list, not reported as duplicates", async () => {
    const urls = [aEntries[1]!.url, aEntries[2]!.url];
    const batch = await b.post('/v1/dnc/batch', { entries: urls.map((url) => ({ url })) });
    expect(batch.status).toBe(201);
    expect(batch.body.data).toMatchObject({ added: 2, duplicates: 0, errors: 0 });
    const aRows = await env.services.db.selectFrom('dnc_entries').select('id').where('team_id', '=', TEAM_A).orderBy('id').execute();
    expect(aRows.map((row) => row.id).sort()).toEqual([aEntries[1]!.$id, aEntries[2]!.$id].sort());
  });
});

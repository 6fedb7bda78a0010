import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { waitForJob } from '../support/bulk.js';
import { client } from '../support/http.js';

let env: TestEnvironment;
let api: ReturnType<typeof client>;

const WINDOW_MS = 1500;

beforeAll(async () => {
  env = await createTestEnvironment({
    ...unlimited,
    RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
    DNC_WRITE_LIMIT: '10',
    DNC_WRITE_RESERVED_FOR_SYNC: '2',
  });
  const running = await env.startApi();
  await env.startWorker();
  const key = await env.createKey('team_bulk');
  api = client(running.baseUrl, key.apiKey);
});
afterAll(() => env?.cleanup());

async function addEntries(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const rows = await env.services.db
      .insertInto('dnc_entries')
      .values({
        id: `dnc_seed${i}x${Math.random().toString(36).slice(2, 8)}`,
        team_id: 'team_bulk',
        url: `https://linkedin.com/in/seed-${i}-${Math.random()}`,
      })
      .returning('id')
      .execute();
    ids.push(rows[0]!.id);
  }
  return ids;
}

describe('bulk deletion', () => {
  it('when 20 ids are submitted, then the worker deletes them at the pace of the window and the job completes', async () => {
    const ids = await addEntries(18);
    const submitted = await api.post('/v1/dnc/bulk-delete', { ids: [...ids, 'dnc_missing1', 'dnc_missing2', ids[0]], reason: 'cleanup' });
    expect(submitted.status).toBe(202);
    expect(submitted.headers.get('location')).toBe(`/v1/dnc/bulk-delete/${submitted.body.data.$id}`);
    expect(submitted.body.data.total).toBe(20);
    const job = await waitForJob(api, submitted.body.data.$id);
    expect(job.status).toBe('completed');
    expect(job.counts).toEqual({ pending: 0, deleted: 18, notFound: 2, forbidden: 0, failed: 0, cancelled: 0 });
    expect(job.processed).toBe(20);
    const remaining = await env.services.db.selectFrom('dnc_entries').select('id').where('id', 'in', ids).execute();
    expect(remaining).toEqual([]);
    const audits = await env.services.db
      .selectFrom('audit_events')
      .selectAll()
      .where('job_id', '=', job.$id)
      .where('action', '=', 'dnc.entry.deleted')
      .execute();
    expect(audits).toHaveLength(18);
    expect(audits.every((a) => a.source === 'bulk' && a.reason === 'cleanup')).toBe(true);
  });
});

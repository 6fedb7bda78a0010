import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM_FAILED_REASON } from '../../apps/worker/src/drain-step.js';
import { seedEntries, waitForJob } from '../support/bulk.js';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';

let env: TestEnvironment;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  env = await createTestEnvironment({ ...unlimited, RATE_LIMIT_WINDOW_MS: '1000', DNC_WRITE_LIMIT: '20' });
  const running = await env.startApi();
  await env.startWorker();
  api = client(running.baseUrl, (await env.createKey('team_poison')).apiKey);
  // An entry whose deletion always fails, as a corrupt row or a buggy trigger would.
  await sql`
    create function refuse_poison() returns trigger language plpgsql as $$
    begin
      if old.id = 'dnc_poison1' then raise exception 'refusing to delete %', old.id; end if;
      return old;
    end $$`.execute(env.services.db);
  await sql`create trigger refuse_poison before delete on dnc_entries for each row execute function refuse_poison()`.execute(
    env.services.db,
  );
});
afterAll(() => env?.cleanup());

describe('an item that cannot be deleted', () => {
  it('when one item keeps failing, then it alone is marked failed and the rest of the job completes', async () => {
    const [first, second, third] = await seedEntries(env.services.db, 'team_poison', 'ok', 3);
    await seedEntries(env.services.db, 'team_poison', 'poison', 1);
    const submitted = await api.post('/v1/dnc/bulk-delete', { ids: [first, 'dnc_poison1', second, third] });
    expect(submitted.status).toBe(202);

    const job = await waitForJob(api, submitted.body.data.$id);
    expect(job.status).toBe('completed');
    expect(job.counts).toEqual({ pending: 0, deleted: 3, notFound: 0, forbidden: 0, failed: 1, cancelled: 0 });

    const items = await api.get(`/v1/dnc/bulk-delete/${job.$id}/items?status=failed`);
    expect(items.body.data.items).toEqual([
      { id: 'dnc_poison1', status: 'failed', error: ITEM_FAILED_REASON, processedAt: expect.any(String) },
    ]);
    // The error the item shows says nothing about SQL.
    expect(JSON.stringify(items.body)).not.toMatch(/refusing|trigger|delete from/i);
    const poison = await env.services.db.selectFrom('dnc_entries').select('id').where('id', '=', 'dnc_poison1').execute();
    expect(poison).toHaveLength(1);
  });
});

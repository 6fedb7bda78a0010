import { submitBulkDeletion } from '@dnc/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrainStep, ITEM_FAILED_REASON } from '../../apps/worker/src/drain-step.js';
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

  it('when several teams run together and one of them has such an item, then it alone fails and every other team is drained', async () => {
    const { db, drainPace } = env.services;
    const teams = ['team_group_a', 'team_group_b', 'team_group_c'];
    const jobs = new Map<string, string>();
    for (const teamId of teams) {
      await env.createKey(teamId);
      const ids = await seedEntries(db, teamId, `${teamId.slice(-1)}grouped`, 4);
      // Team b's second item is the poisoned entry.
      if (teamId === 'team_group_b') ids.splice(1, 0, 'dnc_poison2');
      const { job } = await submitBulkDeletion(db, { teamId, apiKeyId: null, requestId: null, entryIds: ids, reason: null }, drainPace);
      jobs.set(teamId, job.$id);
    }
    await sql`insert into dnc_entries (id, team_id, url) values ('dnc_poison2', 'team_group_b', 'https://linkedin.com/in/poison-2')`.execute(
      db,
    );
    await sql`
      create or replace function refuse_poison() returns trigger language plpgsql as $$
      begin
        if old.id in ('dnc_poison1', 'dnc_poison2') then raise exception 'refusing to delete %', old.id; end if;
        return old;
      end $$`.execute(db);

    // The three runs handed over together, as the drainer hands over runs that waited for a slot.
    const drainSteps = createDrainStep(env.services);
    const results = await drainSteps(teams.map((teamId) => ({ teamId, repairCache: false })));
    expect(results).toEqual(teams.map(() => ({ status: 'fulfilled', value: { drained: true } })));

    for (const teamId of teams) {
      const job = await db
        .selectFrom('bulk_jobs')
        .select(['status', 'finished_items', 'total'])
        .where('id', '=', jobs.get(teamId)!)
        .executeTakeFirstOrThrow();
      expect(job).toEqual({ status: 'completed', finished_items: job.total, total: teamId === 'team_group_b' ? 5 : 4 });
      const items = await db.selectFrom('bulk_job_items').select(['entry_id', 'status']).where('job_id', '=', jobs.get(teamId)!).execute();
      const failed = items.filter((item) => item.status === 'failed').map((item) => item.entry_id);
      expect(failed).toEqual(teamId === 'team_group_b' ? ['dnc_poison2'] : []);
      expect(items.filter((item) => item.status === 'deleted')).toHaveLength(4);
      const audits = await db
        .selectFrom('audit_events')
        .select('entry_id')
        .where('job_id', '=', jobs.get(teamId)!)
        .where('action', '=', 'dnc.entry.deleted')
        .execute();
      expect(audits.map((audit) => audit.entry_id).sort()).toEqual(
        items
          .filter((item) => item.status === 'deleted')
          .map((item) => item.entry_id)
          .sort(),
      );
    }
  });
});

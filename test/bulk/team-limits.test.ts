// The drainer follows each team's own dnc-write limit (minus the reserve): a team with a limit of
// 10 and a reserve of 5 has 5 items deleted per window, whatever the configured default.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEntries, waitForJob } from '../support/bulk.js';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { sleep } from '../support/wait.js';

const WINDOW_MS = 1_000;
const RESERVE = 5;
/** How long a process may apply a team's old limits after a change. */
const APPLY_BOUND_MS = 5_000;

let env: TestEnvironment;
let baseUrl: string;

beforeAll(async () => {
  env = await createTestEnvironment({
    RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
    DNC_WRITE_LIMIT: '51',
    DNC_WRITE_RESERVED_FOR_SYNC: String(RESERVE),
    DNC_BULK_LIMIT: '100000',
    DNC_READ_LIMIT: '100000',
    JOBS_READ_LIMIT: '100000',
  });
  baseUrl = (await env.startApi()).baseUrl;
  await env.startWorker();
});
afterAll(() => env?.cleanup());

/**
 * The sizes of the job's batches, in order. A batch is one transaction, and every item it executes
 * gets the transaction's `now()` as `processed_at`: items that share it ran in one batch.
 */
async function batchSizes(jobId: string): Promise<number[]> {
  const rows = await sql<{ size: number }>`
    select count(*)::int as size from bulk_job_items where job_id = ${jobId}
    group by processed_at order by processed_at`.execute(env.services.db);
  return rows.rows.map((row) => row.size);
}

const apis = new Map<string, ReturnType<typeof client>>();
/** The team's API client; its key, made on first use, also creates the team. */
async function apiOf(teamId: string) {
  if (!apis.has(teamId)) apis.set(teamId, client(baseUrl, (await env.createKey(teamId)).apiKey));
  return apis.get(teamId)!;
}

async function seed(teamId: string, tag: string, count: number) {
  await apiOf(teamId);
  return seedEntries(env.services.db, teamId, tag, count);
}

async function submitAndWait(teamId: string, ids: string[]) {
  const api = await apiOf(teamId);
  const submitted = await api.post('/v1/dnc/bulk-delete', { ids });
  expect(submitted.status).toBe(202);
  const job = await waitForJob(api, submitted.body.data.$id, 30_000);
  expect(job.counts).toMatchObject({ pending: 0, deleted: ids.length });
  return job;
}

describe('per-team dnc-write limits and the drainer', () => {
  it('when a team has a dnc-write limit of 10 with a reserve of 5, then the drainer deletes 5 items per window', async () => {
    await env.services.teamLimits.set('team_slow_plan', { 'dnc-write': 10 });
    const ids = await seed('team_slow_plan', 'slowplan', 15);
    const job = await submitAndWait('team_slow_plan', ids);
    expect(await batchSizes(job.$id)).toEqual([5, 5, 5]);
  });

  it('when a team has no limit of its own, then the drainer takes the configured default minus the reserve', async () => {
    const ids = await seed('team_default_plan', 'defaultplan', 15);
    const job = await submitAndWait('team_default_plan', ids);
    expect(await batchSizes(job.$id)).toEqual([15]);
  });

  it('when a team the worker already knows gets a new limit, then jobs submitted 5 s later are drained at the new pace', async () => {
    const first = await submitAndWait('team_new_plan', await seed('team_new_plan', 'newplana', 12));
    expect(await batchSizes(first.$id)).toEqual([12]);

    // Another process (as the operator CLI does) changes the limit; the worker has the old one cached.
    await env.services.teamLimits.set('team_new_plan', { 'dnc-write': 8 });
    const changedBy = Date.now();
    const ids = await seed('team_new_plan', 'newplanb', 9);
    // The bound itself is what is tested: a job submitted once it has passed must see the new limit.
    await sleep(changedBy + APPLY_BOUND_MS - Date.now());
    const second = await submitAndWait('team_new_plan', ids);
    expect(await batchSizes(second.$id)).toEqual([3, 3, 3]);
  });

  it('when a team has its own limit, then a job’s estimated completion follows the team’s pace', async () => {
    await env.services.teamLimits.set('team_estimate', { 'dnc-write': 7 });
    const api = await apiOf('team_estimate');
    // Nothing exists: the items end as not_found, but the estimate is made at submission.
    const ids = Array.from({ length: 20 }, (_, n) => `dnc_estimate${n}`);
    const before = Date.now();
    const submitted = await api.post('/v1/dnc/bulk-delete', { ids });
    expect(submitted.status).toBe(202);
    // 20 items at 2 per window: 10 windows, the first one now.
    const estimate = Date.parse(submitted.body.data.estimatedCompletionAt);
    expect(estimate - before).toBeGreaterThanOrEqual(9 * WINDOW_MS);
    expect(estimate - Date.now()).toBeLessThanOrEqual(9 * WINDOW_MS);
  });
});

// Issue 12 §2: changing BULK_QUEUE_SHARDS while jobs are pending loses nothing. Jobs are submitted
// under 6 shards with no worker running, then only processes configured with 2 shards remain: their
// reconciler moves the drainers left in the 6-shard queues, and every job completes exactly once.
// Runs in the redis-cluster project (the shards sit in different slots of different masters).
import { createBulkQueues } from '@dnc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobLedger, seedEntries, waitForJob } from '../support/bulk.js';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { startWorkerProcess, stopAllProcesses } from '../support/processes.js';

const TEAMS = 12;
const ITEMS = 40;

let env: TestEnvironment;

beforeAll(async () => {
  env = await createTestEnvironment({
    ...unlimited,
    BULK_QUEUE_SHARDS: '6',
    RECONCILE_INTERVAL_MS: '500',
    WORKER_LOCK_DURATION_MS: '5000',
  });
  expect(env.env.REDIS_CLUSTER_NODES, 'run in the redis-cluster vitest project').toBeTruthy();
});
afterAll(async () => {
  await stopAllProcesses();
  await env?.cleanup();
});

async function submitJobs(baseUrl: string, teams: string[]) {
  return Promise.all(
    teams.map(async (team) => {
      // The key first: it creates the team the entries belong to. The tag ends in x so that
      // team 1's entry 10 and team 11's entry 0 differ.
      const key = (await env.createKey(team)).apiKey;
      const api = client(baseUrl, key);
      const ids = await seedEntries(env.services.db, team, `${team.replace(/[^a-z0-9]/gi, '')}x`, ITEMS);
      const submitted = await api.post('/v1/dnc/bulk-delete', { ids, reason: 'reshard' });
      expect(submitted.status).toBe(202);
      return { apiKey: key, jobId: submitted.body.data.$id as string };
    }),
  );
}

describe('BULK_QUEUE_SHARDS changed while jobs are pending', { timeout: 240_000 }, () => {
  it('when 6 shards become 2 with jobs queued on the 6, then every job completes and every item is deleted exactly once', async () => {
    const sixShardApi = await env.startApi();
    const teams = Array.from({ length: TEAMS }, (_, n) => `team_reshard_${n}`);
    const early = await submitJobs(sixShardApi.baseUrl, teams.slice(0, TEAMS / 2));
    const sixShards = createBulkQueues({ redisPrefix: env.env.REDIS_PREFIX!, bulkQueueShards: 6 }, env.services.redis);
    try {
      // Nothing consumes them yet: the drainers wait in the 6-shard queues.
      const waiting = await sixShards.getJobCounts('waiting', 'delayed', 'prioritized');
      expect(Object.values(waiting).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
      await sixShardApi.close();

      // From now on the deployment runs with 2 shards: new submissions and the only worker.
      const twoShards = { BULK_QUEUE_SHARDS: '2' };
      const twoShardApi = await env.startApi(twoShards);
      await startWorkerProcess(env.env, twoShards, 90_000);
      const late = await submitJobs(twoShardApi.baseUrl, teams.slice(TEAMS / 2));

      for (const { apiKey, jobId } of [...early, ...late]) {
        const job = await waitForJob(client(twoShardApi.baseUrl, apiKey), jobId, 180_000, 250);
        expect(job.status).toBe('completed');
        const ledger = await jobLedger(env.services.db, jobId);
        expect(ledger.byStatus).toEqual({ deleted: ITEMS });
        expect(ledger.auditedEntries).toEqual(ledger.deletedItems);
        expect(ledger.distinctAudited).toBe(ITEMS);
      }
      // Nothing is left behind in the old layout.
      const left = await sixShards.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
      expect(left).toEqual({ waiting: 0, delayed: 0, prioritized: 0, active: 0 });
    } finally {
      await sixShards.close();
    }
  });
});

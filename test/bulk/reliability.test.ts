// The pipeline's guarantees under failure: real worker processes, real Postgres and Redis.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobLedger, maxWritesInAnyWindow, seedEntries, waitForJob, waitUntil } from '../support/bulk.js';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { spawnNode, startApiProcess, stopAllProcesses, type NodeProcess } from '../support/processes.js';

const WORKER_ENTRY = 'apps/worker/src/main.ts';

let env: TestEnvironment;
let baseUrl: string;

const settings = {
  RATE_LIMIT_WINDOW_MS: '1000',
  DNC_WRITE_LIMIT: '400',
  DNC_WRITE_RESERVED_FOR_SYNC: '5',
  DNC_BULK_LIMIT: '100000',
  JOBS_READ_LIMIT: '100000',
  DNC_READ_LIMIT: '100000',
  WORKER_LOCK_DURATION_MS: '2000',
  RECONCILE_INTERVAL_MS: '500',
};

beforeAll(async () => {
  env = await createTestEnvironment(settings);
  baseUrl = (await env.startApi()).baseUrl;
});
afterAll(async () => {
  await stopAllProcesses();
  await env?.cleanup();
});

async function startWorkerProcess(overrides: Record<string, string> = {}): Promise<NodeProcess> {
  const worker = spawnNode(WORKER_ENTRY, { ...env.env, LOG_LEVEL: 'info', ...overrides });
  await worker.waitForLog((line) => line.msg === 'worker started');
  return worker;
}

async function teamClient(teamId: string) {
  return client(baseUrl, (await env.createKey(teamId)).apiKey);
}

async function submit(api: ReturnType<typeof client>, ids: string[]) {
  const submitted = await api.post('/v1/dnc/bulk-delete', { ids, reason: 'reliability' });
  expect(submitted.status).toBe(202);
  return submitted.body.data.$id as string;
}

function expectExactlyOnce(ledger: Awaited<ReturnType<typeof jobLedger>>, expectedDeleted: number) {
  expect(ledger.byStatus).toEqual({ deleted: expectedDeleted });
  expect(ledger.auditedEntries).toEqual(ledger.deletedItems);
  expect(ledger.distinctAudited).toBe(expectedDeleted);
}

describe('bulk deletion under failure', () => {
  it('when the worker is killed with SIGKILL mid-job, then after a restart every item is final exactly once', async () => {
    const api = await teamClient('team_kill');
    const ids = await seedEntries(env.services.db, 'team_kill', 'kill', 4000);
    const jobId = await submit(api, ids);
    const first = await startWorkerProcess();
    await waitUntil(async () => (await api.get(`/v1/dnc/bulk-delete/${jobId}`)).body.data.counts.deleted > 0);
    await first.stop('SIGKILL');

    const midway = await api.get(`/v1/dnc/bulk-delete/${jobId}`);
    expect(midway.body.data.counts.pending).toBeGreaterThan(0);

    const second = await startWorkerProcess();
    const job = await waitForJob(api, jobId, 60_000);
    await second.stop();
    expect(job.status).toBe('completed');
    expectExactlyOnce(await jobLedger(env.services.db, jobId), ids.length);
    const left = await env.services.db.selectFrom('dnc_entries').select('id').where('team_id', '=', 'team_kill').execute();
    expect(left).toEqual([]);
  });

  it('when Redis loses every key mid-job, then the reconciler re-enqueues the team and the job completes', async () => {
    const api = await teamClient('team_flush');
    const ids = await seedEntries(env.services.db, 'team_flush', 'flush', 2000);
    const worker = await startWorkerProcess({ DNC_WRITE_LIMIT: '105' });
    const jobId = await submit(api, ids);
    await waitUntil(async () => (await api.get(`/v1/dnc/bulk-delete/${jobId}`)).body.data.counts.deleted > 0);

    const keys = await env.services.redis.keys(`${env.env.REDIS_PREFIX}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await env.services.redis.del(...keys);
    expect((await api.get(`/v1/dnc/bulk-delete/${jobId}`)).body.data.counts.pending).toBeGreaterThan(0);

    const job = await waitForJob(api, jobId, 60_000);
    await worker.stop();
    expect(job.status).toBe('completed');
    expectExactlyOnce(await jobLedger(env.services.db, jobId), ids.length);
  });

  it('when Postgres connections are killed mid-job, then batches retry and nothing is lost or doubled', async () => {
    const api = await teamClient('team_pgkill');
    const ids = await seedEntries(env.services.db, 'team_pgkill', 'pgkill', 2000);
    const worker = await startWorkerProcess({ DNC_WRITE_LIMIT: '105' });
    const jobId = await submit(api, ids);
    await waitUntil(async () => (await api.get(`/v1/dnc/bulk-delete/${jobId}`)).body.data.counts.deleted > 0);

    const database = new URL(env.env.DATABASE_URL!).pathname.slice(1);
    for (let round = 0; round < 5; round++) {
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
                where datname = ${database} and pid <> pg_backend_pid()`.execute(env.services.db);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }

    const job = await waitForJob(api, jobId, 60_000);
    await worker.stop();
    expect(job.status).toBe('completed');
    expectExactlyOnce(await jobLedger(env.services.db, jobId), ids.length);
  });

  it('when a worker gets SIGTERM, then its current batch commits, it exits 0, and another worker finishes without waiting for a lock', async () => {
    const api = await teamClient('team_sigterm');
    const ids = await seedEntries(env.services.db, 'team_sigterm', 'term', 3000);
    const jobId = await submit(api, ids);
    // Long locks: if the stop left the job stalled, the next worker could not finish in time.
    const first = await startWorkerProcess({ WORKER_LOCK_DURATION_MS: '60000', DNC_WRITE_LIMIT: '205' });
    await waitUntil(async () => (await api.get(`/v1/dnc/bulk-delete/${jobId}`)).body.data.counts.deleted > 0);
    const exit = await first.stop('SIGTERM');
    expect(exit.code).toBe(0);

    const ledgerAtStop = await jobLedger(env.services.db, jobId);
    expect(ledgerAtStop.auditedEntries).toEqual(ledgerAtStop.deletedItems);

    const second = await startWorkerProcess({ WORKER_LOCK_DURATION_MS: '60000', DNC_WRITE_LIMIT: '205' });
    const job = await waitForJob(api, jobId, 25_000);
    await second.stop();
    expect(job.status).toBe('completed');
    expectExactlyOnce(await jobLedger(env.services.db, jobId), ids.length);
  });
});

describe('bulk deletion with several processes', () => {
  it('when two workers and two API processes serve one team, then no item runs twice and no window exceeds the limit', async () => {
    const limits = { DNC_WRITE_LIMIT: '20', DNC_WRITE_RESERVED_FOR_SYNC: '4' };
    const apis = [await startApiProcess({ ...env.env, ...limits }), await startApiProcess({ ...env.env, ...limits })];
    const workers = [await startWorkerProcess(limits), await startWorkerProcess(limits)];
    const key = await env.createKey('team_multi');
    const [apiA, apiB] = apis.map((p) => client(p.baseUrl, key.apiKey)) as [ReturnType<typeof client>, ReturnType<typeof client>];
    const ids = await seedEntries(env.services.db, 'team_multi', 'multi', 80);

    const jobIds = await Promise.all([submit(apiA, ids.slice(0, 40)), submit(apiB, ids.slice(40))]);
    // Synchronous writes compete for the same budget while the jobs run.
    const syncAdds = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? apiA : apiB).post('/v1/dnc', { url: `linkedin.com/in/multi-sync-${i}` })),
    );
    expect(syncAdds.some((r) => r.status === 201)).toBe(true);
    const jobs = await Promise.all(jobIds.map((id) => waitForJob(apiA, id, 60_000)));
    await Promise.all([...workers, ...apis].map((p) => p.stop()));

    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed']);
    for (const jobId of jobIds) expectExactlyOnce(await jobLedger(env.services.db, jobId), 40);
    expect(await maxWritesInAnyWindow(env.services.db, 'team_multi', 1000, 100)).toBeLessThanOrEqual(20);
  });

  it('when small jobs keep arriving while the drainer finishes, then none is stranded', async () => {
    const worker = await startWorkerProcess({ RECONCILE_INTERVAL_MS: '600000' });
    const api = await teamClient('team_race');
    const ids = await seedEntries(env.services.db, 'team_race', 'race', 60);
    const jobIds: string[] = [];
    for (let i = 0; i < 30; i++) {
      jobIds.push(await submit(api, ids.slice(i * 2, i * 2 + 2)));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
    }
    // The reconciler is off (10 min): only the drainer's own hand-off can finish these.
    const jobs = await Promise.all(jobIds.map((id) => waitForJob(api, id, 20_000)));
    await worker.stop();
    expect(jobs.every((job) => job.status === 'completed' && job.counts.deleted === 2)).toBe(true);
  });

  it("when team A has 100,000 pending items, then team B's 30-item job completes within 2 seconds", async () => {
    const limits = { DNC_WRITE_LIMIT: '30', DNC_WRITE_RESERVED_FOR_SYNC: '5' };
    const worker = await startWorkerProcess(limits);
    const apiA = await teamClient('team_fair_a');
    const apiB = await teamClient('team_fair_b');
    for (let chunk = 0; chunk < 10; chunk++) {
      await submit(
        apiA,
        Array.from({ length: 10_000 }, (_, i) => `dnc_fairA${chunk}x${i}`),
      );
    }
    const pendingA = await sql<{ count: number }>`
      select count(*)::int as count from bulk_job_items where team_id = 'team_fair_a' and status = 'pending'`.execute(env.services.db);
    expect(pendingA.rows[0]!.count).toBeGreaterThan(99_000);

    const idsB = await seedEntries(env.services.db, 'team_fair_b', 'fairb', 30);
    const started = Date.now();
    const jobB = await submit(apiB, idsB);
    const finished = await waitForJob(apiB, jobB, 10_000, 50);
    const elapsed = Date.now() - started;
    await worker.stop();
    expect(finished.counts.deleted).toBe(30);
    expect(elapsed).toBeLessThan(2_000);
  });
});

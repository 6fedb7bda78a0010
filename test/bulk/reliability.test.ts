// The pipeline's guarantees under failure: real worker processes, real Postgres and Redis.
// A job here runs for 10 to 20 s by design (its pace is the rate limit), longer on a busy machine:
// every wait polls for a state, with deadlines and test timeouts that only catch a job that never ends.
import { deleteKeysMatching } from '@dnc/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobLedger, maxWritesInAnyWindow, seedEntries, waitForJob } from '../support/bulk.js';
import { createTestEnvironment, maintenanceClient, unlimited, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { startApiProcess, startWorkerProcess as startWorker, stopAllProcesses, type NodeProcess } from '../support/processes.js';
import { sleep, waitUntil } from '../support/wait.js';

/** A test's timeout: far beyond the 60 s a job is given to finish. */
const TEST_TIMEOUT_MS = 180_000;
/** How long a job is given to finish: several times what it needs on an idle machine. */
const JOB_DEADLINE_MS = 90_000;

let env: TestEnvironment;
let baseUrl: string;

const settings = {
  ...unlimited,
  RATE_LIMIT_WINDOW_MS: '1000',
  DNC_WRITE_LIMIT: '400',
  DNC_WRITE_RESERVED_FOR_SYNC: '5',
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

const startWorkerProcess = (overrides: Record<string, string> = {}): Promise<NodeProcess> => startWorker(env.env, overrides, 60_000);

async function teamClient(teamId: string) {
  return client(baseUrl, (await env.createKey(teamId)).apiKey);
}

async function submit(api: ReturnType<typeof client>, ids: string[]) {
  const submitted = await api.post('/v1/dnc/bulk-delete', { ids, reason: 'reliability' });
  expect(submitted.status).toBe(202);
  return submitted.body.data.$id as string;
}

/** The job's counts, or undefined while the API cannot answer (a 503 while its connections are killed). */
async function countsOf(api: ReturnType<typeof client>, jobId: string): Promise<Record<string, number> | undefined> {
  const polled = await api.get(`/v1/dnc/bulk-delete/${jobId}`);
  return polled.status === 200 ? polled.body.data.counts : undefined;
}

/** Waits until the job has deleted something: it is mid-job from then on. */
const started = (api: ReturnType<typeof client>, jobId: string) =>
  waitUntil(async () => ((await countsOf(api, jobId))?.deleted ?? 0) > 0, { timeoutMs: 60_000, what: `job ${jobId} started` });

function expectExactlyOnce(ledger: Awaited<ReturnType<typeof jobLedger>>, expectedDeleted: number) {
  expect(ledger.byStatus).toEqual({ deleted: expectedDeleted });
  expect(ledger.auditedEntries).toEqual(ledger.deletedItems);
  expect(ledger.distinctAudited).toBe(expectedDeleted);
}

/** A team with `count` entries and a job deleting them all, begun by a worker started with `overrides`. */
async function jobUnderway(teamId: string, count: number, overrides: Record<string, string> = {}) {
  const api = await teamClient(teamId);
  const ids = await seedEntries(env.services.db, teamId, teamId.replace(/^team_/, ''), count);
  const jobId = await submit(api, ids);
  const worker = await startWorkerProcess(overrides);
  await started(api, jobId);
  return { api, ids, jobId, worker };
}

/** Waits for the job to finish, stops the worker, and checks every item was deleted exactly once. */
async function expectCompletedExactlyOnce(api: ReturnType<typeof client>, jobId: string, items: number, worker: NodeProcess) {
  const job = await waitForJob(api, jobId, JOB_DEADLINE_MS);
  await worker.stop();
  expect(job.status).toBe('completed');
  expectExactlyOnce(await jobLedger(env.services.db, jobId), items);
}

describe('bulk deletion under failure', { timeout: TEST_TIMEOUT_MS }, () => {
  it('when the worker is killed with SIGKILL mid-job, then after a restart every item is final exactly once', async () => {
    const { api, ids, jobId, worker: first } = await jobUnderway('team_kill', 4000);
    await first.stop('SIGKILL');

    const midway = await api.get(`/v1/dnc/bulk-delete/${jobId}`);
    expect(midway.body.data.counts.pending).toBeGreaterThan(0);

    await expectCompletedExactlyOnce(api, jobId, ids.length, await startWorkerProcess());
    const left = await env.services.db.selectFrom('dnc_entries').select('id').where('team_id', '=', 'team_kill').execute();
    expect(left).toEqual([]);
  });

  it('when Redis loses every key mid-job, then the reconciler re-enqueues the team and the job completes', async () => {
    const { api, ids, jobId, worker } = await jobUnderway('team_flush', 2000, { DNC_WRITE_LIMIT: '105' });

    // Every master's keys on a cluster (scanKeys), not only those of the node a KEYS would reach.
    expect(await deleteKeysMatching(env.services.redis, `${env.env.REDIS_PREFIX}:*`)).toBeGreaterThan(0);
    expect((await api.get(`/v1/dnc/bulk-delete/${jobId}`)).body.data.counts.pending).toBeGreaterThan(0);

    await expectCompletedExactlyOnce(api, jobId, ids.length, worker);
  });

  it('when Postgres connections are killed mid-job, then batches retry and nothing is lost or doubled', async () => {
    const { api, ids, jobId, worker } = await jobUnderway('team_pgkill', 2000, { DNC_WRITE_LIMIT: '105' });

    // The killer talks to the server's maintenance database, so it never kills itself; every other
    // connection to the file's database goes (the worker's, the API's and this test's own pool).
    const database = new URL(env.env.DATABASE_URL!).pathname.slice(1);
    const killer = await maintenanceClient(env.env.DATABASE_URL!);
    let killed = 0;
    try {
      for (let round = 0; round < 5; round++) {
        const result = await killer.query<{ terminated: boolean }>(
          'select pg_terminate_backend(pid) as terminated from pg_stat_activity where datname = $1',
          [database],
        );
        killed += result.rows.filter((row) => row.terminated).length;
        await sleep(300);
      }
    } finally {
      await killer.end();
    }
    expect(killed).toBeGreaterThan(0);

    await expectCompletedExactlyOnce(api, jobId, ids.length, worker);
  });

  it('when a worker gets SIGTERM, then its current batch commits, it exits 0, and another worker finishes without waiting for a lock', async () => {
    // Ten-minute locks: if the stop left the job locked, the next worker could not finish it
    // within the job deadline (a fraction of that).
    const longLocks = { WORKER_LOCK_DURATION_MS: '600000', DNC_WRITE_LIMIT: '205' };
    const { api, ids, jobId, worker: first } = await jobUnderway('team_sigterm', 3000, longLocks);
    const exit = await first.stop('SIGTERM');
    expect(exit.code).toBe(0);

    const ledgerAtStop = await jobLedger(env.services.db, jobId);
    expect(ledgerAtStop.auditedEntries).toEqual(ledgerAtStop.deletedItems);

    await expectCompletedExactlyOnce(api, jobId, ids.length, await startWorkerProcess(longLocks));
  });
});

describe('bulk deletion with several processes', { timeout: TEST_TIMEOUT_MS }, () => {
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
    const jobs = await Promise.all(jobIds.map((id) => waitForJob(apiA, id, JOB_DEADLINE_MS)));
    await Promise.all([...workers, ...apis].map((p) => p.stop()));

    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed']);
    for (const jobId of jobIds) expectExactlyOnce(await jobLedger(env.services.db, jobId), 40);
    // Audit times are taken when each transaction starts, after its admission: on a busy machine,
    // hundreds of ms later. Writes of one over-admitted window still fall within 700 ms of each other.
    expect(await maxWritesInAnyWindow(env.services.db, 'team_multi', 1000, 300)).toBeLessThanOrEqual(20);
  });

  it('when small jobs keep arriving while the drainer finishes, then none is stranded', async () => {
    const worker = await startWorkerProcess({ RECONCILE_INTERVAL_MS: '600000' });
    const api = await teamClient('team_race');
    const ids = await seedEntries(env.services.db, 'team_race', 'race', 60);
    const jobIds: string[] = [];
    for (let i = 0; i < 30; i++) {
      jobIds.push(await submit(api, ids.slice(i * 2, i * 2 + 2)));
      await sleep(Math.random() * 40);
    }
    // The reconciler is off (10 min): only the drainer's own hand-off can finish these.
    const jobs = await Promise.all(jobIds.map((id) => waitForJob(api, id, JOB_DEADLINE_MS)));
    await worker.stop();
    expect(jobs.every((job) => job.status === 'completed' && job.counts.deleted === 2)).toBe(true);
  });

  it("when team A has 100,000 pending items, then team B's 30-item job completes while A's backlog is still there", async () => {
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
    const jobB = await submit(apiB, idsB);
    // B's job runs beside A's, not after it: A's backlog takes over an hour at 25 items a second,
    // B's job is done once a batch of its team has run. (How fast: `pnpm bench`.)
    const finished = await waitForJob(apiB, jobB, JOB_DEADLINE_MS, 50);
    const pendingAfter = await sql<{ count: number }>`
    select count(*)::int as count from bulk_job_items where team_id = 'team_fair_a' and status = 'pending'`.execute(env.services.db);
    await worker.stop();
    expect(finished.counts.deleted).toBe(30);
    expect(pendingAfter.rows[0]!.count).toBeGreaterThan(90_000);
  });
});

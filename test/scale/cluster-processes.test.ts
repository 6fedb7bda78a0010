// Issue 12 §4 on the real engines: 3 API and 3 worker processes on a 3-master Redis Cluster,
// 50 teams whose synchronous writes race their own bulk jobs. Runs in the redis-cluster project.
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxWritesInAnyWindow, seedEntries, waitForJob } from '../support/bulk.js';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { client, type ApiResponse } from '../support/http.js';
import { startApiProcess, startWorkerProcess, stopAllProcesses, type RunningApiProcess } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

const TEAMS = 50;
const SEEDED = 30;
/** The bulk job deletes ids[0, 25); sync deletes take ids[20, 30): ids 20–24 are raced by both. */
const BULK_END = 25;
const SYNC_DELETE_START = 20;
const SYNC_ADDS = 5;
const WRITE_LIMIT = 20;
const JOB_DEADLINE_MS = 240_000;

const limits = {
  ...unlimited,
  RATE_LIMIT_WINDOW_MS: '1000',
  DNC_WRITE_LIMIT: String(WRITE_LIMIT),
  DNC_WRITE_RESERVED_FOR_SYNC: '5',
  WORKER_LOCK_DURATION_MS: '5000',
  RECONCILE_INTERVAL_MS: '1000',
};

let env: TestEnvironment;
let apis: RunningApiProcess[];

beforeAll(async () => {
  env = await createTestEnvironment(limits);
  // This file proves the cluster deployment: it must never pass on a single Redis by accident.
  expect(env.env.REDIS_CLUSTER_NODES, 'run in the redis-cluster vitest project').toBeTruthy();
  apis = await Promise.all([1, 2, 3].map(() => startApiProcess(env.env)));
  await Promise.all([1, 2, 3].map(() => startWorkerProcess(env.env, {}, 90_000)));
});
afterAll(async () => {
  await stopAllProcesses();
  await env?.cleanup();
});

/** Sends until the answer is not a 429: the limiter turns writes away, the test wants each one done once. */
function untilAdmitted(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  return waitUntil(
    async () => {
      const response = await send();
      return response.status === 429 ? undefined : response;
    },
    { timeoutMs: 120_000, intervalMs: 150, what: 'a write admitted by the rate limiter' },
  );
}

/** Sends until the answer is not a 503 (the request is idempotent). */
function untilAnswered(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  return waitUntil(
    async () => {
      const response = await send();
      return response.status === 503 ? undefined : response;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: 'an answer other than 503' },
  );
}

/** Masters of the cluster holding at least one key of this file's prefix. */
async function mastersWithKeys(prefix: string): Promise<number> {
  const cluster = env.services.redis as Cluster;
  const counts = await Promise.all(
    cluster.nodes('master').map(async (node) => (await node.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 10_000))[1].length),
  );
  return counts.filter((count) => count > 0).length;
}

describe('3 API and 3 worker processes on a Redis Cluster, 50 teams', { timeout: 400_000 }, () => {
  it('when sync writes race bulk jobs, then every item is final once, each deletion audited once, no team over its limit', async () => {
    // isCluster, not instanceof: the test and @dnc/shared may load different copies of ioredis.
    expect(env.services.redis.isCluster).toBe(true);
    const teams = Array.from({ length: TEAMS }, (_, n) => `team_scale_${n}`);
    const seeded = new Map<string, string[]>();
    const keys = new Map<string, string>();
    for (const team of teams) {
      // The key first: it creates the team the entries belong to. The tag ends in x so that
      // team 1's entry 10 and team 11's entry 0 differ.
      keys.set(team, (await env.createKey(team)).apiKey);
      seeded.set(team, await seedEntries(env.services.db, team, `${team.replace(/[^a-z0-9]/gi, '')}x`, SEEDED));
    }
    const apiOf = (team: string, offset: number) => client(apis[(teams.indexOf(team) + offset) % apis.length]!.baseUrl, keys.get(team));

    const runs = await Promise.all(
      teams.map(async (team) => {
        const ids = seeded.get(team)!;
        // As the contract tells clients: a 503 (a dependency slower than its deadline, on a busy
        // machine) is retried with the same Idempotency-Key, which can never make a second job.
        const submitting = untilAnswered(() =>
          apiOf(team, 0).post(
            '/v1/dnc/bulk-delete',
            { ids: ids.slice(0, BULK_END), reason: 'scale' },
            { headers: { 'idempotency-key': `scale-${team}` } },
          ),
        );
        // Sync deletes and adds through the two other API processes while the job drains.
        const syncDeletes = (async () => {
          const outcomes = new Map<string, number>();
          for (const id of ids.slice(SYNC_DELETE_START))
            outcomes.set(id, (await untilAdmitted(() => apiOf(team, 1).delete(`/v1/dnc/${id}`))).status);
          return outcomes;
        })();
        const syncAdds = (async () => {
          const statuses: number[] = [];
          for (let n = 0; n < SYNC_ADDS; n++) {
            statuses.push((await untilAdmitted(() => apiOf(team, 2).post('/v1/dnc', { url: `linkedin.com/in/${team}-sync-${n}` }))).status);
          }
          return statuses;
        })();
        const submitted = await submitting;
        expect([200, 202], JSON.stringify(submitted.body)).toContain(submitted.status);
        return { team, jobId: submitted.body.data.$id as string, deletes: await syncDeletes, adds: await syncAdds };
      }),
    );
    // The teams' keys (limiter windows, queue shards) are spread over the masters, not on one node.
    expect(await mastersWithKeys(env.env.REDIS_PREFIX!)).toBeGreaterThanOrEqual(2);

    const jobs = await Promise.all(runs.map((run) => waitForJob(apiOf(run.team, 0), run.jobId, JOB_DEADLINE_MS, 500)));
    expect(jobs.map((job) => job.status)).toEqual(runs.map(() => 'completed'));

    const db = env.services.db;
    for (const run of runs) {
      const ids = seeded.get(run.team)!;
      expect(run.adds).toEqual(Array.from({ length: SYNC_ADDS }, () => 201));
      // A sync delete answers 200, or 404 when the job got there first; never anything else.
      for (const status of run.deletes.values()) expect([200, 404]).toContain(status);

      const items = await db.selectFrom('bulk_job_items').select(['entry_id', 'status']).where('job_id', '=', run.jobId).execute();
      const audits = await db
        .selectFrom('audit_events')
        .select(['entry_id', 'job_id'])
        .where('team_id', '=', run.team)
        .where('action', '=', 'dnc.entry.deleted')
        .execute();
      const left = await db.selectFrom('dnc_entries').select('id').where('team_id', '=', run.team).where('id', 'in', ids).execute();

      // Every seeded entry was deleted exactly once, by the job or by a sync delete, and audited once.
      expect(left).toEqual([]);
      expect(audits.map((a) => a.entry_id).sort()).toEqual([...ids].sort());
      // Each job item is final: deleted by the job (its audit carries the job), or not_found
      // because a sync delete won the race (that audit carries no job).
      expect(items).toHaveLength(BULK_END);
      for (const item of items) {
        const audit = audits.find((a) => a.entry_id === item.entry_id)!;
        if (item.status === 'deleted') expect(audit.job_id).toBe(run.jobId);
        else {
          expect(item.status).toBe('not_found');
          expect(audit.job_id).toBeNull();
          expect(run.deletes.get(item.entry_id!)).toBe(200);
        }
      }
      // Sync deletes outside the job all succeeded; raced ones answered 200 exactly when the job lost.
      for (const [id, status] of run.deletes) {
        const item = items.find((i) => i.entry_id === id);
        expect(status).toBe(item?.status === 'deleted' ? 404 : 200);
      }
      // Audit times are taken when each transaction starts, after its admission: the window is
      // shortened by 300 ms for that gap, as in the reliability test.
      expect(await maxWritesInAnyWindow(db, run.team, 1000, 300)).toBeLessThanOrEqual(WRITE_LIMIT);
    }
  });
});

// Issue 12 §4 on the real engines: 3 API and 3 worker processes on a 3-master Redis Cluster,
// 50 teams whose synchronous writes race their own bulk jobs. Runs in the redis-cluster project.
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamKey } from '@dnc/shared';
import { seedEntries, waitForJob } from '../support/bulk.js';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { client, type ApiResponse } from '../support/http.js';
import { startApiProcess, startWorkerProcess, stopAllProcesses, type NodeProcess, type RunningApiProcess } from '../support/processes.js';
import { sleep, waitUntil } from '../support/wait.js';

const TEAMS = 50;
const SEEDED = 30;
/** The bulk job deletes ids[0, 25); sync deletes take ids[20, 30): ids 20–24 are raced by both. */
const BULK_END = 25;
const SYNC_DELETE_START = 20;
const SYNC_ADDS = 5;
const WRITE_LIMIT = 20;
// Long enough that reading every team's window every 250 ms (slower on a busy machine) sees each
// admission before it leaves.
const WINDOW_MS = 5000;
const JOB_DEADLINE_MS = 240_000;

const limits = {
  ...unlimited,
  RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
  DNC_WRITE_LIMIT: String(WRITE_LIMIT),
  DNC_WRITE_RESERVED_FOR_SYNC: '5',
  WORKER_LOCK_DURATION_MS: '5000',
  RECONCILE_INTERVAL_MS: '1000',
};

let env: TestEnvironment;
let apis: RunningApiProcess[];
let workers: NodeProcess[];

interface TeamRun {
  team: string;
  jobId: string;
  deletes: Map<string, number>;
  adds: number[];
}

/** Which service processes have exited, with the end of their output: why requests failed. */
function processReport(): string {
  return (
    [...apis, ...workers]
      .filter((proc) => proc.child.exitCode !== null || proc.child.signalCode !== null)
      .map(
        (proc) =>
          `pid ${proc.pid} exited (${proc.child.exitCode ?? proc.child.signalCode}):\n${proc.stderr().slice(-2000)}\n${proc.stdout().slice(-2000)}`,
      )
      .join('\n') || 'every API and worker process is still running'
  );
}

beforeAll(async () => {
  env = await createTestEnvironment(limits);
  // This file proves the cluster deployment: it must never pass on a single Redis by accident.
  expect(env.env.REDIS_CLUSTER_NODES, 'run in the redis-cluster vitest project').toBeTruthy();
  apis = await Promise.all([1, 2, 3].map(() => startApiProcess(env.env)));
  workers = await Promise.all([1, 2, 3].map(() => startWorkerProcess(env.env, {}, 90_000)));
});
afterAll(async () => {
  await stopAllProcesses();
  await env?.cleanup();
});

/**
 * The response, or undefined when the connection was reset under the request: a kept-alive socket
 * the API closed as its idle timeout ran out while this busy process's own timer had not yet
 * (its event loop lags seconds under load). Clients retry that; the test checks at the end that
 * no API process died.
 */
async function sentOrDropped(send: () => Promise<ApiResponse>): Promise<ApiResponse | undefined> {
  try {
    return await send();
  } catch (error) {
    const code = ((error as Error).cause as { code?: string } | undefined)?.code;
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return undefined;
    throw error;
  }
}

/**
 * Sends until the answer is final, as the contract tells a client: a 429 waits for the window, a
 * 503 (a dependency slower than its deadline on this busy machine) is tried again. A 503'd attempt
 * may still have committed, so the retry can answer 404 or 409: the test reads the truth from
 * Postgres, not from these statuses.
 */
function untilFinal(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  return waitUntil(
    async () => {
      const response = await sentOrDropped(send);
      return response === undefined || response.status === 429 || response.status === 503 ? undefined : response;
    },
    { timeoutMs: 120_000, intervalMs: 150, what: 'a final answer (not 429 or 503)' },
  );
}

/** Sends until the answer is not a 503 (the request is idempotent). */
function untilAnswered(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  return waitUntil(
    async () => {
      const response = await sentOrDropped(send);
      return response === undefined || response.status === 503 ? undefined : response;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: 'an answer other than 503' },
  );
}

/**
 * Records every dnc-write admission of the teams while the run lasts, from the limiter's own
 * windows (one sorted set per team, an admission per member, scored with Redis's clock). A member
 * stays at least one window (5 s), so reading each set every 250 ms misses none. Audit timestamps
 * cannot prove the limit here: they are taken when a transaction starts, which on this busy
 * machine can be a second after its admission, bunching writes of two windows together.
 */
function recordAdmissions(teams: string[]) {
  const admissions = new Map(teams.map((team) => [team, new Map<string, number>()]));
  let recording = true;
  const done = (async () => {
    while (recording) {
      // A read that times out on this busy machine is tried again at the next turn; were that to
      // miss admissions, the count check against the audit would say so.
      await Promise.allSettled(
        teams.map(async (team) => {
          const flat = await env.services.redis.zrange(teamKey(env.env.REDIS_PREFIX!, team, 'ratelimit', 'dnc-write'), 0, -1, 'WITHSCORES');
          for (let i = 0; i < flat.length; i += 2) admissions.get(team)!.set(flat[i]!, Number(flat[i + 1]));
        }),
      );
      await sleep(250);
    }
  })();
  return {
    async stop() {
      recording = false;
      await done;
      return admissions;
    },
  };
}

/** The most admissions in any window: the limiter counts those scored in (t − window, t]. */
function mostInAnyWindow(scores: number[]): number {
  const sorted = [...scores].sort((a, b) => a - b);
  let most = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[start]! <= sorted[end]! - WINDOW_MS) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
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

    const recorder = recordAdmissions(teams);
    const runs = await Promise.allSettled(
      teams.map(async (team): Promise<TeamRun> => {
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
            outcomes.set(id, (await untilFinal(() => apiOf(team, 1).delete(`/v1/dnc/${id}`))).status);
          return outcomes;
        })();
        const syncAdds = (async () => {
          const statuses: number[] = [];
          for (let n = 0; n < SYNC_ADDS; n++) {
            statuses.push((await untilFinal(() => apiOf(team, 2).post('/v1/dnc', { url: `linkedin.com/in/${team}-sync-${n}` }))).status);
          }
          return statuses;
        })();
        const submitted = await submitting;
        expect([200, 202], JSON.stringify(submitted.body)).toContain(submitted.status);
        return { team, jobId: submitted.body.data.$id as string, deletes: await syncDeletes, adds: await syncAdds };
      }),
    );
    const failed = runs.find((run) => run.status === 'rejected');
    if (failed)
      throw new Error(
        `a team's requests failed: ${String(failed.reason)}${failed.reason?.cause ? ` (${failed.reason.cause})` : ''}\n${processReport()}`,
      );
    const settled = runs.map((run) => (run as PromiseFulfilledResult<TeamRun>).value);
    // The teams' keys (limiter windows, queue shards) are spread over the masters, not on one node.
    // (Read again if a scan times out on this busy machine.)
    await waitUntil(async () => (await mastersWithKeys(env.env.REDIS_PREFIX!).catch(() => 0)) >= 2, {
      timeoutMs: 30_000,
      what: "this file's keys on at least 2 masters",
    });

    expect(processReport()).toBe('every API and worker process is still running');
    const jobs = await Promise.all(settled.map((run) => waitForJob(apiOf(run.team, 0), run.jobId, JOB_DEADLINE_MS, 500)));
    expect(jobs.map((job) => job.status)).toEqual(settled.map(() => 'completed'));
    // Survivors would take a dead worker's teams over: check again that none died while draining.
    expect(processReport()).toBe('every API and worker process is still running');
    const admissions = await recorder.stop();

    const db = env.services.db;
    for (const run of settled) {
      const ids = seeded.get(run.team)!;
      // 201, or 409 when an earlier attempt that answered 503 had committed; each URL is listed once.
      for (const status of run.adds) expect([201, 409]).toContain(status);
      const added = await db
        .selectFrom('dnc_entries')
        .select('url')
        .where('team_id', '=', run.team)
        .where('url', 'like', '%-sync-%')
        .execute();
      expect(added).toHaveLength(SYNC_ADDS);
      // A sync delete answers 200, or 404 when the job (or an earlier attempt) got there first.
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
          expect(run.deletes.has(item.entry_id!)).toBe(true);
        }
      }
      // A 200 is only ever answered by the sync delete that removed the entry: its audit has no job.
      for (const [id, status] of run.deletes) {
        if (status === 200) expect(audits.find((a) => a.entry_id === id)!.job_id).toBeNull();
      }
      // No team over its limit in any window, across 3 API and 3 worker processes; and the record
      // holds at least every deletion the team's audit shows (it missed no admission).
      const admitted = [...admissions.get(run.team)!.values()];
      expect(admitted.length).toBeGreaterThanOrEqual(audits.length + SYNC_ADDS);
      expect(mostInAnyWindow(admitted)).toBeLessThanOrEqual(WRITE_LIMIT);
    }
  });
});

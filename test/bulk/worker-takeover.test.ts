// A dead worker's teams resume on a live worker. Real API and worker processes, real Postgres and
// Redis; a worker is SIGKILLed while it executes batches, and each of its teams must be re-delivered
// by a survivor's stall check (the reconciler is off) and finish with every item final exactly once.
// How long that takes is a timing, measured by `pnpm bench` (bench/takeover.ts), not asserted here.
import { drainerJobId } from '@dnc/shared';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobLedger, seedEntries, sessionsBlockedBy, waitForJob } from '../support/bulk.js';
import { createTestEnvironment, unlimited, withSessionSettings, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { startApiProcess, startWorkerProcess, stopAllProcesses, type NodeProcess } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

const LOCK_MS = 3_000;
/** How long to wait for a take-over before the test gives up: a wait, not an assertion on time. */
const WAIT_MS = LOCK_MS + 25_000;
const ITEMS_PER_BATCH = 5;

const settings = {
  // A batch of 5 items per team and second: every team needs a batch a second for the whole test.
  // The window (1 s) is shorter than the lock, so the slots a killed batch took are free again
  // before its team is taken over: what the test measures is the take-over, not the rate limit.
  ...unlimited,
  RATE_LIMIT_WINDOW_MS: '1000',
  DNC_WRITE_LIMIT: String(ITEMS_PER_BATCH + 1),
  DNC_WRITE_RESERVED_FOR_SYNC: '1',
  WORKER_LOCK_DURATION_MS: String(LOCK_MS),
  // Enough for two workers to run every team at once.
  WORKER_CONCURRENCY: '4',
  // The reconciler runs when a worker starts, and not again during the test: a take-over must not
  // depend on it.
  RECONCILE_INTERVAL_MS: '600000',
};

let env: TestEnvironment;
let baseUrl: string;

beforeAll(async () => {
  env = await createTestEnvironment(settings);
  baseUrl = (await startApiProcess(env.env)).baseUrl;
});
afterAll(async () => {
  await stopAllProcesses();
  await env?.cleanup();
});

/**
 * The file's database cancels a statement after 4 s (its statement_timeout), which would end a
 * batch blocked on the locker below before the test has picked its victim: these workers' own
 * sessions have none, so a blocked batch waits until the client's 5 s query timeout.
 */
const startWorker = () =>
  startWorkerProcess(env.env, { LOG_LEVEL: 'debug', DATABASE_URL: withSessionSettings(env.env.DATABASE_URL!, { statement_timeout: '0' }) });

async function submitTeams(prefix: string, teams: number, items: number) {
  const submitted: { teamId: string; jobId: string; api: ReturnType<typeof client> }[] = [];
  for (let n = 0; n < teams; n++) {
    const teamId = `${prefix}_${n}`;
    const api = client(baseUrl, (await env.createKey(teamId)).apiKey);
    const ids = await seedEntries(env.services.db, teamId, `${prefix.replace(/[^A-Za-z0-9]/g, '')}${n}x`, items);
    const response = await api.post('/v1/dnc/bulk-delete', { ids, reason: 'take-over' });
    expect(response.status).toBe(202);
    submitted.push({ teamId, jobId: response.body.data.$id as string, api });
  }
  return submitted;
}

async function itemCounts(teamIds: string[]): Promise<Map<string, { done: number; pending: number }>> {
  const rows = await sql<{ team_id: string; done: number; pending: number }>`
    select team_id, count(*) filter (where status <> 'pending')::int as done, count(*) filter (where status = 'pending')::int as pending
    from bulk_job_items where team_id = any(${teamIds}::text[]) group by team_id`.execute(env.services.db);
  return new Map(rows.rows.map((row) => [row.team_id, { done: row.done, pending: row.pending }]));
}

/** The worker process (by its pid, which the worker's BullMQ name ends with) whose drainer of the team last started a run. */
async function drainerOwner(teamId: string, workers: NodeProcess[]): Promise<NodeProcess | undefined> {
  const job = await env.services.bulkQueue.getJob(drainerJobId(teamId));
  return workers.find((worker) => job?.processedBy?.endsWith(`:${worker.pid}`));
}

/** When the survivor's log says it executed a batch of the team at or after `since` (worker clock = ours). */
async function nextBatchAt(survivor: NodeProcess, teamId: string, since: number): Promise<number> {
  const line = await survivor.waitForLog(
    (l) => l.msg === 'bulk batch executed' && l.teamId === teamId && Date.parse(String(l.time)) >= since,
    WAIT_MS,
  );
  return Date.parse(String(line.time));
}

function stalledFailures(workers: NodeProcess[]) {
  return workers.flatMap((worker) =>
    worker.logLines().filter((l) => l.msg === 'bulk batch failed' && JSON.stringify(l.err ?? '').includes('stalled')),
  );
}

async function expectEveryItemFinalExactlyOnce(jobs: { jobId: string; api: ReturnType<typeof client> }[], items: number) {
  for (const { jobId, api } of jobs) {
    const job = await waitForJob(api, jobId, 120_000, 250);
    expect(job.status).toBe('completed');
    const ledger = await jobLedger(env.services.db, jobId);
    expect(ledger.byStatus).toEqual({ deleted: items });
    expect(ledger.auditedEntries).toEqual(ledger.deletedItems);
    expect(ledger.distinctAudited).toBe(items);
  }
}

describe('worker take-over', () => {
  it(
    "when the worker executing batches is SIGKILLed, twice, then a live worker's stall check re-delivers each of its teams, " +
      'which run their next batch there, and every item is final exactly once',
    async () => {
      const TEAMS = 6;
      const ITEMS = 150;
      const live = [await startWorker(), await startWorker()];
      const everyWorker = [...live];
      const jobs = await submitTeams('team_take', TEAMS, ITEMS);
      const teamIds = jobs.map((job) => job.teamId);
      await waitUntil(async () => [...(await itemCounts(teamIds)).values()].filter((c) => c.done > 0).length === TEAMS);

      // The locker holds every remaining entry of the teams: each team's next batch blocks on it,
      // inside its transaction, with its drainer active on its worker — "mid-batch", for as long
      // as the test needs to pick the victim.
      const locker = new pg.Client({ connectionString: env.env.DATABASE_URL });
      await locker.connect();
      const lockerPid = (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const resumed: { round: number; teamId: string; ms: number }[] = [];
      let stalledBefore: string[] = [];
      try {
        for (const round of [1, 2]) {
          const counts = await itemCounts(teamIds);
          // Enough work left for the round to mean something (a design check of the test itself).
          expect([...counts.values()].every((c) => c.pending >= 5 * ITEMS_PER_BATCH)).toBe(true);

          // Every team must be blocked mid-batch at once, and a blocked batch fails at the 5 s query
          // timeout: on a busy machine some team may not reach its next batch within 4 s, so the
          // lock is released and taken again until one attempt catches them all.
          // The locker takes the rows in its own order while batches are locking theirs: Postgres
          // may find a deadlock and cancel the locker's statement, which is then just a failed attempt.
          for (let attempt = 1; ; attempt++) {
            await locker.query('begin');
            const locked = await locker.query('select id from dnc_entries where team_id = any($1::text[]) for update', [teamIds]).then(
              () => true,
              (error: unknown) => {
                if ((error as { code?: string }).code === '40P01') return false; // deadlock_detected
                throw error;
              },
            );
            const everyTeamBlocked =
              locked &&
              (await waitUntil(async () => (await sessionsBlockedBy(env.services.db, lockerPid)) === TEAMS, {
                timeoutMs: 4_000,
                intervalMs: 20,
              }).then(
                () => true,
                () => false,
              ));
            if (everyTeamBlocked) break;
            await locker.query('rollback');
            if (attempt === 8) throw new Error('no attempt held every team mid-batch at once');
          }

          const owners = new Map<string, NodeProcess>();
          for (const teamId of teamIds) {
            const owner = await drainerOwner(teamId, live);
            expect(owner, `the drainer of ${teamId} runs on a live worker`).toBeDefined();
            owners.set(teamId, owner!);
          }
          // Round 2 kills the worker holding the most teams that already stalled once: their
          // drainer jobs stall a second time (BullMQ's default limit failed them then).
          const score = (worker: NodeProcess) =>
            teamIds.filter((t) => owners.get(t) === worker && stalledBefore.includes(t)).length * 100 +
            teamIds.filter((t) => owners.get(t) === worker).length;
          const victim = [...live].sort((a, b) => score(b) - score(a))[0]!;
          const survivor = live.find((worker) => worker !== victim)!;
          const affected = teamIds.filter((t) => owners.get(t) === victim);
          expect(affected.length).toBeGreaterThan(0);
          if (round === 2) expect(affected.some((t) => stalledBefore.includes(t))).toBe(true);

          const killedAt = Date.now();
          victim.child.kill('SIGKILL');
          await victim.exited;
          // Its connections are gone: Postgres rolled its batches back. Let every other batch go.
          await locker.query('rollback');
          live.splice(live.indexOf(victim), 1);

          for (const teamId of affected) {
            // Re-delivered by the survivor's stall check (the reconciler is off), then executed.
            await survivor.waitForLog(
              (l) => l.msg === 'bulk drainer stalled; re-delivered to a live worker' && l.jobId === drainerJobId(teamId),
              WAIT_MS,
            );
            resumed.push({ round, teamId, ms: (await nextBatchAt(survivor, teamId, killedAt)) - killedAt });
          }
          stalledBefore = affected;
          if (round === 1) {
            const replacement = await startWorker();
            live.push(replacement);
            everyWorker.push(replacement);
          }
        }
      } finally {
        await locker.end();
      }

      console.info(`resume after SIGKILL: ${resumed.map((r) => `r${r.round} ${r.teamId} ${r.ms} ms`).join(', ')}`);

      await expectEveryItemFinalExactlyOnce(jobs, ITEMS);
      expect(stalledFailures(everyWorker)).toEqual([]);
      await Promise.all(live.map((worker) => worker.stop()));
    },
    180_000,
  );

  it('when a worker is SIGKILLed while its teams wait in the delayed set, then they continue on another worker', async () => {
    const TEAMS = 3;
    const ITEMS = 40;
    const live = [await startWorker(), await startWorker()];
    const jobs = await submitTeams('team_delayed', TEAMS, ITEMS);
    const teamIds = jobs.map((job) => job.teamId);
    await waitUntil(async () => [...(await itemCounts(teamIds)).values()].filter((c) => c.done > 0).length === TEAMS);

    // A delayed drainer belongs to no worker: whichever fetches next promotes it when due. Every
    // fetch promotes due jobs and learns the next due time, and an idle worker wakes then (or
    // within 5 s, BullMQ's drainDelay, when it knows of none): here, every due time is within a
    // 1 s window. Batches take milliseconds of each second: between two, every drainer is delayed.
    const waiting = async () => {
      const states = await Promise.all(teamIds.map(async (t) => (await env.services.bulkQueue.getJob(drainerJobId(t)))?.getState()));
      return states.every((state) => state === 'delayed');
    };
    await waitUntil(waiting, { timeoutMs: 5_000, intervalMs: 10 });
    const owners = await Promise.all(teamIds.map((t) => drainerOwner(t, live)));
    const victim = [...live].sort((a, b) => owners.filter((o) => o === b).length - owners.filter((o) => o === a).length)[0]!;
    const survivor = live.find((worker) => worker !== victim)!;
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited;

    const resumed: { teamId: string; ms: number }[] = [];
    for (const teamId of teamIds) resumed.push({ teamId, ms: (await nextBatchAt(survivor, teamId, killedAt)) - killedAt });
    console.info(`next batch after SIGKILL of an idle worker: ${resumed.map((r) => `${r.teamId} ${r.ms} ms`).join(', ')}`);

    await expectEveryItemFinalExactlyOnce(jobs, ITEMS);
    expect(stalledFailures([victim, survivor])).toEqual([]);
    await survivor.stop();
  }, 120_000);
});

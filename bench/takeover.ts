// How long a dead worker's teams wait (README, Guarantees: "resume within WORKER_LOCK_DURATION_MS
// + 5 s"). The tests check the behaviour — a survivor's stall check re-delivers every drainer of a
// SIGKILLed worker, and every item ends final exactly once (test/bulk/worker-takeover.test.ts) —
// and this bench measures the time, through the COMPILED API and workers (`pnpm build` first):
//
//   6 teams with bulk jobs, two workers, WORKER_LOCK_DURATION_MS 3000, the reconciler off. A
//   Postgres transaction holds every remaining entry of the teams, so each team's next batch
//   blocks mid-transaction on its worker; the worker holding the most teams is SIGKILLed; the time
//   from the kill to the survivor taking each of its teams over (re-delivery) is the take-over time.
//
// Run alone: `node --conditions=@dnc/source --import tsx bench/takeover.ts`.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createLogger, createServices, drainerJobId, loadConfig, migrateToLatest } from '@dnc/shared';
import { sql } from 'kysely';
import pg from 'pg';
import { sleep, startCompiled, stopChild, type Child } from './floor-drain.js';
import { createThrowAway } from './throw-away.js';

const LOCK_MS = 3_000;
const TEAMS = 6;
const ITEMS = 150;
const BATCH = 5;

export interface TakeoverResult {
  lockMs: number;
  /** Kill → first batch of each of the victim's teams on the survivor, in ms. */
  resumedMs: number[];
  lines: string[];
}

export async function takeoverBenchmark(): Promise<TakeoverResult> {
  const throwAway = await createThrowAway('takeoverbench');
  const settings = throwAway.childEnv({
    LOG_LEVEL: 'warn',
    // A 1 s window of BATCH + 1 writes, one kept for sync: a batch of BATCH items per team and
    // second, so every team is always between two batches or in one.
    RATE_LIMIT_WINDOW_MS: '1000',
    DNC_WRITE_LIMIT: String(BATCH + 1),
    DNC_WRITE_RESERVED_FOR_SYNC: '1',
    DNC_BULK_LIMIT: '1000',
    JOBS_READ_LIMIT: '100000',
    WORKER_LOCK_DURATION_MS: String(LOCK_MS),
    WORKER_CONCURRENCY: '4',
    // A take-over must not depend on the reconciler.
    RECONCILE_INTERVAL_MS: '600000',
  });
  const services = createServices(loadConfig(settings), { name: 'bench', logger: createLogger({ level: 'silent', name: 'bench' }) });
  const children: Child[] = [];
  const locker = new pg.Client({ connectionString: throwAway.databaseUrl });
  try {
    await migrateToLatest(services.db);
    const api = await startCompiled('api', settings, { dropLogs: true });
    children.push(api);
    // The database cancels a statement after 4 s: the workers' own sessions have no such
    // timeout, so that their batches stay blocked on the locker (mid-batch) until the kill.
    const databaseUrl = new URL(throwAway.databaseUrl);
    databaseUrl.searchParams.set('options', '-c statement_timeout=0');
    const workerSettings = { ...settings, DATABASE_URL: databaseUrl.toString() };
    const workers = [
      await startCompiled('worker', workerSettings, { dropLogs: true }),
      await startCompiled('worker', workerSettings, { dropLogs: true }),
    ];
    children.push(...workers);

    const teamIds = Array.from({ length: TEAMS }, (_, n) => `team_take${n}`);
    for (const teamId of teamIds) {
      const { apiKey } = await services.apiKeys.create({ teamId, scopes: ['dnc:read', 'dnc:write'] });
      const ids = Array.from({ length: ITEMS }, (_, n) => `dnc_${teamId.replace(/[^A-Za-z0-9]/g, '')}x${n}`);
      await sql`
        insert into dnc_entries (id, team_id, url)
        select id, ${teamId}, 'https://linkedin.com/in/' || id from unnest(${ids}::text[]) id`.execute(services.db);
      const response = await fetch(`http://127.0.0.1:${api.port}/v1/dnc/bulk-delete`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ids, reason: 'take-over bench' }),
      });
      if (response.status !== 202) throw new Error(`bulk-delete answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    }
    const deletedSoFar = async () =>
      (
        await sql<{ teams: number }>`
          select count(distinct team_id)::int as teams from audit_events where team_id = any(${teamIds}::text[])`.execute(services.db)
      ).rows[0]!.teams;
    await until(async () => (await deletedSoFar()) === TEAMS, 60_000, 'every team to run a batch');

    // Hold every remaining entry: each team's next batch blocks inside its transaction.
    await locker.connect();
    const lockerPid = (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    await locker.query('begin');
    await locker.query('select id from dnc_entries where team_id = any($1::text[]) for update', [teamIds]);
    const blocked = async () =>
      (
        await sql<{ count: number }>`
          select count(*)::int as count from pg_stat_activity where ${lockerPid}::int = any(pg_blocking_pids(pid))`.execute(services.db)
      ).rows[0]!.count;
    await until(async () => (await blocked()) === TEAMS, 30_000, 'every team blocked mid-batch');

    const owner = new Map<string, Child | undefined>();
    for (const teamId of teamIds) {
      const job = await services.bulkQueue.getJob(drainerJobId(teamId));
      // Only an active drainer is held by its worker: a delayed one (its batch failed on the query
      // timeout, its backend still blocked) belongs to no worker.
      const active = (await job?.getState()) === 'active';
      owner.set(teamId, active ? workers.find((worker) => job?.processedBy?.endsWith(`:${worker.pid}`)) : undefined);
    }
    const victim = [...workers].sort((a, b) => count(owner, b) - count(owner, a))[0]!;
    const affected = teamIds.filter((teamId) => owner.get(teamId) === victim);

    const survivor = workers.find((worker) => worker !== victim)!;
    const killedAt = performance.now();
    victim.proc.kill('SIGKILL');
    await victim.exited;
    await locker.query('rollback');

    // The take-over is the moment the survivor's stall check re-delivers a team's drainer to itself
    // (its batch follows at once). Audit rows cannot time it: a single-statement batch the victim
    // sent before it died is still blocked in Postgres, and commits once the lock is released.
    const resumedAt = new Map<string, number>();
    await until(
      async () => {
        for (const teamId of affected) {
          if (resumedAt.has(teamId)) continue;
          const job = await services.bulkQueue.getJob(drainerJobId(teamId));
          if (job?.processedBy?.endsWith(`:${survivor.pid}`)) resumedAt.set(teamId, performance.now() - killedAt);
        }
        return resumedAt.size === affected.length;
      },
      LOCK_MS + 60_000,
      'the survivor to take every team over',
    );
    const resumedMs = [...resumedAt.values()].sort((a, b) => a - b);
    const lines = [
      `take-over after SIGKILL mid-batch  lock ${LOCK_MS} ms, ${affected.length} teams re-delivered to the survivor after ` +
        `${resumedMs.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}  (bound by design: lock + 1 s = ${LOCK_MS + 1_000} ms; README promises lock + 5 s)`,
    ];
    return { lockMs: LOCK_MS, resumedMs, lines };
  } finally {
    await locker.end().catch(() => undefined);
    await Promise.all(children.map((child) => stopChild(child)));
    await services.close();
    await throwAway.drop();
  }
}

const count = (owner: Map<string, Child | undefined>, worker: Child) => [...owner.values()].filter((o) => o === worker).length;

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await takeoverBenchmark();
  for (const line of result.lines) console.log(line);
}

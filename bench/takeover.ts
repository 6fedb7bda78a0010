// How long a dead worker's teams wait (README, Guarantees: "resume within WORKER_LOCK_DURATION_MS
// + 5 s"). The tests check the behaviour — a survivor's stall check re-delivers every drainer of a
// SIGKILLed worker, and every item ends final exactly once (test/bulk/worker-takeover.test.ts) —
// and this bench measures the time, through the COMPILED API and workers (`pnpm build` first):
//
//   6 teams with bulk jobs, two workers, WORKER_LOCK_DURATION_MS 3000, the reconciler off. A
//   Postgres transaction holds every remaining entry of the teams, so each team's next batch
//   blocks mid-transaction on its worker; the worker holding the most teams is SIGKILLed; the time
//   from the kill to each of its teams' first audit event on the survivor is the take-over time.
//
// Run alone: `node --conditions=@dnc/source --import tsx bench/takeover.ts`.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createLogger, createServices, drainerJobId, ensureDatabaseExists, loadConfig, maintenanceUrl, migrateToLatest } from '@dnc/shared';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import pg from 'pg';
import { sleep, startCompiled, stopChild, type Child } from './floor-drain.js';

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
  const base = loadConfig();
  const suffix = randomBytes(4).toString('hex');
  const database = `dnc_takeoverbench_${suffix}`;
  const url = new URL(maintenanceUrl(base.databaseUrl).url);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const redisPrefix = `takeoverbench_${suffix}`;
  const settings = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: base.redisUrl,
    REDIS_PREFIX: redisPrefix,
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
  };
  await ensureDatabaseExists(databaseUrl);
  const services = createServices(loadConfig(settings), { name: 'bench', logger: createLogger({ level: 'silent', name: 'bench' }) });
  const children: Child[] = [];
  const locker = new pg.Client({ connectionString: databaseUrl });
  try {
    await migrateToLatest(services.db);
    const api = await startCompiled('api', settings, { dropLogs: true });
    children.push(api);
    const workers = [
      await startCompiled('worker', settings, { dropLogs: true }),
      await startCompiled('worker', settings, { dropLogs: true }),
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
      owner.set(
        teamId,
        workers.find((worker) => job?.processedBy?.endsWith(`:${worker.pid}`)),
      );
    }
    const victim = [...workers].sort((a, b) => count(owner, b) - count(owner, a))[0]!;
    const affected = teamIds.filter((teamId) => owner.get(teamId) === victim);

    const killedAt = (await sql<{ at: Date }>`select clock_timestamp() as at`.execute(services.db)).rows[0]!.at;
    victim.proc.kill('SIGKILL');
    await victim.exited;
    await locker.query('rollback');

    // Audit rows carry their transaction's start time: the survivor's first batch of each team.
    const firstBatchAfterKill = async () =>
      (
        await sql<{ team_id: string; ms: number }>`
          select team_id, extract(epoch from min(occurred_at) - ${killedAt}::timestamptz) * 1000 as ms
          from audit_events where team_id = any(${affected}::text[]) and occurred_at > ${killedAt}::timestamptz
          group by team_id`.execute(services.db)
      ).rows;
    await until(
      async () => (await firstBatchAfterKill()).length === affected.length,
      LOCK_MS + 60_000,
      'the survivor to resume every team',
    );
    const resumedMs = (await firstBatchAfterKill()).map((row) => Number(row.ms)).sort((a, b) => a - b);
    const lines = [
      `take-over after SIGKILL mid-batch  lock ${LOCK_MS} ms, ${affected.length} teams resumed after ` +
        `${resumedMs.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}  (bound by design: lock + 1 s = ${LOCK_MS + 1_000} ms; README promises lock + 5 s)`,
    ];
    return { lockMs: LOCK_MS, resumedMs, lines };
  } finally {
    await locker.end().catch(() => undefined);
    await Promise.all(children.map((child) => stopChild(child)));
    await services.close();
    await dropEverything(base.redisUrl, base.databaseUrl, database, redisPrefix);
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

async function dropEverything(redisUrl: string, databaseUrl: string, database: string, redisPrefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  const admin = new pg.Client({ connectionString: maintenanceUrl(databaseUrl).url });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${database}" with (force)`);
  } finally {
    await admin.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await takeoverBenchmark();
  for (const line of result.lines) console.log(line);
}

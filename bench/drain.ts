// The bulk drainer against its floor (issue 11, parts 1(b) and 1(c)), through the COMPILED worker
// and API (`pnpm build` first), in a throw-away database and Redis prefix:
//
//   (b) 1,000 teams × 25 pending items drained by one `node apps/worker/dist/main.js`
//       (WORKER_CONCURRENCY 4, rate limits raised so no window binds), after an untimed warm-up
//       drain of 300 teams, vs. the floor (bench/floor-drain.ts): one delete+audit statement per
//       team, 4 at a time, same data shape, run before and after in the bench's own process.
//   (c) 1,000,000 pending items over 100 teams, stored as a submission stores them, picked up by
//       the worker's reconciler at the default limits: worker and API RSS with it pending, and how
//       long a new team's 20-item job takes from POST to `completed` through the API and worker.
//
// `drainBenchmarks()` returns the figures and the lines to print; run alone with
// `node --conditions=@dnc/source --import tsx bench/drain.ts`.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  AUDIT_RELAY_LOCK_KEY,
  createBulkQueues,
  createLogger,
  createServices,
  drainerJobId,
  drainJobOptions,
  loadConfig,
  migrateToLatest,
  type Database,
  type Services,
} from '@dnc/shared';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { cpuTimeOf, memoryOf, redisServerCpu, runDrainFloor, sleep, startCompiled, stopChild, type Child } from './floor-drain.js';
import { createThrowAway, RAISED_LIMITS } from './throw-away.js';

const DRAIN_TEAMS = 1_000;
const DRAIN_ITEMS_PER_TEAM = 25;
/** Teams the worker drains first, untimed, to warm up. */
const WARMUP_TEAMS = 300;
/** Timed drains, each between two floor runs: the round of median ratio is reported. */
const DRAIN_ROUNDS = 3;
const BACKLOG_TEAMS = 100;
const BACKLOG_ITEMS_PER_TEAM = 10_000;
const NEW_TEAM_ITEMS = 20;
const NEW_TEAM_RUNS = 3;

export interface DrainBenchmarkResult {
  /** (b) the compiled worker vs. one delete+audit statement per team, 4 at a time. */
  drain: {
    serviceItemsPerSecond: number;
    /** The mean of the floor's runs right before and right after the service's. */
    floorItemsPerSecond: number;
    floorRuns: number[];
    /** The ratio of the round reported: the median of the rounds' ratios. */
    ratio: number;
    /** Every round's ratio, in the order they ran. */
    ratios: number[];
    /** Items per second until the audit relay had caught up too, and that against the floor. */
    withRelay: { itemsPerSecond: number; ratio: number };
    serviceMs: number;
    /** Audit events not yet relayed to the log when the drain ended, and the ms until they were. */
    relay: { behindAtEnd: number; catchUpMs: number };
    cpuMsPerTeam: DrainCpuPerTeam;
  };
  /** (c) with 1,000,000 items pending: RSS of each compiled process, and the new team's job (ms, each run). */
  backlog: undefined | { workerRssMiB: number; workerPeakMiB: number; apiRssMiB: number; apiPeakMiB: number; newTeamJobMs: number[] };
  /** Human-readable lines, as `pnpm bench` prints them. */
  lines: string[];
}

/**
 * CPU time per team batch: the worker process, this database's Postgres backends, the Redis server
 * (the floor uses none; nothing else uses it while the bench runs), and the floor's Postgres;
 * `…WithRelay` counts until the audit relay had caught up too (its work is part of every
 * deletion, and what it has not done by the end of the drain it does after).
 */
export interface DrainCpuPerTeam {
  worker: number;
  postgres: number;
  redis: number;
  workerWithRelay: number;
  postgresWithRelay: number;
  floorPostgres: number;
}

export interface DrainBenchmarkOptions {
  /** Extra flags for the drained worker's node (after the service's own), e.g. `--cpu-prof`. */
  workerNodeArgs?: string[];
  /** Skip (c), the 1,000,000-item backlog: for profiling the drain alone. */
  drainOnly?: boolean;
}

export async function drainBenchmarks(options: DrainBenchmarkOptions = {}): Promise<DrainBenchmarkResult> {
  const throwAway = await createThrowAway('drainbench');
  const { databaseUrl, redisPrefix, childEnv } = throwAway;
  const config = loadConfig({ DATABASE_URL: databaseUrl, REDIS_URL: throwAway.redisUrl, REDIS_PREFIX: redisPrefix, ...RAISED_LIMITS });
  const created = createServices(config, { name: 'bench', logger: createLogger({ level: 'silent', name: 'bench' }) });
  // Seeding a million rows takes longer than the service's 5 s query timeout and the database's
  // 4 s statement_timeout: the bench's own statements go through a pool with neither.
  const unbounded = new pg.Pool({ connectionString: databaseUrl, max: 2, options: '-c statement_timeout=0' });
  const services: Services = { ...created, db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: unbounded }) }) };
  try {
    await migrateToLatest(services.db);
    const drain = await benchDrain(services, databaseUrl, childEnv, options.workerNodeArgs ?? []);
    const backlog = options.drainOnly ? undefined : await benchBacklog(services, childEnv);
    const lines = [
      `bulk drain 1,000 teams × 25   worker ${fmt(drain.serviceItemsPerSecond)} items/s (${(drain.serviceMs / 1000).toFixed(2)} s)  ` +
        `floor ${fmt(drain.floorItemsPerSecond)} items/s (before ${fmt(drain.floorRuns[0]!)}, after ${fmt(drain.floorRuns[1]!)})  ratio ${drain.ratio.toFixed(2)} (target ≥ 0.5)`,
      `                              the median of ${drain.ratios.length} rounds, each between two floor runs: ratios ${drain.ratios.map((ratio) => ratio.toFixed(2)).join(', ')}`,
      `                              CPU per team: worker ${drain.cpuMsPerTeam.worker.toFixed(2)} ms + Postgres ${drain.cpuMsPerTeam.postgres.toFixed(2)} ms ` +
        `+ Redis ${drain.cpuMsPerTeam.redis.toFixed(2)} ms, ` +
        `until the relay caught up ${drain.cpuMsPerTeam.workerWithRelay.toFixed(2)} + ${drain.cpuMsPerTeam.postgresWithRelay.toFixed(2)} ms  ` +
        `(floor: Postgres ${drain.cpuMsPerTeam.floorPostgres.toFixed(2)} ms)`,
      `                              audit relay ${fmt(drain.relay.behindAtEnd)} events behind when the drain ended, caught up ${(drain.relay.catchUpMs / 1000).toFixed(2)} s later: ` +
        `${fmt(drain.withRelay.itemsPerSecond)} items/s relayed included, ratio ${drain.withRelay.ratio.toFixed(2)}`,
    ];
    if (backlog) {
      lines.push(
        `1,000,000 pending / 100 teams worker RSS ${backlog.workerRssMiB.toFixed(1)} MiB (peak ${backlog.workerPeakMiB.toFixed(1)})  ` +
          `API RSS ${backlog.apiRssMiB.toFixed(1)} MiB (peak ${backlog.apiPeakMiB.toFixed(1)})  (target ≤ 100 MB each)`,
        `                              new team's ${NEW_TEAM_ITEMS}-item job POST → completed ${backlog.newTeamJobMs.map((v) => `${v.toFixed(0)} ms`).join(', ')}  (target ≤ 1 s)`,
      );
    }
    return { drain, backlog, lines };
  } finally {
    await services.db.destroy();
    await created.close();
    await throwAway.drop();
  }
}

const fmt = (value: number) => Math.round(value).toLocaleString('en-US');

/** Teams, their entries, and one job per team holding one item per entry: what a submission stores. */
async function seedTeams(services: Services, tag: string, teams: number, itemsPerTeam: number, withJobs: boolean): Promise<void> {
  const { db } = services;
  await sql`insert into teams (id) select 'team_' || ${tag}::text || t from generate_series(1, ${teams}::int) t`.execute(db);
  await sql`
    insert into dnc_entries (id, team_id, url)
    select 'dnc_' || ${tag}::text || t || 'x' || n, 'team_' || ${tag}::text || t, 'https://linkedin.com/in/' || ${tag}::text || t || '-' || n
    from generate_series(1, ${teams}::int) t, generate_series(1, ${itemsPerTeam}::int) n`.execute(db);
  if (withJobs) await seedJobs(services, tag, teams, itemsPerTeam);
}

async function seedJobs(services: Services, tag: string, teams: number, itemsPerTeam: number): Promise<void> {
  await services.db.transaction().execute(async (tx) => {
    await sql`
      insert into bulk_jobs (id, team_id, status, reason, total)
      select 'job_' || ${tag}::text || t, 'team_' || ${tag}::text || t, 'queued', 'bench', ${itemsPerTeam}::int
      from generate_series(1, ${teams}::int) t`.execute(tx);
    // Item by item in submission order (seq), as submitBulkDeletion's INSERT … SELECT unnest stores them.
    await sql`
      insert into bulk_job_items (job_id, position, team_id, entry_id)
      select 'job_' || ${tag}::text || t, n, 'team_' || ${tag}::text || t, 'dnc_' || ${tag}::text || t || 'x' || n
      from generate_series(1, ${teams}::int) t, generate_series(1, ${itemsPerTeam}::int) n
      order by t, n`.execute(tx);
  });
}

/** One timed drain of the worker, against the floor runs right before and after it. */
interface DrainRound {
  serviceItemsPerSecond: number;
  floorBefore: number;
  floorAfter: number;
  ratio: number;
  serviceMs: number;
  relay: { behindAtEnd: number; catchUpMs: number };
  ratioWithRelay: number;
  cpuMsPerTeam: DrainCpuPerTeam;
}

async function benchDrain(
  services: Services,
  databaseUrl: string,
  childEnv: (extra: Record<string, string>) => Record<string, string>,
  workerNodeArgs: string[],
) {
  const { db } = services;
  const unrelayed = async () => (await sql<{ count: number }>`select count(*)::int as count from audit_outbox`.execute(db)).rows[0]!.count;
  // The floor runs between the service's rounds, on entries of its own (same shape: 1,000 teams
  // × 25 each time); each round's ratio is against the mean of the floor runs right before and
  // right after it, so that a load change on this shared machine weighs on both sides alike.
  // The floor has no relay: while it runs, this bench holds the relay's advisory lock (the
  // worker's relay then finds nothing to do, as when another worker relays), and its audit rows
  // leave the outbox, untimed, before the lock is released.
  const runFloor = async (tag: string) => {
    await seedTeams(services, tag, DRAIN_TEAMS, DRAIN_ITEMS_PER_TEAM, false);
    const batches = Array.from({ length: DRAIN_TEAMS }, (_, t) => ({
      teamId: `team_${tag}${t + 1}`,
      entryIds: Array.from({ length: DRAIN_ITEMS_PER_TEAM }, (_, n) => `dnc_${tag}${t + 1}x${n + 1}`),
    }));
    // One connection of the bench's pool for the whole floor run: the lock is the session's.
    return services.db.connection().execute(async (relayLock) => {
      await sql`select pg_advisory_lock(${AUDIT_RELAY_LOCK_KEY})`.execute(relayLock);
      try {
        const result = await runDrainFloor(databaseUrl, batches);
        if (result.deleted !== DRAIN_TEAMS * DRAIN_ITEMS_PER_TEAM) throw new Error(`the floor deleted ${result.deleted} entries`);
        await sql`delete from audit_outbox where seq in (select seq from audit_events where starts_with(team_id, ${`team_${tag}`}))`.execute(
          relayLock,
        );
        return result;
      } finally {
        await sql`select pg_advisory_unlock(${AUDIT_RELAY_LOCK_KEY})`.execute(relayLock);
      }
    });
  };

  const worker = await startCompiled('worker', childEnv({ ...RAISED_LIMITS }), { nodeArgs: workerNodeArgs });
  const queues = createBulkQueues(services.config, services.redis);
  const rounds: DrainRound[] = [];
  try {
    // Every team's job and drainer in place while the queues are paused: the drain starts at once
    // on all of them when `start` resumes the queues.
    const schedule = async (tag: string, teams: number) => {
      await seedTeams(services, tag, teams, DRAIN_ITEMS_PER_TEAM, false);
      await Promise.all(queues.queues.map((queue) => queue.pause()));
      await seedJobs(services, tag, teams, DRAIN_ITEMS_PER_TEAM);
      const byShard = new Map<number, string[]>();
      for (let t = 1; t <= teams; t++) {
        const teamId = `team_${tag}${t}`;
        const shard = queues.shardOf(teamId);
        byShard.set(shard, [...(byShard.get(shard) ?? []), teamId]);
      }
      for (const [shard, teamIds] of byShard) {
        await queues.queues[shard]!.addBulk(
          teamIds.map((teamId) => ({ name: 'drain', data: { teamId }, opts: { ...drainJobOptions, jobId: drainerJobId(teamId) } })),
        );
      }
    };
    const start = () => Promise.all(queues.queues.map((queue) => queue.resume()));
    // Jobs, not items: a job completes in the statement that finishes its last item, and this
    // reads the job rows instead of walking the pending index past every item already done.
    const openJobs = async (tag: string) =>
      (
        await sql<{
          count: number;
        }>`select count(*)::int as count from bulk_jobs where starts_with(id, ${`job_${tag}`}) and status <> 'completed'`.execute(db)
      ).rows[0]!.count;
    const waitUntilDrained = async (tag: string, started: number) => {
      while ((await openJobs(tag)) > 0) {
        if (worker.proc.exitCode !== null) throw new Error(`the worker exited:\n${worker.output()}`);
        if (performance.now() - started > 300_000) throw new Error(`the drain of ${tag} did not finish in 300 s`);
        await sleep(25);
      }
    };
    const waitForRelay = async () => {
      const started = performance.now();
      while ((await unrelayed()) > 0) {
        if (performance.now() - started > 300_000) throw new Error('the audit relay did not catch up in 300 s');
        await sleep(100);
      }
    };
    // CPU time of the worker and of this database's Postgres backends (the worker's pool, and
    // this bench's own polling connection): a backend opened during the drain counts whole.
    const postgresCpu = async () => {
      const backends = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(db);
      const cpu = new Map<number, number>();
      for (const { pid } of backends.rows) {
        try {
          cpu.set(pid, cpuTimeOf(pid));
        } catch {
          // that connection has just closed
        }
      }
      return cpu;
    };

    // Warm-up, not timed: a worker in production has run for hours, and V8 optimizes a new
    // process's code only after it has run a while (the sync bench warms the API up likewise).
    await queues.register();
    await schedule('w', WARMUP_TEAMS);
    await start();
    await waitUntilDrained('w', performance.now());
    await waitForRelay();

    let floorBefore = await runFloor('f0');
    for (let round = 1; round <= DRAIN_ROUNDS; round++) {
      const tag = `d${round}x`;
      await schedule(tag, DRAIN_TEAMS);
      const workerCpuBefore = cpuTimeOf(worker.pid);
      const redisCpuBefore = await redisServerCpu(services.config.redisUrl);
      const postgresCpuBefore = await postgresCpu();
      const started = performance.now();
      await start();
      await waitUntilDrained(tag, started);
      const serviceMs = performance.now() - started;
      const postgresCpuSince = async () =>
        [...(await postgresCpu())].reduce((sum, [pid, cpu]) => sum + cpu - (postgresCpuBefore.get(pid) ?? 0), 0);
      const drainCpu = {
        worker: cpuTimeOf(worker.pid) - workerCpuBefore,
        postgres: await postgresCpuSince(),
        redis: (await redisServerCpu(services.config.redisUrl)) - redisCpuBefore,
      };
      await verifyDrained(services, tag);
      // The worker relays audit events to its log while batches run, page after page: how far
      // behind it was when the drain ended, and how long it took to catch up.
      const relay = { behindAtEnd: await unrelayed(), catchUpMs: 0 };
      await waitForRelay();
      relay.catchUpMs = performance.now() - started - serviceMs;
      const withRelayCpu = { worker: cpuTimeOf(worker.pid) - workerCpuBefore, postgres: await postgresCpuSince() };

      const floorAfter = await runFloor(`f${round}`);
      const serviceItemsPerSecond = ((DRAIN_TEAMS * DRAIN_ITEMS_PER_TEAM) / serviceMs) * 1000;
      const floorItemsPerSecond = (floorBefore.itemsPerSecond + floorAfter.itemsPerSecond) / 2;
      rounds.push({
        serviceItemsPerSecond,
        floorBefore: floorBefore.itemsPerSecond,
        floorAfter: floorAfter.itemsPerSecond,
        ratio: serviceItemsPerSecond / floorItemsPerSecond,
        serviceMs,
        relay,
        ratioWithRelay: ((DRAIN_TEAMS * DRAIN_ITEMS_PER_TEAM) / (serviceMs + relay.catchUpMs) / floorItemsPerSecond) * 1000,
        cpuMsPerTeam: {
          worker: drainCpu.worker / DRAIN_TEAMS,
          postgres: drainCpu.postgres / DRAIN_TEAMS,
          redis: drainCpu.redis / DRAIN_TEAMS,
          workerWithRelay: withRelayCpu.worker / DRAIN_TEAMS,
          postgresWithRelay: withRelayCpu.postgres / DRAIN_TEAMS,
          floorPostgres: (floorBefore.postgresCpuMs + floorAfter.postgresCpuMs) / 2 / DRAIN_TEAMS,
        },
      });
      floorBefore = floorAfter;
    }
  } finally {
    await queues.close();
    await stopChild(worker);
  }
  // The round of median ratio is the one reported; all rounds' ratios are printed beside it.
  const reported = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(rounds.length / 2)]!;
  return {
    serviceItemsPerSecond: reported.serviceItemsPerSecond,
    floorItemsPerSecond: (reported.floorBefore + reported.floorAfter) / 2,
    floorRuns: [reported.floorBefore, reported.floorAfter],
    ratio: reported.ratio,
    ratios: rounds.map((round) => round.ratio),
    withRelay: {
      itemsPerSecond: (DRAIN_TEAMS * DRAIN_ITEMS_PER_TEAM * 1000) / (reported.serviceMs + reported.relay.catchUpMs),
      ratio: reported.ratioWithRelay,
    },
    serviceMs: reported.serviceMs,
    relay: reported.relay,
    cpuMsPerTeam: reported.cpuMsPerTeam,
  };
}

/** Every drained job completed, every entry gone with exactly one audit event: the speed is of correct work. */
async function verifyDrained(services: Services, tag: string): Promise<void> {
  const { db } = services;
  const expected = DRAIN_TEAMS * DRAIN_ITEMS_PER_TEAM;
  // The last batches commit their jobs' completion in the same transaction as their items.
  const check = await sql<{ completed: number; deleted_items: number; audited: number; distinct_audited: number; left: number }>`
    select
      (select count(*)::int from bulk_jobs where starts_with(id, ${`job_${tag}`}) and status = 'completed') as completed,
      (select count(*)::int from bulk_job_items where starts_with(job_id, ${`job_${tag}`}) and status = 'deleted') as deleted_items,
      (select count(*)::int from audit_events where starts_with(team_id, ${`team_${tag}`}) and action = 'dnc.entry.deleted') as audited,
      (select count(distinct entry_id)::int from audit_events where starts_with(team_id, ${`team_${tag}`}) and action = 'dnc.entry.deleted') as distinct_audited,
      (select count(*)::int from dnc_entries where starts_with(team_id, ${`team_${tag}`})) as left`.execute(db);
  const row = check.rows[0]!;
  if (
    row.completed !== DRAIN_TEAMS ||
    row.deleted_items !== expected ||
    row.audited !== expected ||
    row.distinct_audited !== expected ||
    row.left !== 0
  ) {
    throw new Error(`the drain's result is wrong: ${JSON.stringify(row)}`);
  }
}

async function benchBacklog(services: Services, childEnv: (extra: Record<string, string>) => Record<string, string>) {
  const { db } = services;
  // 1,000,000 pending items (their entries need not exist: each would end not_found), stored as
  // a submission stores them; the worker's reconciler finds them at its start.
  await sql`insert into teams (id) select 'team_b' || t from generate_series(1, ${BACKLOG_TEAMS}::int) t`.execute(db);
  await seedJobs(services, 'b', BACKLOG_TEAMS, BACKLOG_ITEMS_PER_TEAM);
  await sql`analyze bulk_job_items`.execute(db);
  // Default dnc-write limit (the backlog stays pending); reads and polls unbounded so the bench
  // can poll the new team's job as often as it likes.
  const env = childEnv({ DNC_READ_LIMIT: '1000000', DNC_BULK_LIMIT: '1000000', JOBS_READ_LIMIT: '1000000' });
  const worker = await startCompiled('worker', env);
  let api: Child | undefined;
  try {
    api = await startCompiled('api', env);
    // Wait until every backlog team has had its first batch (its jobs then show throttled).
    const started = performance.now();
    for (;;) {
      const throttled = await sql<{ count: number }>`
        select count(*)::int as count from bulk_jobs where team_id like 'team_b%' and status = 'throttled'`.execute(db);
      if (throttled.rows[0]!.count === BACKLOG_TEAMS) break;
      if (performance.now() - started > 120_000) throw new Error(`the backlog was not picked up:\n${worker.output()}`);
      await sleep(200);
    }
    const workerSamples = [memoryOf(worker.pid)];
    const newTeamJobMs: number[] = [];
    for (let run = 1; run <= NEW_TEAM_RUNS; run++) {
      newTeamJobMs.push(await newTeamJob(services, api, `team_n${run}`));
      workerSamples.push(memoryOf(worker.pid));
    }
    await sleep(2_000);
    workerSamples.push(memoryOf(worker.pid));
    const apiMemory = memoryOf(api.pid);
    const pending = await sql<{ count: number }>`select count(*)::int as count from bulk_job_items where status = 'pending'`.execute(db);
    if (pending.rows[0]!.count < BACKLOG_TEAMS * BACKLOG_ITEMS_PER_TEAM * 0.99) throw new Error('the backlog is no longer pending');
    return {
      workerRssMiB: Math.max(...workerSamples.map((sample) => sample.rss)),
      workerPeakMiB: Math.max(...workerSamples.map((sample) => sample.hwm)),
      apiRssMiB: apiMemory.rss,
      apiPeakMiB: apiMemory.hwm,
      newTeamJobMs,
    };
  } finally {
    await Promise.all([stopChild(worker), api ? stopChild(api) : Promise.resolve()]);
  }
}

/** A new team submits a 20-item job through the API; ms until the API reports it completed. */
async function newTeamJob(services: Services, api: Child, teamId: string): Promise<number> {
  const { apiKey } = await services.apiKeys.create({ teamId, scopes: ['dnc:read', 'dnc:write'] });
  const entries = await sql<{ id: string }>`
    insert into dnc_entries (id, team_id, url)
    select 'dnc_' || ${teamId.replace(/[^A-Za-z0-9]/g, '')}::text || 'x' || n, ${teamId}, 'https://linkedin.com/in/' || ${teamId}::text || '-' || n
    from generate_series(1, ${NEW_TEAM_ITEMS}::int) n returning id`.execute(services.db);
  const baseUrl = `http://127.0.0.1:${api.port}`;
  const headers = { authorization: `Bearer ${apiKey}` };
  const started = performance.now();
  const submitted = await fetch(`${baseUrl}/v1/dnc/bulk-delete`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ ids: entries.rows.map((row) => row.id), reason: 'bench' }),
  });
  if (submitted.status !== 202) throw new Error(`bulk-delete answered ${submitted.status}: ${await submitted.text()}`);
  const jobId = ((await submitted.json()) as { data: { $id: string } }).data.$id;
  for (;;) {
    const polled = (await (await fetch(`${baseUrl}/v1/dnc/bulk-delete/${jobId}`, { headers })).json()) as {
      data: { status: string; counts: Record<string, number> };
    };
    if (polled.data.status === 'completed') {
      if (polled.data.counts.deleted !== NEW_TEAM_ITEMS) throw new Error(`new team's job: ${JSON.stringify(polled.data.counts)}`);
      return performance.now() - started;
    }
    if (performance.now() - started > 60_000) throw new Error(`new team's job not completed: ${JSON.stringify(polled.data)}`);
    await sleep(5);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // --worker-node-arg=<flag> (repeatable): a flag for the drained worker's node; --drain-only: (b) alone.
  const { values } = parseArgs({
    options: { 'worker-node-arg': { type: 'string', multiple: true, default: [] }, 'drain-only': { type: 'boolean', default: false } },
  });
  drainBenchmarks({ workerNodeArgs: values['worker-node-arg'], drainOnly: values['drain-only'] })
    .then((result) => {
      console.log(`DNC bulk drain benchmarks (${new Date().toISOString()}, node ${process.version}, compiled worker and API)`);
      for (const line of result.lines) console.log(`  ${line}`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}

// Issue 11, the synchronous path: `DELETE /v1/dnc/{id}` through the COMPILED API
// (`node apps/api/dist/main.js`, so run `pnpm build` first) side by side, in the same run, with
// the floor (bench/floor-sync-server.ts: a plain node:http server doing the same work). Both run
// as child processes against the local Postgres and Redis, in a throw-away database and Redis
// prefix, rate limits raised so they never bind, 200 teams with one key each:
//
//   - DELETE throughput at 32 concurrent clients, the requests spread over the 200 teams;
//   - sequential (one client at a time) p50 and p99;
//   - RSS of the API after 20,000 requests, and of the floor after as many; both before any
//     request, and that of a node process with only pg and ioredis loaded.
//
// Rounds alternate API and floor so that a neighbour's load on this shared machine hits both;
// the throughput ratio is the median of the rounds' own ratios.
// Runnable alone: node --conditions=@dnc/source --import tsx bench/sync-delete.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ApiKeyService, createDb, loadConfig, migrateToLatest, type Db } from '@dnc/shared';
import { sql } from 'kysely';
import { SERVICE_NODE_FLAGS } from '../scripts/node-flags.mjs';
import { cpuTimeOf, freePort, memoryOf, redisServerCpu, sleep } from './floor-drain.js';
import { createThrowAway, RAISED_LIMITS } from './throw-away.js';

const TEAMS = 200;
const CONCURRENCY = 32;
const WARMUP_REQUESTS = 2_000;
/**
 * Rounds of the throughput phase, API and floor back to back in each (who goes first alternates):
 * each round gives a ratio of its own, and the median is the one reported, so that a change of
 * the machine's load between rounds weighs on one round rather than on the result.
 */
const THROUGHPUT_ROUNDS = 4;
const REQUESTS_PER_ROUND = 4_000;
const SEQUENTIAL_REQUESTS = 2_000;
/** Every request deletes its own entry: as many per side as the side serves. */
const REQUESTS_PER_SIDE = WARMUP_REQUESTS + THROUGHPUT_ROUNDS * REQUESTS_PER_ROUND + SEQUENTIAL_REQUESTS;
const TARGETS = { throughputRatio: 0.8, sequentialP50Ratio: 1.25, apiRssMb: 100 };

export interface SideFigures {
  /** Requests per second at 32 concurrent clients, over every throughput round. */
  throughputRps: number;
  concurrentP50Ms: number;
  concurrentP99Ms: number;
  sequentialP50Ms: number;
  sequentialP99Ms: number;
  /** VmRSS after REQUESTS_PER_SIDE (20,000) requests. */
  rssMb: number;
  /**
   * CPU milliseconds (user + system) the server process spent per request at 32 clients: steadier
   * than the throughput on a machine shared with other work.
   */
  cpuMsPerRequest: number;
  /**
   * CPU milliseconds per request at 32 clients of what the server drives: the throw-away
   * database's Postgres backends and the Redis server. Throughput is bounded by the machine's
   * cores shared by all of them (and the bench's own client), not by the server's CPU alone.
   */
  postgresCpuMsPerRequest: number;
  redisCpuMsPerRequest: number;
  /** Requests answered with anything but 200 (there should be none). */
  failures: number;
}

export interface SyncDeleteResult {
  api: SideFigures;
  floor: SideFigures;
  ratios: {
    /** The median over the rounds of API throughput / floor throughput in the same round; target ≥ 0.8. */
    throughput: number;
    /** Each round's ratio, in the order they ran. */
    throughputByRound: number[];
    /** API sequential p50 / floor sequential p50; target ≤ 1.25. */
    sequentialP50: number;
    sequentialP99: number;
    /** API RSS / floor RSS (the target is absolute: API RSS ≤ 100 MB). */
    rss: number;
    /** API CPU per request / floor CPU per request at 32 clients (no target: what explains the others). */
    cpuPerRequest: number;
  };
  targetsMet: { throughput: boolean; sequentialP50: boolean; apiRss: boolean };
  /**
   * MiB before any request: the API and the floor once they listen, and a node process (same
   * flags) that has only loaded pg and ioredis, with the file-backed part of its RSS. What the
   * runtime takes before any of the work: the room the 100 MB target leaves.
   */
  restingRss: { api: number; floor: number; driversOnly: number; driversOnlyFileBacked: number };
  /** The printed report, one line each. */
  lines: string[];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

interface Child {
  proc: ChildProcess;
  pid: number;
  output: () => string;
}

function startChild(args: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (proc.pid === undefined) throw new Error(`could not start ${args.join(' ')}`);
  // Logs are read and dropped, as a log shipper would; the tail is kept for errors.
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  return { proc, pid: proc.pid, output: () => tail };
}

async function stopChild(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.proc.once('exit', () => resolve()));
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** One DELETE on a kept-alive connection; resolves with its status and milliseconds. */
function deleteOnce(agent: Agent, port: number, path: string, apiKey: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: '127.0.0.1', port, method: 'DELETE', path, headers: { authorization: `Bearer ${apiKey}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

interface Side {
  name: 'api' | 'floor';
  port: number;
  /** The entry ids this side deletes, in order; each belongs to team i % TEAMS. */
  ids: string[];
  next: number;
  agent: Agent;
  failures: number;
  failureSample?: string;
}

/** `count` deletions by `clients` concurrent clients; latencies and elapsed milliseconds. */
async function load(side: Side, keys: string[], count: number, clients: number): Promise<{ latencies: number[]; elapsedMs: number }> {
  const end = side.next + count;
  if (end > side.ids.length) throw new Error(`${side.name}: not enough seeded entries`);
  const latencies: number[] = [];
  const started = performance.now();
  const client = async () => {
    while (side.next < end) {
      const index = side.next++;
      const { status, ms } = await deleteOnce(side.agent, side.port, `/v1/dnc/${side.ids[index]}`, keys[index % TEAMS]!);
      latencies.push(ms);
      if (status !== 200) {
        side.failures++;
        side.failureSample ??= `${status} for ${side.ids[index]}`;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return { latencies, elapsedMs: performance.now() - started };
}

/** The Postgres backends of the current database and the Redis server: their CPU so far, in ms. */
async function dependencyCpu(db: Db, redisUrl: string): Promise<{ postgres: number; redis: number }> {
  const backends = await sql<{ pid: number }>`
    select pid from pg_stat_activity
    where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()`.execute(db);
  const cpuOrZero = (processId: number) => {
    try {
      return cpuTimeOf(processId);
    } catch {
      return 0; // gone since it was listed (an idle connection closed)
    }
  };
  return { postgres: backends.rows.reduce((sum, row) => sum + cpuOrZero(row.pid), 0), redis: await redisServerCpu(redisUrl) };
}

/**
 * RSS of a node process (the service's flags) that has loaded pg and ioredis and does nothing
 * else: the floor under any server of this work on this runtime.
 */
async function driversOnlyMemory(): Promise<{ rss: number; fileBacked: number }> {
  const script = "await import('pg'); await import('ioredis'); process.stdout.write('loaded\\n'); setInterval(() => {}, 60_000);";
  const proc = spawn(process.execPath, [...SERVICE_NODE_FLAGS, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let errors = '';
    proc.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    const loaded = new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (chunk: Buffer) => chunk.toString('utf8').includes('loaded') && resolve());
      proc.once('exit', (code) => reject(new Error(`the drivers-only process exited (${code}): ${errors}`)));
    });
    await loaded;
    await sleep(1_000);
    const { rss, fileBacked } = memoryOf(proc.pid!);
    return { rss, fileBacked };
  } finally {
    proc.kill('SIGKILL');
  }
}

async function waitForPort(port: number, child: Child, what: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (child.proc.exitCode !== null) throw new Error(`${what} exited before it listened:\n${child.output()}`);
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      () => true,
      () => false,
    );
    if (up) return;
    if (attempt > 600) throw new Error(`${what} did not listen within 60 s:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface SyncDeleteOptions {
  /** Flags for the API's node, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] to profile it. */
  apiNodeArgs?: string[];
  /** The same for the floor server's node. */
  floorNodeArgs?: string[];
}

export async function syncDeleteBenchmark(options: SyncDeleteOptions = {}): Promise<SyncDeleteResult> {
  if (!existsSync('apps/api/dist/main.js'))
    throw new Error('apps/api/dist/main.js is missing: run `pnpm build` first (from the repository root)');
  const throwAway = await createThrowAway('syncbench');
  const { databaseUrl } = throwAway;
  const env = throwAway.childEnv(RAISED_LIMITS);
  const config = loadConfig(env);
  const workDir = mkdtempSync(join(tmpdir(), 'dnc-syncbench-'));
  const children: Child[] = [];
  const db = createDb(databaseUrl);
  try {
    await migrateToLatest(db);
    const apiKeys = new ApiKeyService(db, config.apiKeyPepper);
    const keys: string[] = [];
    const keysFile: Record<string, string> = {};
    for (let team = 0; team < TEAMS; team++) {
      const teamId = `team_b${String(team).padStart(3, '0')}`;
      const { apiKey } = await apiKeys.create({ teamId, scopes: ['dnc:read', 'dnc:write'] });
      keys.push(apiKey);
      keysFile[apiKey] = teamId;
    }
    writeFileSync(join(workDir, 'keys.json'), JSON.stringify(keysFile));
    const seed = async (tag: string) => {
      await sql`
        insert into dnc_entries (id, team_id, url)
        select 'dnc_' || ${tag}::text || n, 'team_b' || lpad((n % ${TEAMS}::int)::text, 3, '0'),
               'https://linkedin.com/in/' || ${tag}::text || '-' || n
        from generate_series(0, ${REQUESTS_PER_SIDE - 1}::int) n`.execute(db);
      return Array.from({ length: REQUESTS_PER_SIDE }, (_, n) => `dnc_${tag}${n}`);
    };
    const apiIds = await seed('api');
    const floorIds = await seed('floor');
    await sql`analyze`.execute(db);

    const apiPort = await freePort();
    const floorPort = await freePort();
    // Both run with the service's heap flags, as production starts the API: the same runtime on
    // both sides, so the RSS side by side is that of the work, not of V8's defaults.
    const api = startChild([...SERVICE_NODE_FLAGS, ...(options.apiNodeArgs ?? []), 'apps/api/dist/main.js'], {
      ...env,
      PORT: String(apiPort),
    });
    children.push(api);
    // Its own prefix: the two sides never share a window.
    const floor = startChild(
      [
        ...SERVICE_NODE_FLAGS,
        ...(options.floorNodeArgs ?? []),
        'bench/floor-sync-server.ts',
        join(workDir, 'keys.json'),
        String(floorPort),
      ],
      {
        ...env,
        REDIS_PREFIX: `${throwAway.redisPrefix}_floor`,
      },
    );
    children.push(floor);
    await waitForPort(apiPort, api, 'the API');
    await waitForPort(floorPort, floor, 'the floor server');
    await sleep(1_000);
    const driversOnly = await driversOnlyMemory();
    const restingRss = {
      api: memoryOf(api.pid).rss,
      floor: memoryOf(floor.pid).rss,
      driversOnly: driversOnly.rss,
      driversOnlyFileBacked: driversOnly.fileBacked,
    };

    const agentOf = () => new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const sides: Side[] = [
      { name: 'api', port: apiPort, ids: apiIds, next: 0, agent: agentOf(), failures: 0 },
      { name: 'floor', port: floorPort, ids: floorIds, next: 0, agent: agentOf(), failures: 0 },
    ];
    for (const side of sides) await load(side, keys, WARMUP_REQUESTS, CONCURRENCY);

    const concurrent = new Map(
      sides.map((side) => [side.name, { latencies: [] as number[], elapsedMs: 0, count: 0, cpuMs: 0, postgresCpuMs: 0, redisCpuMs: 0 }]),
    );
    const pidOf = { api: api.pid, floor: floor.pid };
    const roundRps = { api: [] as number[], floor: [] as number[] };
    for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
      // Alternate who goes first, so neither always runs on the warmer machine.
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const cpuBefore = cpuTimeOf(pidOf[side.name]);
        const dependenciesBefore = await dependencyCpu(db, throwAway.redisUrl);
        const run = await load(side, keys, REQUESTS_PER_ROUND, CONCURRENCY);
        const dependenciesAfter = await dependencyCpu(db, throwAway.redisUrl);
        const total = concurrent.get(side.name)!;
        total.postgresCpuMs += dependenciesAfter.postgres - dependenciesBefore.postgres;
        total.redisCpuMs += dependenciesAfter.redis - dependenciesBefore.redis;
        total.latencies.push(...run.latencies);
        total.elapsedMs += run.elapsedMs;
        total.cpuMs += cpuTimeOf(pidOf[side.name]) - cpuBefore;
        total.count += REQUESTS_PER_ROUND;
        roundRps[side.name].push((REQUESTS_PER_ROUND / run.elapsedMs) * 1000);
      }
    }
    const sequential = new Map(sides.map((side) => [side.name, [] as number[]]));
    // Sequential in alternating slices of 250, for the same reason.
    for (let done = 0; done < SEQUENTIAL_REQUESTS; done += 250) {
      for (const side of sides) sequential.get(side.name)!.push(...(await load(side, keys, 250, 1)).latencies);
    }

    const figures = (side: Side, child: Child): SideFigures => {
      const run = concurrent.get(side.name)!;
      const concurrentSorted = [...run.latencies].sort((a, b) => a - b);
      const sequentialSorted = [...sequential.get(side.name)!].sort((a, b) => a - b);
      return {
        throughputRps: (run.count / run.elapsedMs) * 1000,
        concurrentP50Ms: percentile(concurrentSorted, 0.5),
        concurrentP99Ms: percentile(concurrentSorted, 0.99),
        sequentialP50Ms: percentile(sequentialSorted, 0.5),
        sequentialP99Ms: percentile(sequentialSorted, 0.99),
        rssMb: memoryOf(child.pid).rss,
        cpuMsPerRequest: run.cpuMs / run.count,
        postgresCpuMsPerRequest: run.postgresCpuMs / run.count,
        redisCpuMsPerRequest: run.redisCpuMs / run.count,
        failures: side.failures,
      };
    };
    const apiFigures = figures(sides[0]!, api);
    const floorFigures = figures(sides[1]!, floor);
    for (const side of sides) side.agent.destroy();
    for (const side of sides) {
      if (side.failures > 0) throw new Error(`${side.name}: ${side.failures} requests failed (first: ${side.failureSample})`);
    }

    const throughputByRound = roundRps.api.map((rps, round) => rps / roundRps.floor[round]!);
    const sortedRoundRatios = [...throughputByRound].sort((a, b) => a - b);
    const middle = sortedRoundRatios.length / 2;
    const ratios = {
      throughput:
        sortedRoundRatios.length % 2 === 1
          ? sortedRoundRatios[Math.floor(middle)]!
          : (sortedRoundRatios[middle - 1]! + sortedRoundRatios[middle]!) / 2,
      throughputByRound,
      sequentialP50: apiFigures.sequentialP50Ms / floorFigures.sequentialP50Ms,
      sequentialP99: apiFigures.sequentialP99Ms / floorFigures.sequentialP99Ms,
      rss: apiFigures.rssMb / floorFigures.rssMb,
      cpuPerRequest: apiFigures.cpuMsPerRequest / floorFigures.cpuMsPerRequest,
    };
    const targetsMet = {
      throughput: ratios.throughput >= TARGETS.throughputRatio,
      sequentialP50: ratios.sequentialP50 <= TARGETS.sequentialP50Ratio,
      apiRss: apiFigures.rssMb <= TARGETS.apiRssMb,
    };
    const mark = (met: boolean) => (met ? 'met' : 'MISSED');
    const ms = (value: number) => `${value.toFixed(2)} ms`;
    const side = (name: string, f: SideFigures) =>
      `  ${name.padEnd(6)} ${f.throughputRps.toFixed(0).padStart(5)} req/s (p50 ${ms(f.concurrentP50Ms)}, p99 ${ms(f.concurrentP99Ms)})` +
      `  sequential p50 ${ms(f.sequentialP50Ms)} p99 ${ms(f.sequentialP99Ms)}  RSS ${f.rssMb.toFixed(0)} MB  CPU ${ms(f.cpuMsPerRequest)}/request` +
      ` (Postgres ${ms(f.postgresCpuMsPerRequest)}, Redis ${ms(f.redisCpuMsPerRequest)})`;
    const lines = [
      `DELETE /v1/dnc/{id}, compiled API vs. node:http floor: ${TEAMS} teams, ${CONCURRENCY} clients, ${REQUESTS_PER_SIDE} requests each`,
      side('api', apiFigures),
      side('floor', floorFigures),
      `  throughput ratio ${ratios.throughput.toFixed(2)} (target ≥ ${TARGETS.throughputRatio}: ${mark(targetsMet.throughput)}; median of rounds ${throughputByRound.map((ratio) => ratio.toFixed(2)).join(', ')})` +
        `  sequential p50 ${ratios.sequentialP50.toFixed(2)}× (target ≤ ${TARGETS.sequentialP50Ratio}: ${mark(targetsMet.sequentialP50)}), p99 ${ratios.sequentialP99.toFixed(2)}×` +
        `  API RSS ${apiFigures.rssMb.toFixed(0)} MB (target ≤ ${TARGETS.apiRssMb}: ${mark(targetsMet.apiRss)}; ${ratios.rss.toFixed(2)}× floor)` +
        `  CPU/request ${ratios.cpuPerRequest.toFixed(2)}×`,
      `  RSS before any request: API ${restingRss.api.toFixed(0)} MB, floor ${restingRss.floor.toFixed(0)} MB;` +
        ` a node process with only pg and ioredis loaded ${restingRss.driversOnly.toFixed(0)} MB` +
        ` (${restingRss.driversOnlyFileBacked.toFixed(0)} MB of it file-backed, mostly the node binary's pages)`,
    ];
    return { api: apiFigures, floor: floorFigures, ratios, targetsMet, restingRss, lines };
  } finally {
    await Promise.allSettled(children.map(stopChild));
    await db.destroy();
    rmSync(workDir, { recursive: true, force: true });
    await throwAway.drop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // --api-node-arg=<flag> (repeatable): a flag for the API's node, e.g. --api-node-arg=--cpu-prof;
  // --floor-node-arg=<flag> the same for the floor server's.
  const { values } = parseArgs({
    options: {
      'api-node-arg': { type: 'string', multiple: true, default: [] },
      'floor-node-arg': { type: 'string', multiple: true, default: [] },
    },
  });
  const result = await syncDeleteBenchmark({ apiNodeArgs: values['api-node-arg'], floorNodeArgs: values['floor-node-arg'] });
  for (const line of result.lines) console.log(line);
}

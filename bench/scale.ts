// Per-process figures for the README's scaling section (issue 12 §5), on the compiled build
// (`node apps/*/dist/main.js`, as production runs it), for a single Redis and for the loopback
// Redis Cluster (scripts/test-topologies.sh start):
//   - synchronous deletes/s of ONE API process (DELETE /v1/dnc/{id}, 32 requests in flight);
//   - bulk items/s of ONE worker process (default WORKER_CONCURRENCY, 40 teams' jobs queued, in
//     batches of 25 items: the default limits' batch size);
//   - Redis commands per deleted item (INFO commandstats, summed over every node, before/after);
//   - Postgres transactions per deleted item (pg_stat_database.xact_commit of the bench's own database).
// Rate limits are set far above the load: these are the processes' own ceilings.
// The single Redis is a private redis-server on a free port, so the shared 6379's other traffic
// does not count; the cluster's is counted whole (run it while no test uses the cluster).
//
//   node --conditions=@dnc/source --import tsx bench/scale.ts     (after pnpm build)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  createLogger,
  createServices,
  deleteKeysMatching,
  ensureDatabaseExists,
  loadConfig,
  maintenanceUrl,
  migrateToLatest,
  type Services,
} from '@dnc/shared';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import pg from 'pg';
import { SERVICE_NODE_FLAGS } from '../scripts/node-flags.mjs';

const SYNC_DELETES = 3_000;
const SYNC_IN_FLIGHT = 32;
const BULK_TEAMS = 40;
const BULK_ITEMS_PER_TEAM = 500;
// Batches of the default size (DNC_WRITE_LIMIT 30 minus 5 reserved for sync = 25 items), in the
// shortest window allowed, so 40 teams ask for far more than one worker can do: the figure is the
// worker's, at the batch size production runs, not a rate limit's.
const bulkPace = { DNC_WRITE_LIMIT: '30', DNC_WRITE_RESERVED_FOR_SYNC: '5', RATE_LIMIT_WINDOW_MS: '100' };
const CLUSTER_NODES = ['127.0.0.1:7201', '127.0.0.1:7202', '127.0.0.1:7203'];
const noLimits = { DNC_WRITE_LIMIT: '100000000', DNC_READ_LIMIT: '100000000', DNC_BULK_LIMIT: '100000000', JOBS_READ_LIMIT: '100000000' };

interface Figures {
  topology: string;
  syncPerSecond: number;
  syncRedisPerItem: number;
  syncRedisUsecPerItem: number;
  syncPgPerItem: number;
  syncCpuMsPerItem: number;
  bulkCpuMsPerItem: number;
  bulkPerSecond: number;
  bulkRedisPerItem: number;
  bulkRedisUsecPerItem: number;
  bulkPgPerItem: number;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const children = new Set<ChildProcess>();

/** Starts `node <heap flags> <entry>` (compiled, as production starts it) and resolves once a stdout log line has `msg`. */
async function startProcess(entry: string, env: Record<string, string>, msg: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    // Only the tail is kept: a worker may first relay megabytes of audit lines, and the line
    // awaited comes after them.
    child.stdout.on('data', (chunk: string) => {
      output = (output + chunk).slice(-100_000);
      if (output.includes(`"msg":"${msg}"`)) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${entry} exited (${code}) before "${msg}":\n${output}`)));
  });
  return child;
}

const minus = (after: RedisWork, before: RedisWork): RedisWork => ({ calls: after.calls - before.calls, usec: after.usec - before.usec });

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux): a figure the
 * machine's other load does not inflate, unlike wall time on a shared machine. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after "(comm) ", in clock ticks.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface RedisWork {
  calls: number;
  /** Microseconds the server spent executing them (its CPU: a Redis node runs commands on one core). */
  usec: number;
}

/** Calls of every command so far and the time the servers spent on them, summed over `nodes` (INFO commandstats). */
async function redisCommandCount(nodes: string[]): Promise<RedisWork> {
  const total = { calls: 0, usec: 0 };
  for (const address of nodes) {
    const [host, port] = address.split(':') as [string, string];
    const redis = new Redis({ host, port: Number(port), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    redis.on('error', () => undefined);
    let stats: string;
    try {
      await redis.connect();
      stats = await redis.info('commandstats');
    } finally {
      redis.disconnect();
    }
    for (const match of stats.matchAll(/calls=(\d+),usec=(\d+)/g)) {
      total.calls += Number(match[1]);
      total.usec += Number(match[2]);
    }
  }
  return total;
}

/** Committed transactions of the database so far (other backends' pending stats flushed by their exit). */
async function committedTransactions(admin: pg.Client, database: string): Promise<number> {
  await admin.query('select pg_stat_clear_snapshot()');
  const { rows } = await admin.query<{ xact_commit: string }>('select xact_commit from pg_stat_database where datname = $1', [database]);
  return Number(rows[0]!.xact_commit);
}

async function seed(services: Services, teamId: string, tag: string, count: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    insert into dnc_entries (id, team_id, url)
    select 'dnc_' || ${tag}::text || n, ${teamId}::text, 'https://linkedin.com/in/' || ${tag}::text || '-' || n
    from generate_series(1, ${count}::int) as n returning id`.execute(services.db);
  return rows.map((row) => row.id);
}

async function measureTopology(
  topology: string,
  redisEnv: Record<string, string>,
  redisNodes: string[],
  databaseUrl: string,
  admin: pg.Client,
): Promise<Figures> {
  const database = new URL(databaseUrl).pathname.slice(1);
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    REDIS_PREFIX: `bench_scale_${topology}_${randomBytes(3).toString('hex')}`,
    API_KEY_PEPPER: 'bench-pepper-0123456789abcdef0123456789abcdef',
    WORKER_METRICS_PORT: '0',
    PORT: String(port),
    ...noLimits,
    ...redisEnv,
  };
  const services = createServices(loadConfig(env), { name: 'bench-scale', logger: createLogger({ level: 'silent', name: 'bench-scale' }) });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    // (1) One API process, synchronous deletes.
    const syncTeam = `team_sync_${topology}`;
    const { apiKey } = await services.apiKeys.create({ teamId: syncTeam, scopes: ['dnc:read', 'dnc:write'] });
    const headers = { authorization: `Bearer ${apiKey}` };
    const ids = await seed(services, syncTeam, `sync${topology}`, SYNC_DELETES);
    let api = await startProcess('apps/api/dist/main.js', env, 'API listening');
    // Warm-up: connections, key lookup and caches, outside the measurement.
    const warmIds = await seed(services, syncTeam, `warm${topology}`, 50);
    for (const id of warmIds) await fetch(`${baseUrl}/v1/dnc/${id}`, { method: 'DELETE', headers }).then((r) => r.text());
    const redisBefore = await redisCommandCount(redisNodes);
    const pgBefore = await committedTransactions(admin, database);
    const apiCpuBefore = await cpuSeconds(api.pid!);
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: SYNC_IN_FLIGHT }, async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          const response = await fetch(`${baseUrl}/v1/dnc/${id}`, { method: 'DELETE', headers });
          await response.text();
          if (response.status !== 200) throw new Error(`DELETE ${id} answered ${response.status}`);
        }
      }),
    );
    const syncSeconds = (performance.now() - started) / 1000;
    const syncCpu = (await cpuSeconds(api.pid!)) - apiCpuBefore;
    const syncRedis = minus(await redisCommandCount(redisNodes), redisBefore);
    await stopProcess(api);
    const syncPg = (await committedTransactions(admin, database)) - pgBefore;

    // (2) One worker process drains 40 teams' queued jobs, 25 items a batch.
    const bulkEnv = { ...env, ...bulkPace };
    api = await startProcess('apps/api/dist/main.js', bulkEnv, 'API listening');
    const jobIds: string[] = [];
    for (let team = 0; team < BULK_TEAMS; team++) {
      const teamId = `team_bulk_${topology}_${team}`;
      const key = await services.apiKeys.create({ teamId, scopes: ['dnc:read', 'dnc:write'] });
      const teamIds = await seed(services, teamId, `bulk${topology}${team}x`, BULK_ITEMS_PER_TEAM);
      const response = await fetch(`${baseUrl}/v1/dnc/bulk-delete`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ids: teamIds, reason: 'bench' }),
      });
      const body = (await response.json()) as { data: { $id: string } };
      if (response.status !== 202) throw new Error(`bulk-delete answered ${response.status}: ${JSON.stringify(body)}`);
      jobIds.push(body.data.$id);
    }
    await stopProcess(api);
    const bulkRedisBefore = await redisCommandCount(redisNodes);
    const bulkPgBefore = await committedTransactions(admin, database);
    const worker = await startProcess('apps/worker/dist/main.js', bulkEnv, 'worker started');
    const workerCpuBefore = await cpuSeconds(worker.pid!);
    const bulkStarted = performance.now();
    // Each poll is one transaction of the bench database: subtracted below.
    let polls = 0;
    for (; ; polls++) {
      const { rows } = await sql<{ pending: string }>`
        select count(*) as pending from bulk_job_items where job_id = any(${jobIds}) and status = 'pending'`.execute(services.db);
      if (Number(rows[0]!.pending) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    polls++;
    const bulkSeconds = (performance.now() - bulkStarted) / 1000;
    const bulkCpu = (await cpuSeconds(worker.pid!)) - workerCpuBefore;
    const bulkRedis = minus(await redisCommandCount(redisNodes), bulkRedisBefore);
    await stopProcess(worker);
    const bulkPg = (await committedTransactions(admin, database)) - bulkPgBefore - polls;
    const bulkItems = BULK_TEAMS * BULK_ITEMS_PER_TEAM;
    return {
      topology,
      syncPerSecond: ids.length / syncSeconds,
      syncRedisPerItem: syncRedis.calls / ids.length,
      syncRedisUsecPerItem: syncRedis.usec / ids.length,
      syncPgPerItem: syncPg / ids.length,
      syncCpuMsPerItem: (syncCpu * 1000) / ids.length,
      bulkCpuMsPerItem: (bulkCpu * 1000) / bulkItems,
      bulkPerSecond: bulkItems / bulkSeconds,
      bulkRedisPerItem: bulkRedis.calls / bulkItems,
      bulkRedisUsecPerItem: bulkRedis.usec / bulkItems,
      bulkPgPerItem: bulkPg / bulkItems,
    };
  } finally {
    // A failed measurement leaves no API or worker behind, and no keys on the shared cluster.
    await Promise.all([...children].map(stopProcess));
    await deleteKeysMatching(services.redis, `${env.REDIS_PREFIX}:*`);
    await services.close();
  }
}

async function clusterAnswers(): Promise<boolean> {
  try {
    await redisCommandCount(CLUSTER_NODES);
    return true;
  } catch {
    return false;
  }
}

export async function scaleBenchmark(): Promise<string[]> {
  const config = loadConfig();
  const database = `dnc_bench_scale_${randomBytes(4).toString('hex')}`;
  const server = maintenanceUrl(config.databaseUrl).url;
  const databaseUrl = new URL(server);
  databaseUrl.pathname = `/${database}`;
  await ensureDatabaseExists(databaseUrl.toString());
  const migrator = createServices(loadConfig({ DATABASE_URL: databaseUrl.toString() }), { name: 'bench-migrate' });
  await migrateToLatest(migrator.db);
  await migrator.close();
  // The admin connection sits in the maintenance database, so its own queries do not count.
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();

  const redisPort = await freePort();
  const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const results: string[] = [];
  try {
    const single = `127.0.0.1:${redisPort}`;
    for (
      let attempt = 0;
      !(await redisCommandCount([single]).then(
        () => true,
        () => false,
      ));
      attempt++
    ) {
      if (attempt > 50) throw new Error('the private redis-server did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const figures = [await measureTopology('single', { REDIS_URL: `redis://${single}` }, [single], databaseUrl.toString(), admin)];
    if (await clusterAnswers()) {
      figures.push(
        await measureTopology('cluster', { REDIS_CLUSTER_NODES: CLUSTER_NODES.join(',') }, CLUSTER_NODES, databaseUrl.toString(), admin),
      );
    } else {
      results.push('cluster: skipped, no Redis Cluster on 127.0.0.1:7201-7203 (scripts/test-topologies.sh start)');
    }
    const f1 = (value: number) => value.toFixed(1);
    const f0 = (value: number) => value.toFixed(0);
    const f2 = (value: number) => value.toFixed(2);
    for (const figure of figures) {
      results.push(
        `${figure.topology.padEnd(8)} 1 API process: ${f0(figure.syncPerSecond)} sync deletes/s (${SYNC_IN_FLIGHT} in flight), ` +
          `${f2(figure.syncCpuMsPerItem)} ms API CPU, ${f1(figure.syncRedisPerItem)} Redis cmds (${f0(figure.syncRedisUsecPerItem)} µs of Redis CPU), ${f1(figure.syncPgPerItem)} PG xacts per delete`,
      );
      results.push(
        `${' '.repeat(8)} 1 worker process: ${f0(figure.bulkPerSecond)} bulk items/s (${BULK_TEAMS} teams x ${BULK_ITEMS_PER_TEAM}, 25 a batch), ` +
          `${f2(figure.bulkCpuMsPerItem)} ms worker CPU, ${f2(figure.bulkRedisPerItem)} Redis cmds (${f0(figure.bulkRedisUsecPerItem)} µs of Redis CPU), ${f2(figure.bulkPgPerItem)} PG xacts per item`,
      );
    }
  } finally {
    redis.kill('SIGTERM');
    await admin.query(`drop database if exists ${pg.escapeIdentifier(database)} with (force)`);
    await admin.end();
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await scaleBenchmark()) console.log(line);
}

// The bulk drainer's floor (issue 11), and the child-process plumbing bench/drain.ts uses.
//
// The floor is not part of the product: it shows what this machine does for the drainer's
// semantic work with nothing else around it. Per team, ONE statement deletes the team's batch of
// entries (ids known in memory) and inserts one audit row per deleted entry; 4 teams at a time
// on a pool of 4 connections, as one worker with WORKER_CONCURRENCY 4 would run them.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { newAuditId } from '@dnc/shared';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SERVICE_NODE_FLAGS } from '../scripts/node-flags.mjs';

const floorStatement = `
  with requested as (
    select * from unnest($2::text[], $3::text[]) as requested(entry_id, audit_id)
  ), deleted as (
    delete from dnc_entries entry using requested
    where entry.id = requested.entry_id and entry.team_id = $1
    returning entry.id, entry.url, requested.audit_id
  )
  insert into audit_events (id, team_id, action, entry_id, url, reason, api_key_id, source, job_id, request_id)
  select audit_id, $1, 'dnc.entry.deleted', id, url, $4, null, 'bulk', null, null from deleted`;

/**
 * Deletes every team's batch with one statement each, `concurrency` at a time. Returns items/s,
 * and the CPU time its Postgres backends used (ms).
 */
export async function runDrainFloor(
  databaseUrl: string,
  batches: { teamId: string; entryIds: string[] }[],
  concurrency = 4,
): Promise<{ itemsPerSecond: number; ms: number; deleted: number; postgresCpuMs: number }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: concurrency });
  try {
    // Open the connections before the clock starts, as a running worker's pool would be.
    const clients = await Promise.all(Array.from({ length: concurrency }, () => pool.connect()));
    const backends = await Promise.all(
      clients.map(async (client) => (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid),
    );
    for (const client of clients) client.release();
    const cpuBefore = backends.map(cpuTimeOf);
    let next = 0;
    let deleted = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          const auditIds = batch.entryIds.map(() => newAuditId());
          const result = await pool.query(floorStatement, [batch.teamId, batch.entryIds, auditIds, 'bench floor']);
          deleted += result.rowCount ?? 0;
        }
      }),
    );
    const ms = performance.now() - started;
    const postgresCpuMs = backends.reduce((sum, pid, i) => sum + cpuTimeOf(pid) - cpuBefore[i]!, 0);
    return { itemsPerSecond: (deleted / ms) * 1000, ms, deleted, postgresCpuMs };
  } finally {
    await pool.end();
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  port: number;
  output: () => string;
  exited: Promise<void>;
}

/**
 * Starts a compiled process (`apps/api/dist/main.js`, `apps/worker/dist/main.js`) and resolves
 * once its `/readyz` answers 200. Its logs are read and dropped, as a log shipper would; only the
 * tail is kept for errors.
 */
export async function startCompiled(
  entry: 'api' | 'worker',
  env: Record<string, string>,
  { nodeArgs = [], dropLogs = false }: { nodeArgs?: string[]; dropLogs?: boolean } = {},
): Promise<Child> {
  const port = await freePort();
  // eslint-disable-next-line no-restricted-properties -- the bench passes PATH on to its children
  const path = process.env.PATH ?? '/usr/bin:/bin';
  const portVariable = entry === 'api' ? 'PORT' : 'WORKER_METRICS_PORT';
  // Started as production starts them: with the service's heap flags.
  const proc = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...nodeArgs, `apps/${entry}/dist/main.js`], {
    env: { PATH: path, ...env, [portVariable]: String(port) },
    // dropLogs: stdout (the log stream) goes to /dev/null, as to a log shipper that keeps up;
    // stderr is still kept for errors.
    stdio: ['ignore', dropLogs ? 'ignore' : 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`could not start ${entry}`);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const child: Child = { proc, pid: proc.pid, port, output: () => tail, exited };
  const started = performance.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${entry} exited before it was ready:\n${tail}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ok) return child;
    if (performance.now() - started > 60_000) {
      await stopChild(child);
      throw new Error(`${entry} not ready after 60 s:\n${tail}`);
    }
    await sleep(20);
  }
}

export async function stopChild(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 15_000);
  await child.exited;
  clearTimeout(timer);
}

/**
 * Resident set size, its peak (VmHWM) and its file-backed part (RssFile: pages of the node binary
 * and other mapped files) of a process, in MiB, from /proc (Linux).
 */
export function memoryOf(pid: number): { rss: number; hwm: number; fileBacked: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024, fileBacked: kib('RssFile') / 1024 };
}

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc (Linux; the local
 * Postgres's backends are visible there): steadier than wall time on a busy machine.
 */
export function cpuTimeOf(pid: number): number {
  // The fields after the command name (in parentheses); utime and stime are fields 14 and 15.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticksPerSecond = 100; // USER_HZ on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** CPU time the Redis server at `redisUrl` has used so far, in ms (a local server: its /proc entry). */
export async function redisServerCpu(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  try {
    await redis.connect();
    return cpuTimeOf(Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]));
  } finally {
    redis.disconnect();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

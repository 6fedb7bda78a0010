// `pnpm bench:footprint`: what the API and the worker cost to run, as real child processes
// against the local Postgres and Redis (DATABASE_URL / REDIS_URL), in a throw-away database and
// Redis prefix:
//
//   - time from process start to the first `/readyz` 200 (median of --starts runs each), and the
//     CPU time the process used by then (steadier than wall time on a busy machine);
//   - RSS once idle (readyz + 3 s), right after 10,000 API requests (GET /v1/dnc/check, each
//     with a distinct URL, so every one reaches Postgres), and the peak (VmHWM);
//   - the worker's RSS idle and after it drained one bulk job of 10,000 ids (all missing).
//
// The processes run as production would, or as the tsx setup did:
//   --runtime dist   node apps/api/dist/main.js …            (needs `pnpm build`; the default)
//   --runtime tsx    node --conditions=@dnc/source --import tsx apps/api/src/main.ts …
//   --node <path>    the Node.js binary of the children (default: the one running this script)
//   --node-arg <a>   a flag for the children's node (repeatable), e.g. --node-arg=--max-semi-space-size=8
// The team's key is created with the operator CLI of the same runtime. Linux only (/proc).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadConfig, maintenanceUrl } from '@dnc/shared';
import { Redis } from 'ioredis';
import pg from 'pg';

const { values: options } = parseArgs({
  options: {
    runtime: { type: 'string', default: 'dist' },
    node: { type: 'string', default: process.execPath },
    'node-arg': { type: 'string', multiple: true, default: [] },
    starts: { type: 'string', default: '5' },
    requests: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '16' },
  },
});
const runtime = options.runtime;
if (runtime !== 'dist' && runtime !== 'tsx') throw new Error('--runtime must be dist or tsx');
const nodeBinary = options.node;
const starts = Number(options.starts);
const requests = Number(options.requests);
const concurrency = Number(options.concurrency);

type Entry = 'api' | 'worker' | 'cli' | 'migrate';
const sources: Record<Entry, string> = {
  api: 'apps/api/src/main.ts',
  worker: 'apps/worker/src/main.ts',
  cli: 'apps/cli/src/main.ts',
  migrate: 'packages/shared/src/db/migrate-cli.ts',
};
const compiled: Record<Entry, string> = {
  api: 'apps/api/dist/main.js',
  worker: 'apps/worker/dist/main.js',
  cli: 'apps/cli/dist/main.js',
  migrate: 'packages/shared/dist/db/migrate-cli.js',
};
const nodeArgs = options['node-arg'];
const argv = (entry: Entry) => [
  ...nodeArgs,
  ...(runtime === 'dist' ? [compiled[entry]] : ['--conditions=@dnc/source', '--import', 'tsx', sources[entry]]),
];

const base = loadConfig();
const suffix = randomBytes(4).toString('hex');
const database = `dnc_footprint_${suffix}`;
const databaseUrl = (() => {
  const url = new URL(maintenanceUrl(base.databaseUrl).url);
  url.pathname = `/${database}`;
  return url.toString();
})();
const redisPrefix = `footprint_${suffix}`;
const teamId = 'team_footprint';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function childEnv(extra: Record<string, string>): Record<string, string> {
  // eslint-disable-next-line no-restricted-properties
  const path = process.env.PATH ?? '/usr/bin:/bin';
  return {
    PATH: path,
    DATABASE_URL: databaseUrl,
    REDIS_URL: base.redisUrl,
    REDIS_PREFIX: redisPrefix,
    LOG_LEVEL: 'info',
    DNC_WRITE_LIMIT: '1000000',
    DNC_READ_LIMIT: '1000000',
    DNC_BULK_LIMIT: '1000000',
    JOBS_READ_LIMIT: '1000000',
    ...extra,
  };
}

interface Child {
  proc: ChildProcess;
  pid: number;
  output: () => string;
  exited: Promise<void>;
}

function start(entry: Entry, env: Record<string, string>): Child {
  const proc = spawn(nodeBinary, argv(entry), { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  if (proc.pid === undefined) throw new Error(`could not start ${entry}`);
  // Logs are read and dropped, as a log shipper would; only the tail is kept for errors.
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return { proc, pid: proc.pid, output: () => tail, exited };
}

async function stop(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 15_000);
  await child.exited;
  clearTimeout(timer);
}

async function run(entry: Entry, args: string[], env: Record<string, string> = {}): Promise<string> {
  const proc = spawn(nodeBinary, [...argv(entry), ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => proc.once('close', resolve));
  if (code !== 0) throw new Error(`${entry} ${args.join(' ')} exited with ${code}:\n${stdout}\n${stderr}`);
  return stdout;
}

/** Milliseconds from spawn to the first 200 of `/readyz` on the port. */
async function startUntilReady(entry: 'api' | 'worker'): Promise<{ child: Child; port: number; readyMs: number; cpuMs: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = start(entry, entry === 'api' ? { PORT: String(port) } : { WORKER_METRICS_PORT: String(port) });
  for (;;) {
    if (child.proc.exitCode !== null) throw new Error(`${entry} exited before it was ready:\n${child.output()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { child, port, readyMs: performance.now() - started, cpuMs: cpuTime(child.pid) };
    if (performance.now() - started > 30_000) {
      await stop(child);
      throw new Error(`${entry} not ready after 30 s:\n${child.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * CPU time (user + system, all threads) a process has used so far, in ms, from /proc: unlike
 * wall-clock time, it does not grow when other work competes for the cores.
 */
function cpuTime(pid: number): number {
  // The fields after the command name (which is in parentheses); utime and stime are fields 14 and 15.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticksPerSecond = 100; // USER_HZ on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** Resident set size (and its peak) of a process, in MiB, from /proc. */
function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

/** The command line of the process and of its children (tsx would show up in either). */
function commandLines(pid: number): string[] {
  const lines = [readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()];
  try {
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      lines.push(...commandLines(Number(child)));
    }
  } catch {
    // the process is gone
  }
  return lines;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mib = (value: number) => `${value.toFixed(1)} MiB`;

async function main() {
  const results: string[] = [];
  await run('migrate', []);

  // 1. Time to ready, each process started alone.
  for (const entry of ['api', 'worker'] as const) {
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < starts; i++) {
      const { child, readyMs, cpuMs } = await startUntilReady(entry);
      times.push(readyMs);
      cpu.push(cpuMs);
      await stop(child);
    }
    results.push(
      `${entry.padEnd(6)} start → /readyz 200   median ${median(times).toFixed(0)} ms  (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}, n=${starts}); CPU used by then: median ${median(cpu).toFixed(0)} ms`,
    );
  }

  // 2. Memory: both running side by side, idle, then under load.
  const { apiKey } = JSON.parse(await run('cli', ['keys', 'create', '--team', teamId, '--json'])) as { apiKey: string };
  const headers = { authorization: `Bearer ${apiKey}` };
  const api = await startUntilReady('api');
  const worker = await startUntilReady('worker');
  try {
    const commands = [...commandLines(api.child.pid), ...commandLines(worker.child.pid)];
    await sleep(3_000);
    const apiIdle = memory(api.child.pid);
    const workerIdle = memory(worker.child.pid);

    const baseUrl = `http://127.0.0.1:${api.port}`;
    let next = 0;
    let failures = 0;
    const loadStarted = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) {
          const i = next++;
          const response = await fetch(`${baseUrl}/v1/dnc/check?url=in/footprint-${i}`, { headers });
          await response.arrayBuffer();
          if (response.status !== 200) failures++;
        }
      }),
    );
    const loadMs = performance.now() - loadStarted;
    if (failures) throw new Error(`${failures} of ${requests} checks did not answer 200`);
    const apiLoaded = memory(api.child.pid);

    const ids = Array.from({ length: 10_000 }, (_, i) => `dnc_footprint${i}`);
    const submitted = await fetch(`${baseUrl}/v1/dnc/bulk-delete`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ ids, reason: 'footprint' }),
    });
    const job = ((await submitted.json()) as { data: { $id: string } }).data;
    if (submitted.status !== 202) throw new Error(`bulk-delete answered ${submitted.status}`);
    const drainStarted = performance.now();
    for (;;) {
      const polled = (await (await fetch(`${baseUrl}/v1/dnc/bulk-delete/${job.$id}`, { headers })).json()) as {
        data: { status: string; counts: Record<string, number> };
      };
      if (polled.data.status === 'completed') break;
      if (performance.now() - drainStarted > 120_000) throw new Error(`job not completed: ${JSON.stringify(polled.data)}`);
      await sleep(100);
    }
    const drainMs = performance.now() - drainStarted;
    const workerLoaded = memory(worker.child.pid);
    await sleep(3_000);
    const apiSettled = memory(api.child.pid);
    const workerSettled = memory(worker.child.pid);

    results.push(
      `api    RSS idle ${mib(apiIdle.rss)}  after ${requests} checks ${mib(apiLoaded.rss)} (+3 s ${mib(apiSettled.rss)})  peak ${mib(apiSettled.hwm)}  (${requests} checks in ${(loadMs / 1000).toFixed(1)} s at concurrency ${concurrency})`,
      `worker RSS idle ${mib(workerIdle.rss)}  after a 10,000-id job ${mib(workerLoaded.rss)} (+3 s ${mib(workerSettled.rss)})  peak ${mib(workerSettled.hwm)}  (drained in ${(drainMs / 1000).toFixed(1)} s)`,
      `processes: ${commands.join(' | ')}`,
    );
  } finally {
    await Promise.all([stop(api.child), stop(worker.child)]);
  }

  console.log(
    `DNC runtime footprint (${new Date().toISOString()}, runtime ${runtime}, node ${(await nodeVersion()).trim()}${nodeArgs.length ? ` ${nodeArgs.join(' ')}` : ''})`,
  );
  for (const line of results) console.log(`  ${line}`);
}

async function nodeVersion(): Promise<string> {
  const proc = spawn(nodeBinary, ['-v'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  await new Promise((resolve) => proc.once('close', resolve));
  return out;
}

async function cleanup() {
  const redis = new Redis(base.redisUrl);
  try {
    const keys = await redis.keys(`${redisPrefix}:*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
  const admin = new pg.Client({ connectionString: maintenanceUrl(base.databaseUrl).url });
  await admin.connect();
  await admin.query(`drop database if exists ${pg.escapeIdentifier(database)} with (force)`);
  await admin.end();
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(cleanup);

// The build (`pnpm build`) run as production runs it: plain `node` on the compiled entry points,
// no tsx, no TypeScript. Every other test runs the sources; this one needs dist/ and is skipped
// when it is missing or older than the sources (.ci/run builds right before the tests).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { repoRoot, spawnNode, stopAllProcesses, type NodeProcess } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

const API = 'apps/api/dist/main.js';
const WORKER = 'apps/worker/dist/main.js';
const MIGRATE = 'packages/shared/dist/db/migrate-cli.js';
const CLI = 'apps/cli/dist/main.js';
const PACKAGES = ['apps/api', 'apps/worker', 'apps/cli', 'packages/shared', 'packages/client'];

function newestMtime(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs),
  );
}

/** Why the build cannot be tested, or undefined when every package has a dist newer than its src. */
function unbuilt(): string | undefined {
  for (const pkg of PACKAGES) {
    let builtAt: number;
    try {
      builtAt = statSync(join(repoRoot, pkg, 'dist/.tsbuildinfo')).mtimeMs;
    } catch {
      return `${pkg}/dist is missing: run pnpm build`;
    }
    if (newestMtime(join(repoRoot, pkg, 'src')) > builtAt) return `${pkg}/dist is older than its src: run pnpm build`;
  }
  return undefined;
}

const skipReason = unbuilt();
const run = promisify(execFile);

describe.skipIf(skipReason !== undefined)(`the compiled build${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let env: TestEnvironment;
  let processEnv: Record<string, string>;

  beforeAll(async () => {
    env = await createTestEnvironment();
    // Node 24 would run a .ts file by stripping its types; with that off, any import that reached
    // the TypeScript sources instead of dist/ fails.
    // eslint-disable-next-line no-restricted-properties
    processEnv = { ...env.env, PATH: process.env.PATH ?? '', NODE_OPTIONS: '--no-experimental-strip-types' };
  });
  afterAll(async () => {
    await stopAllProcesses();
    await env?.cleanup();
  });

  /** The command line of a running process, as `ps` shows it. */
  const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

  it('when the API, the worker, the migrations and the operator CLI run with plain node, they serve a real request and a bulk job', async () => {
    const migrated = await run(process.execPath, [MIGRATE], { cwd: repoRoot, env: processEnv });
    expect(migrated.stdout).toBe('Database is up to date\n');
    const created = await run(process.execPath, [CLI, 'keys', 'create', '--team', 'team_compiled', '--json'], {
      cwd: repoRoot,
      env: processEnv,
    });
    const { apiKey } = JSON.parse(created.stdout) as { apiKey: string };

    const api: NodeProcess = spawnNode(API, { ...processEnv, PORT: '0', LOG_LEVEL: 'info' });
    const worker: NodeProcess = spawnNode(WORKER, { ...processEnv, WORKER_METRICS_PORT: '0', LOG_LEVEL: 'info' });
    const apiPort = (await api.waitForLog((l) => l.msg === 'API listening')).port as number;
    const workerPort = (await worker.waitForLog((l) => l.msg === 'worker metrics listening')).port as number;
    await worker.waitForLog((l) => l.msg === 'worker started');

    for (const port of [apiPort, workerPort]) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
    }
    // Exactly `node <dist entry>`: no tsx, no loader, no extra flags.
    expect(commandLine(api.pid)).toEqual([process.execPath, API]);
    expect(commandLine(worker.pid)).toEqual([process.execPath, WORKER]);

    const baseUrl = `http://127.0.0.1:${apiPort}`;
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const check = await fetch(`${baseUrl}/v1/dnc/check?url=in/compiled-someone`, { headers });
    expect(check.status).toBe(200);
    expect(((await check.json()) as { data: unknown }).data).toEqual({ onList: false, entry: null });

    const submitted = await fetch(`${baseUrl}/v1/dnc/bulk-delete`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ids: ['dnc_compiledMissing1'] }),
    });
    expect(submitted.status).toBe(202);
    const jobId = ((await submitted.json()) as { data: { $id: string } }).data.$id;
    type JobBody = { status: string; counts: Record<string, number> };
    let job: JobBody | undefined;
    await waitUntil(
      async () => {
        job = ((await (await fetch(`${baseUrl}/v1/dnc/bulk-delete/${jobId}`, { headers })).json()) as { data: JobBody }).data;
        return job.status === 'completed';
      },
      { intervalMs: 100, what: () => `job ${jobId} completed (last seen: ${JSON.stringify(job)})` },
    );
    expect(job).toMatchObject({ status: 'completed', counts: { notFound: 1 } });

    // The user CLI and the libraries it loads (csv-parse for --file) as plain node runs them.
    const dir = mkdtempSync(join(tmpdir(), 'dnc-compiled-'));
    const idFile = join(dir, 'ids.csv');
    writeFileSync(idFile, 'id,note\ndnc_compiledMissing2,"gone, already"\n');
    const deleted = await run(
      process.execPath,
      [CLI, 'bulk-delete', '--file', idFile, '--base-url', baseUrl, '--api-key', apiKey, '--json'],
      {
        cwd: repoRoot,
        env: processEnv,
      },
    ).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(JSON.parse(deleted.stdout)).toMatchObject({ status: 'completed', total: 1, counts: { notFound: 1 } });

    expect(await api.stop()).toEqual({ code: 0, signal: null });
    expect(await worker.stop()).toEqual({ code: 0, signal: null });
  });
});

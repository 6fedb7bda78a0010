// @dnc/client as an integrator gets it: `pnpm pack`ed (which builds it), installed with plain npm
// into an empty folder outside the repository, used from a plain `node` script against the real
// API and worker, and type-checked by tsc as a TypeScript consumer would, with nothing of the
// monorepo (no @dnc/shared, no workspace sources) reachable from that folder.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { repoRoot } from '../support/processes.js';

const run = promisify(execFile);

let env: TestEnvironment;
let baseUrl: string;
let workDir: string;
let consumerDir: string;
let tarball: string;
/** What child processes get: PATH, and a HOME of their own (no user .npmrc, a fresh npm cache). */
let childEnv: Record<string, string>;
const installedDir = () => join(consumerDir, 'node_modules/@dnc/client');

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

beforeAll(async () => {
  env = await createTestEnvironment();
  baseUrl = (await env.startApi()).baseUrl;
  await env.startWorker();

  // Its real path: node resolves modules to real paths (a symlinked TMPDIR would not match).
  workDir = realpathSync(mkdtempSync(join(tmpdir(), 'dnc-client-packed-')));
  const packDir = join(workDir, 'pack');
  consumerDir = join(workDir, 'consumer');
  mkdirSync(join(workDir, 'home'));
  mkdirSync(consumerDir);
  // eslint-disable-next-line no-restricted-properties
  childEnv = { PATH: process.env.PATH ?? '', HOME: join(workDir, 'home'), npm_config_cache: join(workDir, 'home/.npm') };

  // The package's prepack script builds it (tsc -b), so the tarball holds a fresh dist/.
  await run('pnpm', ['--filter', '@dnc/client', 'pack', '--pack-destination', packDir], { cwd: repoRoot });
  const [name, ...others] = readdirSync(packDir);
  expect(others).toEqual([]);
  tarball = join(packDir, name!);

  writeFileSync(join(consumerDir, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`);
  // Offline: the package has no dependencies, so nothing but the tarball is needed.
  await run('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball], { cwd: consumerDir, env: childEnv });
}, 180_000);

afterAll(async () => {
  await env?.cleanup();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the packed client', () => {
  it('when packed, then the tarball is dnc-client-<version>.tgz holding dist/ with declarations, and no runtime dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'packages/client/package.json'), 'utf8')) as { version: string };
    expect(tarball.endsWith(`${sep}dnc-client-${manifest.version}.tgz`)).toBe(true);

    const installed = JSON.parse(readFileSync(join(installedDir(), 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(installed).toMatchObject({
      name: '@dnc/client',
      version: manifest.version,
      type: 'module',
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
      types: './dist/index.d.ts',
    });
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) {
      expect(installed[field], field).toBeUndefined();
    }
    // npm installed the one package and nothing else.
    expect(readdirSync(join(consumerDir, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['@dnc']);
    expect(readdirSync(join(consumerDir, 'node_modules/@dnc'))).toEqual(['client']);

    const files = filesUnder(installedDir());
    expect(files).toEqual(
      expect.arrayContaining(['README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/generated/openapi.d.ts']),
    );
    expect(files.filter((file) => file.endsWith('.tsbuildinfo'))).toEqual([]);
    // The declarations (and everything else shipped) stand alone: no trace of the unpublished domain package.
    const mentioningShared = files.filter((file) => readFileSync(join(installedDir(), file), 'utf8').includes('@dnc/shared'));
    expect(mentioningShared).toEqual([]);
  });

  it('when a plain node script imports it from the folder it was installed in, then it adds, checks and bulk-deletes against the running service', async () => {
    const { apiKey } = await env.createKey('team_packed_client');
    const script = `import { createDncClient, isDncApiError } from '@dnc/client';

const dnc = createDncClient({ baseUrl: process.env.DNC_BASE_URL, apiKey: process.env.DNC_API_KEY });
const entry = await dnc.add('https://www.linkedin.com/in/Packed-Client/', { reason: 'packed client test' });
const before = await dnc.check('in/packed-client');
let duplicateOf = null;
try {
  await dnc.add('linkedin.com/in/packed-client');
} catch (error) {
  if (!isDncApiError(error, 'duplicate_entry')) throw error;
  duplicateOf = error.data.entry.$id;
}
const deletion = await dnc.bulkDelete([entry.$id, 'dnc_packedMissing'], { reason: 'packed client cleanup' });
const polled = [];
const finished = await deletion.wait({ onProgress: (job) => polled.push(job.status) });
const after = await dnc.check('in/packed-client');
const items = await dnc.listJobItems(finished.$id);
console.log(JSON.stringify({
  resolved: import.meta.resolve('@dnc/client'),
  entry,
  before,
  duplicateOf,
  submitted: deletion.job.status,
  finished: { status: finished.status, total: finished.total, counts: finished.counts },
  lastPolled: polled.at(-1),
  after,
  items: items.items.map(({ id, status }) => ({ id, status })),
}));
`;
    writeFileSync(join(consumerDir, 'use-client.mjs'), script);
    // Plain node, with its TypeScript type stripping off: reaching any .ts file would fail.
    const { stdout } = await run(process.execPath, ['--no-experimental-strip-types', 'use-client.mjs'], {
      cwd: consumerDir,
      env: { ...childEnv, DNC_BASE_URL: baseUrl, DNC_API_KEY: apiKey },
      timeout: 60_000,
    });
    const output = JSON.parse(stdout) as Record<string, any>;

    expect(output.resolved).toBe(pathToFileURL(join(installedDir(), 'dist/index.js')).href);
    expect(output.entry).toMatchObject({ teamId: 'team_packed_client', url: 'https://linkedin.com/in/packed-client' });
    expect(output.before).toEqual({ onList: true, entry: output.entry });
    expect(output.duplicateOf).toBe(output.entry.$id);
    expect(output.submitted).toBe('queued');
    expect(output.finished).toEqual({
      status: 'completed',
      total: 2,
      counts: { pending: 0, deleted: 1, notFound: 1, forbidden: 0, failed: 0, cancelled: 0 },
    });
    expect(output.lastPolled).toBe('completed');
    expect(output.after).toEqual({ onList: false, entry: null });
    expect(output.items).toEqual([
      { id: output.entry.$id, status: 'deleted' },
      { id: 'dnc_packedMissing', status: 'not_found' },
    ]);
  }, 90_000);

  it("when a TypeScript file uses it, then the repo's tsc type-checks it against the installed declarations alone", async () => {
    const source = `import {
  createDncClient,
  DncApiError,
  isDncApiError,
  isTerminalJob,
  type BulkDeletion,
  type BulkJobStatus,
  type CheckResult,
  type Entry,
  type ErrorCode,
  type Job,
} from '@dnc/client';

const dnc = createDncClient({ baseUrl: 'http://127.0.0.1:3000', apiKey: 'secret' });

export async function removeAll(ids: string[]): Promise<Job> {
  const deletion: BulkDeletion = await dnc.bulkDelete(ids, { reason: 'cleanup', idempotencyKey: 'cleanup-1' });
  return deletion.wait({ onProgress: (job) => console.log(\`\${job.processed}/\${job.total}\`, job.counts.deleted) });
}

export async function addedAt(url: string): Promise<string | undefined> {
  const result: CheckResult = await dnc.check(url);
  if (result.onList) {
    const entry: Entry = result.entry;
    return entry.$createdAt;
  }
  // @ts-expect-error off the list, there is no entry
  return result.entry.url;
}

export function codeOf(error: unknown): ErrorCode | 'unexpected_response' | undefined {
  if (isDncApiError(error, 'rate_limit_exceeded')) return error.code;
  return error instanceof DncApiError ? error.code : undefined;
}

const done: BulkJobStatus = 'completed';
export const finished: boolean = isTerminalJob({ status: done });
// @ts-expect-error not a job status
export const unknownStatus: BulkJobStatus = 'done';
// @ts-expect-error not an error code of the contract
export const unknownCode: ErrorCode = 'teapot';
// @ts-expect-error add takes a URL string
await dnc.add({ url: 'in/jane-doe' });
`;
    writeFileSync(join(consumerDir, 'consumer.ts'), source);
    const typescriptDir = join(repoRoot, 'node_modules/typescript');
    const tsc = [join(typescriptDir, 'bin/tsc'), '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--strict'];
    // --listFiles: every file the program read, i.e. where the consumer's types came from.
    const checked = await run(process.execPath, [...tsc, '--listFiles', 'consumer.ts'], { cwd: consumerDir, env: childEnv }).then(
      ({ stdout }) => ({ failed: false, stdout }),
      (error: Error & { stdout?: string }) => ({ failed: true, stdout: error.stdout || error.message }),
    );
    expect(checked.failed, checked.stdout).toBe(false);

    const libDir = realpathSync(join(typescriptDir, 'lib'));
    const read = checked.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((file) => resolve(consumerDir, file))
      .filter((file) => !file.startsWith(libDir));
    expect(read.filter((file) => !file.startsWith(consumerDir + sep))).toEqual([]);
    expect(read).toEqual(expect.arrayContaining([join(consumerDir, 'consumer.ts'), join(installedDir(), 'dist/index.d.ts')]));
  }, 90_000);
});

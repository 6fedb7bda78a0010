// The user commands of the CLI (bulk-delete, check, add), run as real child processes against the
// real API and worker of this file; they reach the API over HTTP only (no database settings).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEntries } from '../support/bulk.js';
import { startBulkDeletion } from '../support/api-under-test.js';
import type { TestEnvironment } from '../support/environment.js';
import { closedPort } from '../support/ports.js';
import { PROCESS_TEST_TIMEOUT_MS, parseSingleJsonLine, runCli, succeededWithJson, type CliResult } from '../support/processes.js';
import { isoMillis } from '../support/http.js';

let env: TestEnvironment;
let baseUrl: string;
let dir: string;

beforeAll(async () => {
  // Bulk items run at 50 per 1-second window.
  ({ env, baseUrl } = await startBulkDeletion({ windowMs: 1000, writeLimit: 51, reservedForSync: 1 }));
  dir = await mkdtemp(join(tmpdir(), 'dnc-cli-user-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await env?.cleanup();
});

function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, extraEnv);
}

let fileCount = 0;
async function tempFile(content: string, extension = 'txt'): Promise<string> {
  const path = join(dir, `ids-${++fileCount}.${extension}`);
  await writeFile(path, content);
  return path;
}

/** Exit 1, nothing on stdout, exactly one line on stderr without stack frames or paths. */
function expectOneLineError(result: CliResult) {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr.endsWith('\n')).toBe(true);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/\.ts:\d+|node_modules|file:\/\//);
}

async function remainingIds(ids: string[]): Promise<string[]> {
  const rows = await env.services.db.selectFrom('dnc_entries').select('id').where('id', 'in', ids).execute();
  return rows.map((row) => row.id).sort();
}

async function jobsOf(teamId: string) {
  return env.services.db.selectFrom('bulk_jobs').selectAll().where('team_id', '=', teamId).orderBy('created_at').execute();
}

const zeroCounts = { pending: 0, deleted: 0, notFound: 0, forbidden: 0, failed: 0, cancelled: 0 };

describe.concurrent('pnpm cli bulk-delete', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('when a file of ids is given with --json, then every entry is deleted and stdout is one JSON summary line', async () => {
    const key = await env.createKey('team_cli_bulk');
    const ids = await seedEntries(env.services.db, 'team_cli_bulk', 'clibulk', 5);
    const file = await tempFile(`${ids[0]}\n\n${ids.slice(1).join('\n')}\n  ${ids[2]}  \ndnc_cliBulkMissing\n\n`);

    const result = await cli([
      'bulk-delete',
      '--file',
      file,
      '--reason',
      'opt-out list',
      '--base-url',
      baseUrl,
      '--api-key',
      key.apiKey,
      '--json',
    ]);
    const summary = succeededWithJson(result);
    const counts = { ...zeroCounts, deleted: 5, notFound: 1 };
    expect(summary).toEqual({
      status: 'completed',
      total: 6,
      duplicatesSkipped: 1,
      processed: 6,
      counts,
      jobs: [{ id: expect.stringMatching(/^job_[A-Za-z0-9]+$/), status: 'completed', total: 6, counts }],
    });

    expect(await remainingIds(ids)).toEqual([]);
    const jobs = await jobsOf('team_cli_bulk');
    expect(jobs.map((job) => [job.id, job.status, job.reason])).toEqual([[summary.jobs[0].id, 'completed', 'opt-out list']]);
    const audited = await env.services.db
      .selectFrom('audit_events')
      .select(['entry_id', 'reason', 'source'])
      .where('job_id', '=', summary.jobs[0].id)
      .where('action', '=', 'dnc.entry.deleted')
      .execute();
    expect(audited).toHaveLength(5);
    expect(audited.every((event) => event.reason === 'opt-out list' && event.source === 'bulk')).toBe(true);
  });

  it('when a CSV with a header names an id column, then that column is read and the ids go in jobs of --chunk-size', async () => {
    const key = await env.createKey('team_cli_csv');
    const ids = await seedEntries(env.services.db, 'team_cli_csv', 'clicsv', 5);
    const csv = [
      'url,ID,note',
      ...ids.map((id, n) => `https://linkedin.com/in/clicsv-${n + 1},${id},"asked, politely ""twice"""`),
      '',
    ].join('\r\n');
    const file = await tempFile(csv, 'csv');

    const result = await cli([
      'bulk-delete',
      '--file',
      file,
      '--chunk-size',
      '2',
      '--base-url',
      baseUrl,
      '--api-key',
      key.apiKey,
      '--json',
    ]);
    const summary = succeededWithJson(result);
    expect(summary).toMatchObject({
      status: 'completed',
      total: 5,
      duplicatesSkipped: 0,
      processed: 5,
      counts: { ...zeroCounts, deleted: 5 },
    });
    expect(summary.jobs.map((job: any) => [job.status, job.total])).toEqual([
      ['completed', 2],
      ['completed', 2],
      ['completed', 1],
    ]);
    expect(await remainingIds(ids)).toEqual([]);
    // One job per chunk, submitted in file order.
    const jobs = await jobsOf('team_cli_csv');
    expect(jobs.map((job) => job.id)).toEqual(summary.jobs.map((job: any) => job.id));
    const items = await env.services.db
      .selectFrom('bulk_job_items')
      .select(['job_id', 'entry_id'])
      .where(
        'job_id',
        'in',
        jobs.map((job) => job.id),
      )
      .orderBy('job_id')
      .orderBy('position')
      .execute();
    expect(jobs.flatMap((job) => items.filter((item) => item.job_id === job.id).map((item) => item.entry_id))).toEqual(ids);
  });

  it('when a one-column CSV has a header and the key comes from DNC_API_KEY, then the header is skipped and the summary is printed for people', async () => {
    const key = await env.createKey('team_cli_human');
    const ids = await seedEntries(env.services.db, 'team_cli_human', 'clihuman', 3);
    const file = await tempFile(`entry_id\n${ids.join('\n')}\n`, 'csv');

    const result = await cli(['bulk-delete', '--file', file], { DNC_BASE_URL: baseUrl, DNC_API_KEY: key.apiKey });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Bulk deletion completed: 3 ids in 1 job\n {2}deleted 3 · not found 0 · forbidden 0 · failed 0 · cancelled 0\n$/,
    );
    // Progress goes to stderr (plain lines when it is not a terminal), ending at 100 %.
    const [job] = await jobsOf('team_cli_human');
    expect(result.stderr).toContain(`Submitted 3 ids in 1 job: ${job!.id}`);
    expect(result.stderr).toMatch(/\[#+\] 100\.0% {2}3\/3 {2}deleted 3 · not found 0/);
    expect(await remainingIds(ids)).toEqual([]);
  });

  it('when the same command is re-run with --idempotency-key, then it reports the jobs of the first run instead of submitting new ones', async () => {
    const key = await env.createKey('team_cli_idem');
    const ids = await seedEntries(env.services.db, 'team_cli_idem', 'cliidem', 3);
    const file = await tempFile(ids.join('\n'));
    const args = [
      'bulk-delete',
      '--file',
      file,
      '--chunk-size',
      '2',
      '--idempotency-key',
      'run-1',
      '--base-url',
      baseUrl,
      '--api-key',
      key.apiKey,
      '--json',
    ];

    const first = parseSingleJsonLine((await cli(args)).stdout);
    const second = await cli(args);
    expect(second.code).toBe(0);
    expect(parseSingleJsonLine(second.stdout)).toEqual(first);
    expect((await jobsOf('team_cli_idem')).map((job) => job.id)).toEqual(first.jobs.map((job: any) => job.id));
  });

  it('when the file is missing, holds a bad id, or no key is given, then it exits 1 with one line and submits nothing', async () => {
    const key = await env.createKey('team_cli_bad');
    const [id] = await seedEntries(env.services.db, 'team_cli_bad', 'clibad', 1);
    const badFile = await tempFile(`id\n${id}\nlinkedin.com/in/not-an-id\n`, 'csv');
    const connection = ['--base-url', baseUrl, '--api-key', key.apiKey];

    const [missing, bad, empty, noKey, noFile] = await Promise.all([
      cli(['bulk-delete', '--file', join(dir, 'nope.txt'), ...connection, '--json']),
      cli(['bulk-delete', '--file', badFile, ...connection, '--json']),
      cli(['bulk-delete', '--file', await tempFile('\n\n'), ...connection]),
      cli(['bulk-delete', '--file', badFile, '--base-url', baseUrl]),
      cli(['bulk-delete', ...connection]),
    ]);
    expectOneLineError(missing);
    expect(missing.stderr).toBe(`Cannot read ${join(dir, 'nope.txt')}: no such file\n`);
    expectOneLineError(bad);
    expect(bad.stderr).toBe(`${badFile} line 3: "linkedin.com/in/not-an-id" is not a DNC entry id (dnc_<letters and digits>)\n`);
    expectOneLineError(empty);
    expect(empty.stderr).toMatch(/holds no ids/);
    expectOneLineError(noKey);
    expect(noKey.stderr).toMatch(/--api-key.*DNC_API_KEY/);
    expectOneLineError(noFile);
    expect(noFile.stderr).toMatch(/--file is required/);

    expect(await jobsOf('team_cli_bad')).toEqual([]);
    expect(await remainingIds([id!])).toEqual([id]);
  });

  it('when the API refuses the key or cannot be reached, then it exits 1 with one line naming the cause', async () => {
    const file = await tempFile('dnc_cliUnreached1\n');
    const port = await closedPort();
    const [refused, unreachable] = await Promise.all([
      cli(['bulk-delete', '--file', file, '--base-url', baseUrl, '--api-key', 'dncsk_nope', '--json']),
      cli(['bulk-delete', '--file', file, '--base-url', `http://127.0.0.1:${port}`, '--api-key', 'dncsk_nope']),
    ]);
    expectOneLineError(refused);
    expect(refused.stderr).toMatch(/^Submitting failed: .*\(invalid_api_key, HTTP 401, request [\w-]+\)\n$/);
    expectOneLineError(unreachable);
    expect(unreachable.stderr).toMatch(/^Submitting failed: Cannot reach the DNC API at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });
});

describe.concurrent('pnpm cli check and add', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('when a URL is added and checked with --json, then each prints one JSON line; adding it again reports the existing entry', async () => {
    const key = await env.createKey('team_cli_add');
    const connection = ['--base-url', baseUrl, '--api-key', key.apiKey];

    const added = await cli(['add', 'www.linkedin.com/in/CLI-Add/', '--reason', 'asked', ...connection, '--json']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const entry = {
      $id: expect.stringMatching(/^dnc_[A-Za-z0-9]+$/),
      teamId: 'team_cli_add',
      url: 'https://linkedin.com/in/cli-add',
      $createdAt: expect.stringMatching(isoMillis),
      $updatedAt: expect.stringMatching(isoMillis),
    };
    const first = parseSingleJsonLine(added.stdout);
    expect(first).toEqual({ added: true, entry });

    const [again, listed, absent] = await Promise.all([
      cli(['add', 'in/cli-add', ...connection, '--json']),
      cli(['check', 'https://uk.linkedin.com/in/cli-add?x=1', ...connection, '--json']),
      cli(['check', 'in/cli-absent', ...connection, '--json']),
    ]);
    expect(again.code).toBe(0);
    expect(parseSingleJsonLine(again.stdout)).toEqual({ added: false, entry: first.entry });
    expect(listed.code).toBe(0);
    expect(parseSingleJsonLine(listed.stdout)).toEqual({ onList: true, entry: first.entry });
    expect(absent.code).toBe(0);
    expect(parseSingleJsonLine(absent.stdout)).toEqual({ onList: false, entry: null });

    const row = await env.services.db
      .selectFrom('dnc_entries')
      .select(['team_id', 'reason'])
      .where('id', '=', first.entry.$id)
      .executeTakeFirst();
    expect(row).toEqual({ team_id: 'team_cli_add', reason: 'asked' });
  });

  it('when check and add run without --json, then they print one readable line each', async () => {
    const key = await env.createKey('team_cli_text');
    const vars = { DNC_BASE_URL: baseUrl, DNC_API_KEY: key.apiKey };
    const added = await cli(['add', 'in/cli-text'], vars);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^Added: https:\/\/linkedin\.com\/in\/cli-text \(dnc_[A-Za-z0-9]+\)\n$/);
    const [listed, absent, again] = await Promise.all([
      cli(['check', 'in/cli-text'], vars),
      cli(['check', 'in/cli-text-absent'], vars),
      cli(['add', 'in/cli-text'], vars),
    ]);
    expect(listed.stdout).toMatch(
      /^On the list: https:\/\/linkedin\.com\/in\/cli-text \(dnc_[A-Za-z0-9]+, added \d{4}-[\d-]+T[\d:.]+Z\)\n$/,
    );
    expect(absent.stdout).toBe('Not on the list: in/cli-text-absent\n');
    expect(again.stdout).toMatch(/^Already on the list: https:\/\/linkedin\.com\/in\/cli-text /);
  });

  it('when the URL is invalid or missing, or the key is read-only, then it exits 1 with one line carrying the error code', async () => {
    const key = await env.createKey('team_cli_add_bad');
    const readOnly = await env.createKey('team_cli_add_bad', ['dnc:read']);
    const connection = ['--base-url', baseUrl, '--api-key', key.apiKey];
    const [invalid, missing, scope] = await Promise.all([
      cli(['add', 'https://example.com/in/x', ...connection, '--json']),
      cli(['check', ...connection]),
      cli(['add', 'in/cli-readonly', '--base-url', baseUrl, '--api-key', readOnly.apiKey]),
    ]);
    expectOneLineError(invalid);
    expect(invalid.stderr).toMatch(/LinkedIn.*— url .*\(validation_error, HTTP 400, request [\w-]+\)\n$/);
    expectOneLineError(missing);
    expect(missing.stderr).toMatch(/A URL is required/);
    expectOneLineError(scope);
    expect(scope.stderr).toMatch(/\(insufficient_scope, HTTP 403, request [\w-]+\)\n$/);
    expect(await env.services.db.selectFrom('dnc_entries').select('id').where('team_id', '=', 'team_cli_add_bad').execute()).toEqual([]);
  });
});

describe.concurrent('help', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('when --help is given, then the main and per-command usage is printed and it exits 0', async () => {
    const [main, bulk, check, add, keys] = await Promise.all([
      cli(['--help']),
      cli(['bulk-delete', '--help']),
      cli(['check', '--help']),
      cli(['add', '--help']),
      cli(['keys', 'create', '--help']),
    ]);
    for (const result of [main, bulk, check, add, keys]) {
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
    }
    expect(main.stdout).toMatch(/bulk-delete --file/);
    expect(main.stdout).toMatch(/check <url>/);
    expect(main.stdout).toMatch(/add <url>/);
    expect(main.stdout).toMatch(/keys create/);
    expect(bulk.stdout).toContain('--chunk-size');
    expect(bulk.stdout).toContain('DNC_API_KEY');
    expect(bulk.stdout).toContain('http://127.0.0.1:3000');
    expect(check.stdout).toMatch(/^Usage: pnpm cli check <url>/);
    expect(add.stdout).toMatch(/^Usage: pnpm cli add <url>/);
    expect(keys.stdout).toContain('--team');
  });
});

// The user CLI covers the API: list (following cursors), check (one URL or a file scrub), delete,
// jobs show|wait|items|cancel, audit and --version, each run as a real child process against the
// real API and worker of this file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachPage, type Page } from '@dnc/client';
import { seedEntries, waitForJob } from '../support/bulk.js';
import { startBulkDeletion } from '../support/api-under-test.js';
import type { TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { runCli, succeededWithJson, type CliResult } from '../support/processes.js';

const CLI_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 180_000;

let env: TestEnvironment;
let baseUrl: string;
let dir: string;

beforeAll(async () => {
  // Bulk items run at 50 per 1-second window unless a test gives its team a slower plan.
  ({ env, baseUrl } = await startBulkDeletion({ windowMs: 1000, writeLimit: 51, reservedForSync: 1 }));
  dir = await mkdtemp(join(tmpdir(), 'dnc-cli-api-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await env?.cleanup();
});

/** The team's key (made on first use: it also creates the team) and the CLI bound to it. */
const keys = new Map<string, string>();
async function teamCli(teamId: string) {
  if (!keys.has(teamId)) keys.set(teamId, (await env.createKey(teamId)).apiKey);
  const vars = { DNC_BASE_URL: baseUrl, DNC_API_KEY: keys.get(teamId)! };
  return (...args: string[]): Promise<CliResult> => runCli(args, vars, CLI_TIMEOUT_MS);
}

const json = succeededWithJson;

/** Exit 1, nothing on stdout, one line on stderr without stack frames. */
function expectOneLineError(result: CliResult) {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

let fileCount = 0;
async function tempFile(content: string, extension = 'txt'): Promise<string> {
  const path = join(dir, `file-${++fileCount}.${extension}`);
  await writeFile(path, content);
  return path;
}

/** The team's entry ids, newest first (ties by id), as the API lists them. */
async function listedIds(teamId: string): Promise<string[]> {
  const rows = await env.services.db
    .selectFrom('dnc_entries')
    .select('id')
    .where('team_id', '=', teamId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((row) => row.id);
}

describe('pnpm cli list', () => {
  it(
    'when the list spans several pages, then list --all follows the cursors to the end and one page says where the next starts',
    async () => {
      const cli = await teamCli('team_cli_list');
      await seedEntries(env.services.db, 'team_cli_list', 'clilist', 5);
      const expected = await listedIds('team_cli_list');

      const all = json(await cli('list', '--all', '--limit', '2', '--json'));
      expect(all.count).toBe(5);
      expect(all.entries.map((entry: any) => entry.$id)).toEqual(expected);
      expect(all.entries[0]).toMatchObject({
        teamId: 'team_cli_list',
        url: expect.stringMatching(/^https:\/\/linkedin\.com\/in\/clilist-/),
      });

      const first = json(await cli('list', '--limit', '2', '--json'));
      expect(first.entries.map((entry: any) => entry.$id)).toEqual(expected.slice(0, 2));
      expect(first.nextCursor).toEqual(expect.any(String));

      const text = await cli('list', '--limit', '2', '--cursor', first.nextCursor);
      expect(text.code).toBe(0);
      const lines = text.stdout.trimEnd().split('\n');
      expect(lines.slice(0, 2).map((line) => line.split('  ')[0])).toEqual(expected.slice(2, 4));
      expect(lines[2]).toBe('2 entries.');
      expect(lines[3]).toMatch(/^Next page: --cursor [A-Za-z0-9_-]+$/);

      const byOffset = json(await cli('list', '--offset', '4', '--json'));
      expect(byOffset).toMatchObject({ total: 5, offset: 4, nextCursor: null });
      expect(byOffset.entries.map((entry: any) => entry.$id)).toEqual(expected.slice(4));
    },
    TEST_TIMEOUT_MS,
  );

  it('when the service pages by offset only (no nextCursor), then --all pages by offset until a short page', async () => {
    const rows = Array.from({ length: 7 }, (_, n) => n);
    const asked: unknown[] = [];
    const seen: number[] = [];
    const count = await forEachPage(
      (start) => {
        asked.push(start);
        const offset = start.offset ?? 0;
        const page: Page & { items: number[] } = { items: rows.slice(offset, offset + 3), total: rows.length, limit: 3, offset };
        return Promise.resolve(page);
      },
      (page) => page.items,
      (items) => seen.push(...items),
    );
    expect(count).toBe(7);
    expect(seen).toEqual(rows);
    expect(asked).toEqual([{}, { offset: 3 }, { offset: 6 }]);
  });
});

describe('pnpm cli check --file', () => {
  it(
    'when a file of URLs is scrubbed, then each URL gets its answer with its line and the summary counts them',
    async () => {
      const cli = await teamCli('team_cli_scrub');
      const [listedA, listedB] = await seedEntries(env.services.db, 'team_cli_scrub', 'cliscrub', 2);
      const file = await tempFile(
        [
          'name,profile_url,company',
          'A,https://www.linkedin.com/in/CLIScrub-1/,x',
          'B,linkedin.com/in/cliscrub-absent,y',
          '',
          'C,https://example.com/not-a-profile,z',
          'D,in/cliscrub-2,w',
          'A again,uk.linkedin.com/in/cliscrub-1?trk=x,x',
        ].join('\n'),
        'csv',
      );
      const scrubbed = json(await cli('check', '--file', file, '--json'));
      expect(scrubbed).toMatchObject({ total: 5, onList: 3, notOnList: 1, errors: 1 });
      expect(
        scrubbed.results.map((result: any) => [result.line, result.onList, result.entry?.$id ?? null, result.error !== undefined]),
      ).toEqual([
        [2, true, listedA, false],
        [3, false, null, false],
        [5, false, null, true],
        [6, true, listedB, false],
        [7, true, listedA, false],
      ]);
      expect(scrubbed.results[0]).toMatchObject({
        url: 'https://www.linkedin.com/in/CLIScrub-1/',
        normalizedUrl: 'https://linkedin.com/in/cliscrub-1',
      });
      expect(scrubbed.results[2]).toMatchObject({ url: 'https://example.com/not-a-profile', normalizedUrl: null });

      const text = await cli('check', '--file', file);
      expect(text.code).toBe(0);
      const lines = text.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(5);
      expect(lines[0]).toBe(`on the list   line 2: https://www.linkedin.com/in/CLIScrub-1/ (${listedA})`);
      expect(lines[1]).toMatch(/^not a profile line 5: "https:\/\/example\.com\/not-a-profile" /);
      expect(lines[4]).toBe('Checked 5 URLs: 3 on the list, 1 not, 1 not profile URLs.');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'when the file is missing or empty, or a URL is given too, then it exits 1 with one line',
    async () => {
      const cli = await teamCli('team_cli_scrub_bad');
      const [missing, empty, both] = await Promise.all([
        cli('check', '--file', join(dir, 'nope.txt')),
        cli('check', '--file', await tempFile('\n\n')),
        cli('check', 'in/x', '--file', await tempFile('in/y\n')),
      ]);
      expectOneLineError(missing);
      expect(missing.stderr).toContain('no such file');
      expectOneLineError(empty);
      expect(empty.stderr).toMatch(/holds no URLs/);
      expectOneLineError(both);
      expect(both.stderr).toMatch(/one URL or --file, not both/);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('pnpm cli delete', () => {
  it(
    'when an entry is deleted by id, then it is gone and audited; deleting it again exits 1 with not_found',
    async () => {
      const cli = await teamCli('team_cli_delete');
      const [id] = await seedEntries(env.services.db, 'team_cli_delete', 'clidelete', 1);
      expect(json(await cli('delete', id!, '--reason', 'asked by phone', '--json'))).toEqual({ deleted: true, id });
      const again = await cli('delete', id!);
      expectOneLineError(again);
      expect(again.stderr).toMatch(/\(not_found, HTTP 404, request [\w-]+\)\n$/);
      const audited = await env.services.db.selectFrom('audit_events').select(['reason', 'source']).where('entry_id', '=', id!).execute();
      expect(audited).toEqual([{ reason: 'asked by phone', source: 'api' }]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('pnpm cli bulk-delete --urls-file', () => {
  it(
    'when a file of profile URLs is given, then the team’s entries with those URLs are deleted and the summary counts them',
    async () => {
      const cli = await teamCli('team_cli_urls');
      const ids = await seedEntries(env.services.db, 'team_cli_urls', 'cliurls', 3);
      const file = await tempFile(
        [
          'linkedin_url',
          'https://www.linkedin.com/in/CliUrls-1/',
          'in/cliurls-2',
          'in/cliurls-2',
          'linkedin.com/in/cliurls-3?x=1',
          'in/cliurls-absent',
          '',
        ].join('\n'),
        'csv',
      );
      const summary = json(await cli('bulk-delete', '--urls-file', file, '--reason', 'crm opt-outs', '--json'));
      expect(summary).toMatchObject({
        status: 'completed',
        total: 4,
        duplicatesSkipped: 1,
        processed: 4,
        counts: { pending: 0, deleted: 3, notFound: 1, forbidden: 0, failed: 0, cancelled: 0 },
      });
      expect(await env.services.db.selectFrom('dnc_entries').select('id').where('id', 'in', ids).execute()).toEqual([]);
      const items = json(await cli('jobs', 'items', summary.jobs[0].id, '--json'));
      expect(items.items.map((item: any) => [item.id, item.url, item.status])).toEqual([
        [ids[0], 'https://linkedin.com/in/cliurls-1', 'deleted'],
        [ids[1], 'https://linkedin.com/in/cliurls-2', 'deleted'],
        [ids[2], 'https://linkedin.com/in/cliurls-3', 'deleted'],
        [null, 'https://linkedin.com/in/cliurls-absent', 'not_found'],
      ]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'when a line is not a profile URL, or both --file and --urls-file are given, then it exits 1 naming the line and submits nothing',
    async () => {
      const cli = await teamCli('team_cli_urls_bad');
      const file = await tempFile(['in/fine-1', 'https://example.com/in/nope', 'in/fine-2'].join('\n'));
      const [bad, both] = await Promise.all([
        cli('bulk-delete', '--urls-file', file),
        cli('bulk-delete', '--urls-file', file, '--file', file),
      ]);
      expectOneLineError(bad);
      expect(bad.stderr).toMatch(new RegExp(`^${file} line 2: "https://example\\.com/in/nope" .+; nothing of it was submitted\\n$`));
      expectOneLineError(both);
      expect(both.stderr).toMatch(/--file \(ids\) or --urls-file \(URLs\), not both/);
      const jobs = await env.services.db.selectFrom('bulk_jobs').select('id').where('team_id', '=', 'team_cli_urls_bad').execute();
      expect(jobs).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('pnpm cli jobs and audit', () => {
  it(
    'when a job runs, then jobs show, items (following cursors), wait and audit report it',
    async () => {
      const cli = await teamCli('team_cli_jobs');
      const api = client(baseUrl, keys.get('team_cli_jobs'));
      const ids = await seedEntries(env.services.db, 'team_cli_jobs', 'clijobs', 4);
      const submitted = await api.post('/v1/dnc/bulk-delete', { ids: [...ids, 'dnc_cliJobsMissing'], reason: 'cleanup' });
      const jobId: string = submitted.body.data.$id;

      const waited = json(await cli('jobs', 'wait', jobId, '--json'));
      expect(waited).toMatchObject({ $id: jobId, status: 'completed', counts: { deleted: 4, notFound: 1, pending: 0 } });
      expect(json(await cli('jobs', 'show', jobId, '--json'))).toEqual(waited);

      const items = json(await cli('jobs', 'items', jobId, '--all', '--limit', '2', '--json'));
      expect(items.count).toBe(5);
      expect(items.items.map((item: any) => [item.id, item.status])).toEqual([
        ...ids.map((id) => [id, 'deleted']),
        ['dnc_cliJobsMissing', 'not_found'],
      ]);
      const notFound = json(await cli('jobs', 'items', jobId, '--status', 'not_found', '--json'));
      expect(notFound.items).toEqual([expect.objectContaining({ id: 'dnc_cliJobsMissing', status: 'not_found' })]);

      const events = json(await cli('audit', '--job-id', jobId, '--action', 'dnc.entry.deleted', '--all', '--limit', '3', '--json'));
      expect(events.count).toBe(4);
      expect(events.events.map((event: any) => event.entryId).sort()).toEqual([...ids].sort());
      expect(events.events.every((event: any) => event.source === 'bulk' && event.reason === 'cleanup')).toBe(true);

      const text = await cli('audit', '--job-id', jobId, '--limit', '1');
      expect(text.code).toBe(0);
      const lines = text.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^\\S+Z  dnc\\.\\S+  .*bulk ${jobId}`));
      expect(lines[1]).toBe('1 event of 5.');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'when a slow job is cancelled, then jobs cancel shows it cancelled and jobs wait exits 1',
    async () => {
      // One item per window: the job is still running when it is cancelled.
      await env.services.teamLimits.set('team_cli_cancel', { 'dnc-write': 2 });
      const cli = await teamCli('team_cli_cancel');
      const api = client(baseUrl, keys.get('team_cli_cancel'));
      const ids = await seedEntries(env.services.db, 'team_cli_cancel', 'clicancel', 40);
      const submitted = await api.post('/v1/dnc/bulk-delete', { ids });
      const jobId: string = submitted.body.data.$id;

      const cancelled = json(await cli('jobs', 'cancel', jobId, '--json'));
      expect(cancelled).toMatchObject({ $id: jobId, status: 'cancelled' });
      expect(cancelled.counts.cancelled).toBeGreaterThan(0);
      expect(cancelled.counts.deleted + cancelled.counts.cancelled).toBe(40);

      const waited = await cli('jobs', 'wait', jobId);
      expect(waited.code).toBe(1);
      expect(waited.stdout).toMatch(new RegExp(`^${jobId}  cancelled`));
      expect(waited.stderr).toMatch(new RegExp(`Job ${jobId} ended cancelled\\n$`));
      await waitForJob(api, jobId);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'when the job id, page options or action are wrong, then it exits 1 with one line',
    async () => {
      const cli = await teamCli('team_cli_jobs_bad');
      const [unknownJob, badSub, both, badAction] = await Promise.all([
        cli('jobs', 'show', 'job_doesNotExist0000'),
        cli('jobs', 'frob', 'job_x'),
        cli('list', '--cursor', 'abc', '--offset', '1'),
        cli('audit', '--action', 'dnc.everything'),
      ]);
      expectOneLineError(unknownJob);
      expect(unknownJob.stderr).toMatch(/\(not_found, HTTP 404/);
      expectOneLineError(badSub);
      expect(badSub.stderr).toMatch(/Unknown command "jobs frob"/);
      expectOneLineError(both);
      expect(both.stderr).toMatch(/--cursor and --offset cannot be combined/);
      expectOneLineError(badAction);
      expect(badAction.stderr).toMatch(/--action must be one of dnc\.entry\.added/);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('help and version', () => {
  it(
    'when --help is given, then every command lists every option; --version prints the version',
    async () => {
      const [main, list, check, del, bulk, jobs, audit] = await Promise.all([
        runCli(['--help'], {}, CLI_TIMEOUT_MS),
        runCli(['list', '--help'], {}, CLI_TIMEOUT_MS),
        runCli(['check', '--help'], {}, CLI_TIMEOUT_MS),
        runCli(['delete', '--help'], {}, CLI_TIMEOUT_MS),
        runCli(['bulk-delete', '--help'], {}, CLI_TIMEOUT_MS),
        runCli(['jobs', '--help'], {}, CLI_TIMEOUT_MS),
        runCli(['audit', '--help'], {}, CLI_TIMEOUT_MS),
      ]);
      for (const result of [main, list, check, del, bulk, jobs, audit]) {
        expect(result.code).toBe(0);
        expect(result.stderr).toBe('');
        for (const option of ['--json', '--base-url', '--api-key']) expect(result.stdout).toContain(option);
      }
      for (const command of ['list', 'check --file', 'add <url>', 'delete <id>', '--urls-file', 'jobs items', 'audit', '--version']) {
        expect(main.stdout).toContain(command);
      }
      for (const option of ['--limit', '--cursor', '--offset', '--all']) {
        expect(list.stdout).toContain(option);
        expect(jobs.stdout).toContain(option);
        expect(audit.stdout).toContain(option);
      }
      for (const option of ['--action', '--entry-id', '--job-id']) expect(audit.stdout).toContain(option);
      for (const sub of ['show', 'wait', 'items', 'cancel', '--status']) expect(jobs.stdout).toContain(sub);
      expect(check.stdout).toContain('--file');
      expect(del.stdout).toContain('--reason');
      for (const option of ['--file', '--urls-file', '--reason', '--chunk-size', '--idempotency-key'])
        expect(bulk.stdout).toContain(option);

      const [version, versionJson] = await Promise.all([
        runCli(['--version'], {}, CLI_TIMEOUT_MS),
        runCli(['--version', '--json'], {}, CLI_TIMEOUT_MS),
      ]);
      expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
      expect(json(versionJson)).toEqual({ version: version.stdout.trim() });
    },
    TEST_TIMEOUT_MS,
  );
});

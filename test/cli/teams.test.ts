// Per-team limits: the operator CLI (`pnpm cli teams …`, a real child process against this file's
// database) sets them, and the real API, in this process and in a child process, applies them
// within 5 s and shows them in RateLimit-Policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { PROCESS_TEST_TIMEOUT_MS, runCli, startApiProcess, type CliResult, type RunningApiProcess } from '../support/processes.js';
import { sleep } from '../support/wait.js';

// Far above this file's traffic, except where a test sets a team's own limit.
const DEFAULTS = { DNC_WRITE_LIMIT: '100000', DNC_BULK_LIMIT: '100000', DNC_READ_LIMIT: '100000', JOBS_READ_LIMIT: '100000' };
const RESERVE = 5;
/** How long a process may apply a team's old limits after a change. */
const APPLY_BOUND_MS = 5_000;

let env: TestEnvironment;
let baseUrl: string;
let apiProcess: RunningApiProcess;

beforeAll(async () => {
  env = await createTestEnvironment({ ...DEFAULTS, DNC_WRITE_RESERVED_FOR_SYNC: String(RESERVE) });
  [baseUrl, apiProcess] = await Promise.all([env.startApi().then((api) => api.baseUrl), startApiProcess(env.env)]);
});
afterAll(async () => {
  await apiProcess?.stop();
  await env?.cleanup();
});

function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['teams', ...args], { ...env.env, ...extraEnv });
}

function singleJsonLine(result: CliResult): any {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!);
}

/** Non-zero exit, nothing on stdout, one short line on stderr without a stack trace. */
function expectRefused(result: CliResult) {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim()).not.toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

async function teamRows(teamId: string) {
  return env.services.db.selectFrom('team_limits').selectAll().where('team_id', '=', teamId).execute();
}

const policyOf = (headers: Headers) => headers.get('ratelimit-policy');

/**
 * Polls the API until `probe`'s answer shows `expected`, and checks that every answer to a request
 * sent at least APPLY_BOUND_MS after `changedBy` showed it: the bound, whatever the machine's load.
 */
async function expectAppliedWithinBound(changedBy: number, probe: () => Promise<string | null>, expected: string) {
  for (;;) {
    const sentAt = Date.now();
    const seen = await probe();
    if (sentAt >= changedBy + APPLY_BOUND_MS) expect(seen).toBe(expected);
    if (seen === expected) return;
    await sleep(100);
  }
}

describe('pnpm cli teams', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('when a team has no limits of its own, then show --json gives the configured defaults', async () => {
    const shown = singleJsonLine(await cli(['show', '--team', 'team_lim_defaults', '--json']));
    expect(shown).toEqual({
      teamId: 'team_lim_defaults',
      windowMs: 60_000,
      writeReservedForSync: RESERVE,
      limits: {
        'dnc-write': { limit: 100000, source: 'default', updatedAt: null },
        'dnc-bulk': { limit: 100000, source: 'default', updatedAt: null },
        'dnc-read': { limit: 100000, source: 'default', updatedAt: null },
        'jobs-read': { limit: 100000, source: 'default', updatedAt: null },
      },
    });
  });

  it('when limits are set twice, then the classes not given keep their value, and reset brings back the defaults', async () => {
    const first = singleJsonLine(await cli(['set-limits', '--team', 'team_lim_set', '--dnc-write', '40', '--dnc-read', '200', '--json']));
    expect(first.limits['dnc-write']).toEqual({ limit: 40, source: 'team', updatedAt: expect.any(String) });
    expect(first.limits['dnc-read']).toMatchObject({ limit: 200, source: 'team' });
    expect(first.limits['dnc-bulk']).toMatchObject({ limit: 100000, source: 'default' });

    const second = singleJsonLine(await cli(['set-limits', '--team', 'team_lim_set', '--dnc-bulk', '3', '--json']));
    expect(second.limits).toMatchObject({
      'dnc-write': { limit: 40, source: 'team' },
      'dnc-bulk': { limit: 3, source: 'team' },
      'dnc-read': { limit: 200, source: 'team' },
      'jobs-read': { limit: 100000, source: 'default' },
    });

    const text = await cli(['show', '--team', 'team_lim_set']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/dnc-write\s+40\s+\(team's own/);
    expect(text.stdout).toMatch(/jobs-read\s+100000\s+\(default\)/);

    const reset = singleJsonLine(await cli(['reset-limits', '--team', 'team_lim_set', '--json']));
    expect(Object.values(reset.limits)).toEqual(Array(4).fill({ limit: 100000, source: 'default', updatedAt: null }));
    expect(await teamRows('team_lim_set')).toEqual([]);
  }, 60_000);

  it('when a dnc-write limit is at or below the reserve, or a limit is below 1 or not a number, then it exits non-zero with a clear message and writes nothing', async () => {
    // Two at a time: each CLI start is a Node process with TypeScript compiled on the fly.
    const [atReserve, zero] = await Promise.all([
      cli(['set-limits', '--team', 'team_lim_bad', '--dnc-write', String(RESERVE)]),
      cli(['set-limits', '--team', 'team_lim_bad', '--dnc-read', '0']),
    ]);
    const [notNumber, nothingGiven] = await Promise.all([
      cli(['set-limits', '--team', 'team_lim_bad', '--jobs-read', 'lots']),
      cli(['set-limits', '--team', 'team_lim_bad']),
    ]);
    const [noTeam, badTeam] = await Promise.all([
      cli(['set-limits', '--dnc-read', '10']),
      cli(['set-limits', '--team', 'acme', '--dnc-read', '10']),
    ]);
    expectRefused(atReserve);
    expect(atReserve.stderr).toContain('--dnc-write');
    expect(atReserve.stderr).toContain(`DNC_WRITE_RESERVED_FOR_SYNC (${RESERVE})`);
    expectRefused(zero);
    expect(zero.stderr).toMatch(/--dnc-read must be a whole number of at least 1/);
    expectRefused(notNumber);
    expect(notNumber.stderr).toMatch(/--jobs-read must be a whole number of at least 1 \(got "lots"\)/);
    expectRefused(nothingGiven);
    expect(nothingGiven.stderr).toContain('--dnc-write');
    expectRefused(noTeam);
    expect(noTeam.stderr).toContain('--team is required');
    expectRefused(badTeam);
    expect(badTeam.stderr).toMatch(/--team must look like team_/);
    expect(await teamRows('team_lim_bad')).toEqual([]);

    // With a smaller reserve configured, the same limit is fine.
    const smallerReserve = await cli(['set-limits', '--team', 'team_lim_bad', '--dnc-write', String(RESERVE), '--json'], {
      DNC_WRITE_RESERVED_FOR_SYNC: '2',
    });
    expect(singleJsonLine(smallerReserve).limits['dnc-write']).toMatchObject({ limit: RESERVE, source: 'team' });
  }, 120_000);

  it('when --help is given, then each command prints its usage with every option and exits 0', async () => {
    const [main, set, show, reset] = await Promise.all([
      runCli(['--help'], env.env),
      cli(['set-limits', '--help']),
      cli(['show', '--help']),
      cli(['reset-limits', '--help']),
    ]);
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/teams set-limits --team/);
    expect(set.code).toBe(0);
    for (const option of ['--team', '--dnc-write', '--dnc-bulk', '--dnc-read', '--jobs-read', '--json', 'DNC_WRITE_RESERVED_FOR_SYNC']) {
      expect(set.stdout).toContain(option);
    }
    expect(show.stdout).toContain('--json');
    expect(reset.stdout).toContain('--team');
  }, 60_000);
});

describe('per-team limits in the API', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('when an operator sets a team limit, then the API (in process and in another process) applies it within 5 s and RateLimit-Policy shows it', async () => {
    const key = await env.createKey('team_lim_api');
    const other = await env.createKey('team_lim_other');
    const inProcess = client(baseUrl, key.apiKey);
    const childProcess = client(apiProcess.baseUrl, key.apiKey);
    // Both processes cache the team's limits before the change.
    expect(policyOf((await inProcess.get('/v1/dnc')).headers)).toBe('"dnc-read";q=100000;w=60');
    expect(policyOf((await childProcess.get('/v1/dnc')).headers)).toBe('"dnc-read";q=100000;w=60');

    const set = await cli(['set-limits', '--team', 'team_lim_api', '--dnc-read', '5000', '--dnc-write', '8']);
    const changedBy = Date.now();
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('within 5 seconds');

    await Promise.all([
      expectAppliedWithinBound(changedBy, async () => policyOf((await inProcess.get('/v1/dnc')).headers), '"dnc-read";q=5000;w=60'),
      expectAppliedWithinBound(changedBy, async () => policyOf((await childProcess.get('/v1/dnc')).headers), '"dnc-read";q=5000;w=60'),
    ]);
    // Another team keeps the defaults.
    expect(policyOf((await client(baseUrl, other.apiKey).get('/v1/dnc')).headers)).toBe('"dnc-read";q=100000;w=60');

    // The new dnc-write limit is enforced exactly: 8 admitted across both processes, then 429.
    const writes = await Promise.all(
      Array.from({ length: 12 }, (_, n) => (n % 2 ? inProcess : childProcess).post('/v1/dnc', { url: `in/team-limit-${n}` })),
    );
    const admitted = writes.filter((response) => response.status !== 429);
    expect(admitted).toHaveLength(8);
    for (const response of writes) expect(policyOf(response.headers)).toBe('"dnc-write";q=8;w=60');
    const refused = writes.find((response) => response.status === 429)!;
    expect(refused.body).toMatchObject({ error: 'rate_limit_exceeded', message: expect.stringContaining('8') });
  });

  it('when an operator resets a team limit, then the API goes back to the configured default within 5 s', async () => {
    const key = await env.createKey('team_lim_reset');
    const api = client(baseUrl, key.apiKey);
    const set = await cli(['set-limits', '--team', 'team_lim_reset', '--jobs-read', '77', '--dnc-read', '300']);
    const setBy = Date.now();
    expect(set.code).toBe(0);
    await expectAppliedWithinBound(setBy, async () => policyOf((await api.get('/v1/dnc')).headers), '"dnc-read";q=300;w=60');

    const reset = await cli(['reset-limits', '--team', 'team_lim_reset']);
    const resetBy = Date.now();
    expect(reset.code).toBe(0);
    await expectAppliedWithinBound(resetBy, async () => policyOf((await api.get('/v1/dnc')).headers), '"dnc-read";q=100000;w=60');
  });
});

// The operator CLI, run as a real child process against this file's database; the keys it
// prints are then used against the real API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { PROCESS_TEST_TIMEOUT_MS, parseSingleJsonLine, runCli, type CliResult } from '../support/processes.js';
import { client, isoMillis } from '../support/http.js';
import { sleep } from '../support/wait.js';

let env: TestEnvironment;
let baseUrl: string;

beforeAll(async () => {
  env = await createTestEnvironment(unlimited);
  baseUrl = (await env.startApi()).baseUrl;
});
afterAll(() => env?.cleanup());

function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, { ...env.env, ...extraEnv });
}

/** The error is a short message: no stack frames, no source paths. */
function expectShortError(result: CliResult) {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  const text = result.stderr.trim();
  expect(text.length).toBeGreaterThan(0);
  expect(text.split('\n').length).toBeLessThanOrEqual(3);
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toMatch(/\.ts:\d+|node_modules|file:\/\//);
}

describe('pnpm cli keys', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('when a key is created with --json, then stdout is exactly one JSON line and the key works against the API', async () => {
    const result = await cli(['keys', 'create', '--team', 'team_x', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const created = parseSingleJsonLine(result.stdout);
    expect(created).toEqual({
      teamId: 'team_x',
      keyId: expect.stringMatching(/^key_[A-Za-z0-9]+$/),
      apiKey: expect.stringMatching(/^dncsk_[A-Za-z0-9]+_[0-9a-f]+$/),
      scopes: ['dnc:read', 'dnc:write'],
    });

    const api = client(baseUrl, created.apiKey);
    const added = await api.post('/v1/dnc', { url: 'linkedin.com/in/cli-created' });
    expect(added.status).toBe(201);
    expect(added.body.data.teamId).toBe('team_x');
    const listed = await api.get('/v1/dnc');
    expect(listed.status).toBe(200);
    expect(listed.body.data.total).toBe(1);

    // The secret is stored only as a hash.
    const row = await env.services.db.selectFrom('api_keys').selectAll().where('id', '=', created.keyId).executeTakeFirstOrThrow();
    const secret = (created.apiKey as string).split('_').pop()!;
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it('when keys are listed with --json, then each key is shown without its secret', async () => {
    const created = parseSingleJsonLine(
      (await cli(['keys', 'create', '--team', 'team_cli_list', '--name', 'ops laptop', '--json'])).stdout,
    );
    const result = await cli(['keys', 'list', '--team', 'team_cli_list', '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const listed = parseSingleJsonLine(result.stdout);
    expect(listed).toEqual([
      {
        keyId: created.keyId,
        teamId: 'team_cli_list',
        name: 'ops laptop',
        scopes: ['dnc:read', 'dnc:write'],
        createdAt: expect.stringMatching(isoMillis),
        revokedAt: null,
      },
    ]);
    const secret = (created.apiKey as string).split('_').pop()!;
    expect(result.stdout).not.toContain(secret);
    expect(result.stdout).not.toContain(created.apiKey);
    expect(result.stdout).not.toMatch(/secret|hash/i);
  });

  it('when a key is created with --scopes dnc:read, then it can read but not write', async () => {
    const result = await cli(['keys', 'create', '--team', 'team_cli_ro', '--scopes', 'dnc:read', '--json']);
    expect(result.code).toBe(0);
    const created = parseSingleJsonLine(result.stdout);
    expect(created.scopes).toEqual(['dnc:read']);

    const api = client(baseUrl, created.apiKey);
    expect((await api.get('/v1/dnc')).status).toBe(200);
    const write = await api.post('/v1/dnc', { url: 'linkedin.com/in/cli-read-only' });
    expect(write.status).toBe(403);
    expect(write.body).toEqual({ error: 'insufficient_scope', message: expect.any(String), data: null });
  });

  it('when a key is revoked, then the API refuses it within 5 seconds and the list shows it revoked', async () => {
    const created = parseSingleJsonLine((await cli(['keys', 'create', '--team', 'team_cli_revoke', '--json'])).stdout);
    const api = client(baseUrl, created.apiKey);
    expect((await api.get('/v1/dnc')).status).toBe(200);

    const revoked = await cli(['keys', 'revoke', created.keyId]);
    // The revocation has committed by the time the CLI exits.
    const revokedBy = Date.now();
    expect(revoked.code).toBe(0);
    expect(revoked.stderr).toBe('');
    expect(revoked.stdout).toContain(created.keyId);

    // Until then the API may trust the copy it cached; a request sent 5 s after the revocation
    // must be refused (a busy machine only sends it later).
    const refusedAfterBound = async () => {
      await sleep(revokedBy + 5_000 - Date.now());
      return api.get('/v1/dnc');
    };
    // The list runs while the API's 5 s bound elapses (each CLI start costs about a second).
    const [refused, listResult] = await Promise.all([refusedAfterBound(), cli(['keys', 'list', '--team', 'team_cli_revoke', '--json'])]);

    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: 'invalid_api_key', message: expect.any(String), data: null });

    expect(listResult.code).toBe(0);
    expect(parseSingleJsonLine(listResult.stdout)).toEqual([
      expect.objectContaining({ keyId: created.keyId, revokedAt: expect.stringMatching(isoMillis) }),
    ]);
  });

  it('when the team id is malformed, then it exits non-zero with a short message and creates nothing', async () => {
    const result = await cli(['keys', 'create', '--team', 'acme', '--json']);
    expectShortError(result);
    expect(result.stderr).toMatch(/team/i);
    expect(await env.services.db.selectFrom('teams').select('id').where('id', '=', 'acme').executeTakeFirst()).toBeUndefined();
  });

  it('when a scope is unknown, then it exits non-zero with a short message naming the valid scopes and creates nothing', async () => {
    const result = await cli(['keys', 'create', '--team', 'team_cli_badscope', '--scopes', 'dnc:admin', '--json']);
    expectShortError(result);
    expect(result.stderr).toContain('dnc:admin');
    expect(result.stderr).toContain('dnc:read');
    const keys = await env.services.db.selectFrom('api_keys').select('id').where('team_id', '=', 'team_cli_badscope').execute();
    expect(keys).toEqual([]);
  });

  it('when --team is missing or the key to revoke does not exist, then it exits non-zero without a stack trace', async () => {
    const [missingTeam, unknownKey] = await Promise.all([
      cli(['keys', 'create', '--json']),
      cli(['keys', 'revoke', 'key_doesNotExist000']),
    ]);
    expect(missingTeam.code).not.toBe(0);
    expect(missingTeam.stderr).toContain('--team');
    expect(missingTeam.stderr).not.toMatch(/^\s+at /m);
    expectShortError(unknownKey);
    expect(unknownKey.stderr).toContain('key_doesNotExist000');
  });

  it('when Postgres is unreachable, then it exits non-zero with one readable line', async () => {
    const result = await cli(['keys', 'list', '--team', 'team_x', '--json'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expectShortError(result);
    expect(result.stderr).toMatch(/postgres/i);
  });

  it('when --help is given, then it prints usage and exits 0', async () => {
    const [main, create] = await Promise.all([cli(['--help']), cli(['keys', 'create', '--help'])]);
    expect(main.code).toBe(0);
    expect(main.stdout).toContain('Usage');
    expect(main.stdout).toMatch(/keys create/);
    expect(main.stdout).toMatch(/keys revoke/);
    expect(main.stdout).toMatch(/keys list/);
    expect(create.code).toBe(0);
    expect(create.stdout).toContain('--team');
    expect(create.stdout).toContain('--scopes');
  });
});

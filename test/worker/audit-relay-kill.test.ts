// A worker SIGKILLed in the middle of a relay page, after some of its lines reached stdout and
// before the page committed: the page's events must stay queued (the statement that read them
// also deleted their outbox rows, in the transaction that never committed), and the next worker
// relays every one of them. At least once, never lost.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { PROCESS_TEST_TIMEOUT_MS, repoRoot, startWorkerProcess, stopAllProcesses } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

// More than the first relay page (500), whose lines (about 1 KiB each) are far more than a pipe holds (64 KiB).
const EVENTS = 1_000;

let env: TestEnvironment;
let dir: string;

beforeAll(async () => {
  env = await createTestEnvironment();
  dir = mkdtempSync(join(tmpdir(), 'dnc-relay-kill-'));
});
afterAll(async () => {
  await stopAllProcesses();
  await env?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const outboxSize = async () => (await sql<{ n: number }>`select count(*)::int as n from audit_outbox`.execute(env.services.db)).rows[0]!.n;

/** Whatever the pipe holds now, without waiting for more. */
function drain(fd: number): string {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(65_536);
  for (;;) {
    let read: number;
    try {
      read = readSync(fd, buffer);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
      throw error;
    }
    if (read === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, read)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

const auditIds = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { audit?: boolean; event?: { $id: string } })
    .filter((line) => line.audit === true)
    .map((line) => line.event!.$id);

describe('a worker killed in the middle of a relay page', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('when some of the page reached stdout before the SIGKILL, then no event is lost: the next worker relays them all', async () => {
    await sql`
      insert into audit_events (id, team_id, action, entry_id, url, reason, api_key_id, source, job_id, request_id)
      select 'aud_kill' || lpad(n::text, 4, '0'), 'team_kill', 'dnc.entry.deleted', 'dnc_kill' || n,
        'https://linkedin.com/in/kill-' || n, repeat('a reason long enough to fill the pipe sooner. ', 14), null, 'bulk', 'job_kill', 'req-kill-' || n
      from generate_series(1, ${EVENTS}::int) n`.execute(env.services.db);
    const expected = Array.from({ length: EVENTS }, (_, i) => `aud_kill${String(i + 1).padStart(4, '0')}`);

    // The first worker's stdout is a pipe that is read only after the kill: its relay fills the
    // pipe with the first lines of its page and waits for a reader, inside its transaction.
    const fifo = join(dir, 'stdout.fifo');
    execFileSync('mkfifo', [fifo]);
    const readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeEnd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    // eslint-disable-next-line no-restricted-properties -- the child needs a PATH, nothing else of ours
    const path = process.env.PATH ?? '/usr/bin:/bin';
    const first = spawn(process.execPath, ['--conditions=@dnc/source', '--import', 'tsx', 'apps/worker/src/main.ts'], {
      cwd: repoRoot,
      env: {
        PATH: path,
        ...env.env,
        LOG_LEVEL: 'error',
        WORKER_METRICS_PORT: '0',
        AUDIT_RELAY_INTERVAL_MS: '50',
      },
      stdio: ['ignore', writeEnd, 'ignore'],
    });
    closeSync(writeEnd);
    const exited = new Promise<void>((resolve) => first.once('exit', () => resolve()));
    let written = '';
    try {
      // Its relay has taken a page (the outbox rows are deleted in its open transaction) and has
      // written the first lines of it. Reading them makes room for at most one pipe more (64 KiB),
      // far from the page's 500 lines of about 1 KiB: the page cannot complete.
      await waitUntil(
        async () => {
          const holding = (
            await sql<{ n: number }>`
              select count(*)::int as n from pg_stat_activity
              where datname = current_database() and state = 'idle in transaction' and query like '%audit_outbox%'`.execute(env.services.db)
          ).rows[0]!.n;
          if (holding === 1) written += drain(readEnd);
          return holding === 1 && auditIds(written).length > 0;
        },
        { timeoutMs: 20_000, what: 'the relay holding a page, its first lines written' },
      );
      first.kill('SIGKILL');
      await exited;
      written += drain(readEnd);
    } finally {
      if (first.exitCode === null && first.signalCode === null) first.kill('SIGKILL');
      closeSync(readEnd);
    }

    // The kill landed after lines were written and before the page committed.
    const beforeKill = auditIds(written);
    expect(beforeKill.length).toBeGreaterThan(0);
    expect(beforeKill.length).toBeLessThan(EVENTS);
    expect(beforeKill).toEqual(expected.slice(0, beforeKill.length));
    // The page rolled back with the connection: every event is still queued.
    await waitUntil(async () => (await outboxSize()) === EVENTS, { what: 'the killed page back in the outbox' });

    const second = await startWorkerProcess(env.env, { AUDIT_RELAY_INTERVAL_MS: '50', WORKER_METRICS_PORT: '0' });
    await waitUntil(async () => (await outboxSize()) === 0, { timeoutMs: 30_000, what: 'the next worker relaying every event' });
    const relayed = await waitUntil(
      () => {
        const ids = second
          .logLines()
          .filter((line) => line.audit === true)
          .map((line) => (line.event as { $id: string }).$id);
        return Promise.resolve(ids.length >= EVENTS && ids);
      },
      { timeoutMs: 10_000, what: 'every audit line of the next worker' },
    );
    // Each event once from the next worker, in order; those the killed worker had written appear twice in all.
    expect(relayed).toEqual(expected);
    await second.stop();
  });
});

// The real worker process relays audit events to its stdout: one JSON line per event, written
// asynchronously, and an event leaves the outbox only once its line was handed to the OS.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { spawnNode, startWorkerProcess, stopAllProcesses, type NodeProcess } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

// More events than one relay page (500) and than one 4 KiB write (about ten lines).
const EVENTS = 1_200;

let env: TestEnvironment;
let worker: NodeProcess;

beforeAll(async () => {
  env = await createTestEnvironment({ ...unlimited });
  worker = await startWorkerProcess(env.env, { AUDIT_RELAY_INTERVAL_MS: '50', WORKER_METRICS_PORT: '0' });
});
afterAll(async () => {
  await worker?.stop();
  await stopAllProcesses();
  await env?.cleanup();
});

describe('audit lines on the worker stdout', () => {
  it('when events are written, then each reaches the stdout once as an audit line, in order, and leaves the outbox', async () => {
    const { db } = env.services;
    await sql`
      insert into audit_events (id, team_id, action, entry_id, url, reason, api_key_id, source, job_id, request_id)
      select 'aud_stdout' || n, 'team_stdout', 'dnc.entry.deleted', 'dnc_stdout' || n, 'https://linkedin.com/in/stdout-' || n,
        'a reason with "quotes" and ünïcode', null, 'bulk', 'job_stdout', 'req-stdout-' || n
      from generate_series(1, ${EVENTS}::int) n`.execute(db);

    let unrelayed = EVENTS;
    await waitUntil(
      async () => {
        const rows = await sql<{ n: number }>`select count(*)::int as n from audit_outbox`.execute(db);
        unrelayed = rows.rows[0]!.n;
        return unrelayed === 0;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: () => `every event relayed (${unrelayed} left)` },
    );

    // Every line was handed to the OS before its event left the outbox; this process reads
    // the pipe on its own time.
    const audit = await waitUntil(
      () => {
        const lines = worker.logLines().filter((line) => line.audit === true);
        return Promise.resolve(lines.length >= EVENTS && lines);
      },
      { timeoutMs: 10_000, intervalMs: 20, what: 'every audit line read from the worker stdout' },
    );
    const rows = await sql<{ id: string; occurred_at: Date }>`
      select id, occurred_at from audit_events where team_id = 'team_stdout' order by seq`.execute(db);
    expect(audit.map((line) => (line.event as { $id: string }).$id)).toEqual(rows.rows.map((row) => row.id));
    expect(audit[0]).toMatchObject({ level: 30, component: 'audit', msg: 'dnc.entry.deleted' });
    expect(audit[EVENTS - 1]!.event).toEqual({
      $id: `aud_stdout${EVENTS}`,
      teamId: 'team_stdout',
      action: 'dnc.entry.deleted',
      entryId: `dnc_stdout${EVENTS}`,
      url: `https://linkedin.com/in/stdout-${EVENTS}`,
      reason: 'a reason with "quotes" and ünïcode',
      apiKeyId: null,
      source: 'bulk',
      jobId: 'job_stdout',
      requestId: `req-stdout-${EVENTS}`,
      occurredAt: rows.rows[EVENTS - 1]!.occurred_at.toISOString(),
    });
  });
});

describe('audit lines whatever LOG_LEVEL says', () => {
  it('when the worker logs at error level only, then its audit events still reach stdout before they leave the outbox', async () => {
    // The first worker would relay these events too (one relay at a time): only this one runs.
    await worker.stop();
    // No 'worker started' line at this level: the events are simply waited for.
    const quiet = spawnNode('apps/worker/src/main.ts', {
      ...env.env,
      LOG_LEVEL: 'error',
      AUDIT_RELAY_INTERVAL_MS: '50',
      WORKER_METRICS_PORT: '0',
    });
    try {
      const { db } = env.services;
      await sql`
        insert into audit_events (id, team_id, action, entry_id, url, reason, api_key_id, source, job_id, request_id)
        select 'aud_quiet' || n, 'team_quiet', 'dnc.entry.deleted', 'dnc_quiet' || n, 'https://linkedin.com/in/quiet-' || n,
          null, null, 'bulk', 'job_quiet', null
        from generate_series(1, 20) n`.execute(db);
      await waitUntil(async () => (await sql<{ n: number }>`select count(*)::int as n from audit_outbox`.execute(db)).rows[0]!.n === 0, {
        timeoutMs: 30_000,
        what: 'every quiet event relayed',
      });
      const audit = await waitUntil(
        () => {
          const lines = quiet.logLines().filter((line) => line.audit === true);
          return Promise.resolve(lines.length >= 20 && lines);
        },
        { timeoutMs: 10_000, intervalMs: 20, what: 'every audit line of the quiet worker' },
      );
      expect(audit.map((line) => (line.event as { $id: string }).$id)).toEqual(Array.from({ length: 20 }, (_, i) => `aud_quiet${i + 1}`));
      // LOG_LEVEL did apply to everything else.
      expect(quiet.logLines().filter((line) => line.audit !== true && (line.level as number) < 50)).toEqual([]);
    } finally {
      await quiet.stop();
    }
  });
});

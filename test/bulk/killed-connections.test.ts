// Postgres connections killed the way production kills them — a failover, a PgBouncer restart, an
// idle-session timeout — while synchronous writes and bulk jobs run through real API and worker
// processes: at statement boundaries, inside transactions between their statements, and mid-query.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobLedger, seedEntries, waitForJob } from '../support/bulk.js';
import { createTestEnvironment, maintenanceClient, unlimited, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { startApiProcess, startWorkerProcess, stopAllProcesses, type RunningApiProcess } from '../support/processes.js';
import { sleep } from '../support/wait.js';

const TEAMS = 6;
const STORM_MS = 6_000;

const settings = {
  // Bulk work drains 50 items a second per team, so each 240-item job spans the storm, and
  // synchronous writes keep 350 slots a second: none of this traffic is rate limited.
  ...unlimited,
  RATE_LIMIT_WINDOW_MS: '1000',
  DNC_WRITE_LIMIT: '400',
  DNC_WRITE_RESERVED_FOR_SYNC: '350',
  WORKER_LOCK_DURATION_MS: '3000',
  RECONCILE_INTERVAL_MS: '1000',
};

let env: TestEnvironment;
let database: string;
let killer: pg.Client;

beforeAll(async () => {
  env = await createTestEnvironment(settings);
  database = new URL(env.env.DATABASE_URL!).pathname.slice(1);
  killer = await maintenanceClient(env.env.DATABASE_URL!);
});
afterAll(async () => {
  await stopAllProcesses();
  await killer?.end();
  await env?.cleanup();
});

/**
 * Terminates the database's backends until `until`: every `everyMs` all of them (whatever they
 * are doing), and in between, every few ms, those idle inside a transaction — a client checked
 * out of its pool between two statements, the moment pg-pool does not listen for errors.
 */
async function killBackends(until: number, everyMs: number): Promise<{ all: number; inTransaction: number }> {
  const killed = { all: 0, inTransaction: 0 };
  let nextAll = Date.now() + everyMs;
  while (Date.now() < until) {
    const everything = Date.now() >= nextAll;
    if (everything) nextAll = Date.now() + everyMs;
    const result = await killer.query<{ terminated: boolean }>(
      `select pg_terminate_backend(pid) as terminated from pg_stat_activity
       where datname = $1 and pid <> pg_backend_pid() and ($2 or state in ('idle in transaction', 'idle in transaction (aborted)'))`,
      [database, everything],
    );
    const count = result.rows.filter((row) => row.terminated).length;
    if (everything) killed.all += count;
    else killed.inTransaction += count;
    await sleep(5);
  }
  return killed;
}

interface Outcome {
  route: string;
  status: number | 'no answer';
  detail?: string;
}

/** Synchronous traffic of one team until `until`: adds, checks, deletes (own, missing, another team's). */
async function syncTraffic(api: ReturnType<typeof client>, teamId: string, otherTeamsEntry: string, until: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const record = async (route: string, call: () => Promise<{ status: number }>) => {
    try {
      const response = await call();
      outcomes.push({ route, status: response.status });
      return response;
    } catch (error) {
      outcomes.push({ route, status: 'no answer', detail: String(error) });
      return undefined;
    }
  };
  for (let n = 0; Date.now() < until; n++) {
    const added = (await record('add', () => api.post('/v1/dnc', { url: `linkedin.com/in/${teamId}-sync-${n}`, reason: 'storm' }))) as
      { status: number; body: { data: { $id: string } } } | undefined;
    await record('check', () => api.get(`/v1/dnc/check?url=${encodeURIComponent(`in/${teamId}-sync-${n}`)}`));
    if (added?.status === 201) await record('delete', () => api.delete(`/v1/dnc/${added.body.data.$id}?reason=storm`));
    await record('delete missing', () => api.delete(`/v1/dnc/dnc_missing${n}`));
    await record('delete other team', () => api.delete(`/v1/dnc/${otherTeamsEntry}`));
  }
  return outcomes;
}

describe('Postgres connections killed under load', () => {
  it('when backends are terminated every few hundred ms, mid-transaction included, then no process exits, every request is answered, and every job item is final exactly once', async () => {
    const apis: RunningApiProcess[] = [await startApiProcess(env.env), await startApiProcess(env.env)];
    const workers = [await startWorkerProcess(env.env), await startWorkerProcess(env.env)];

    const teams = Array.from({ length: TEAMS }, (_, i) => `team_storm${i}`);
    const keys = await Promise.all(teams.map((teamId) => env.createKey(teamId)));
    const owned = await Promise.all(teams.map((teamId, i) => seedEntries(env.services.db, teamId, `storm${i}x`, 250)));
    // Each job mixes the team's own entries, ids that do not exist, and another team's entries.
    const jobIds: string[] = [];
    for (const [i, teamId] of teams.entries()) {
      const api = client(apis[i % apis.length]!.baseUrl, keys[i]!.apiKey);
      const otherTeam = owned[(i + 1) % TEAMS]!;
      const ids = [...owned[i]!.slice(0, 200), ...Array.from({ length: 30 }, (_, n) => `dnc_storm${i}gone${n}`), ...otherTeam.slice(240)];
      const submitted = await api.post('/v1/dnc/bulk-delete', { ids, reason: `storm ${teamId}` });
      expect(submitted.status).toBe(202);
      jobIds.push(submitted.body.data.$id as string);
    }

    const until = Date.now() + STORM_MS;
    const [killed, ...trafficOutcomes] = await Promise.all([
      killBackends(until, 300),
      ...teams.map((teamId, i) =>
        syncTraffic(client(apis[(i + 1) % apis.length]!.baseUrl, keys[i]!.apiKey), teamId, owned[(i + 1) % TEAMS]![0]!, until),
      ),
    ]);
    // The storm did what it says: connections died both at random and between a transaction's statements.
    expect(killed.all).toBeGreaterThan(0);
    expect(killed.inTransaction).toBeGreaterThan(0);

    // No process died.
    for (const proc of [...apis, ...workers]) expect(proc.child.exitCode, proc.stderr()).toBeNull();
    // Every request got an HTTP answer: the contract's outcomes, or 503 while a connection was lost.
    const outcomes = trafficOutcomes.flat();
    expect(outcomes.length).toBeGreaterThan(50);
    const unexpected = outcomes.filter((o) => !allowedStatuses[o.route]!.includes(o.status as number));
    expect(unexpected).toEqual([]);
    expect(outcomes.some((o) => o.status === 503)).toBe(true);

    // The jobs complete with every item final exactly once and one audit event per deletion.
    const api = client(apis[0]!.baseUrl, keys[0]!.apiKey);
    for (const [i, jobId] of jobIds.entries()) {
      const job = await waitForJob(client(apis[0]!.baseUrl, keys[i]!.apiKey), jobId, 60_000);
      expect(job.status).toBe('completed');
      const ledger = await jobLedger(env.services.db, jobId);
      expect(ledger.byStatus).toEqual({ deleted: 200, not_found: 30, forbidden: 10 });
      expect(ledger.auditedEntries).toEqual(ledger.deletedItems);
      expect(ledger.distinctAudited).toBe(200);
    }
    expect((await api.get('/readyz')).status).toBe(200);

    // Synchronous writes too: every entry ever added is either still listed or deleted with
    // exactly one audit event, never both, never twice.
    const added = await env.services.db
      .selectFrom('audit_events')
      .select('entry_id')
      .where('action', '=', 'dnc.entry.added')
      .where('team_id', 'in', teams)
      .execute();
    const deletions = await env.services.db
      .selectFrom('audit_events')
      .select(['entry_id'])
      .where('action', '=', 'dnc.entry.deleted')
      .where('team_id', 'in', teams)
      .where('job_id', 'is', null)
      .execute();
    const listed = new Set(
      (await env.services.db.selectFrom('dnc_entries').select('id').where('team_id', 'in', teams).execute()).map((row) => row.id),
    );
    const deletedCount = new Map<string, number>();
    for (const row of deletions) deletedCount.set(row.entry_id!, (deletedCount.get(row.entry_id!) ?? 0) + 1);
    expect(added.length).toBeGreaterThan(0);
    for (const { entry_id } of added) {
      const deleted = deletedCount.get(entry_id!) ?? 0;
      expect({ entry_id, listed: listed.has(entry_id!), deleted }).toEqual({
        entry_id,
        listed: deleted === 0,
        deleted: listed.has(entry_id!) ? 0 : 1,
      });
    }
    // The processes survived the whole test, not just the storm.
    for (const proc of [...apis, ...workers]) expect(proc.child.exitCode, proc.stderr()).toBeNull();
  }, 120_000);
});

// 429 cannot happen (the limits are far above this traffic) and 500 must not: a lost connection is a 503.
const allowedStatuses: Record<string, number[]> = {
  add: [201, 409, 503],
  check: [200, 503],
  delete: [200, 404, 503],
  'delete missing': [404, 503],
  'delete other team': [403, 404, 503],
};

// Issue 12 §3: every process talks to Postgres through PgBouncer in transaction mode, and the
// synchronous API, bulk deletion and migrations work there. Runs in the pgbouncer vitest project,
// where DATABASE_URL of the file's environment goes through PgBouncer (test/support/topology.ts).
import { classifyError, createDb, ensureDatabaseExists, migrateToLatest } from '@dnc/shared';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jobLedger, seedEntries, waitForJob } from '../support/bulk.js';
import { createTestEnvironment, databaseUrlFor, unlimited, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { currentTopology, throughPgbouncer } from '../support/topology.js';

let env: TestEnvironment;
let database: string;
let pgbouncerAddress: string;

beforeAll(async () => {
  pgbouncerAddress = currentTopology().pgbouncerAddress!;
  // This file proves the PgBouncer deployment: it must never pass on a direct connection by accident.
  expect(pgbouncerAddress, 'run in the pgbouncer vitest project').toBeTruthy();
  env = await createTestEnvironment({ ...unlimited, RECONCILE_INTERVAL_MS: '500' });
  expect(new URL(env.env.DATABASE_URL!).host).toBe(pgbouncerAddress);
  database = new URL(env.env.DATABASE_URL!).pathname.slice(1);
});
afterAll(() => env?.cleanup());

/** PgBouncer's admin console (simple query protocol only, which pg uses for queries without parameters). */
async function adminConsole<T>(command: string): Promise<T[]> {
  const admin = new pg.Client({ connectionString: databaseUrlFor(env.env.DATABASE_URL!, 'pgbouncer') });
  await admin.connect();
  try {
    return (await admin.query(command)).rows as T[];
  } finally {
    await admin.end();
  }
}

/** A direct connection to the server's maintenance database, not through PgBouncer. */
async function directClient(): Promise<pg.Client> {
  const direct = new pg.Client({ connectionString: inject('postgresServerUrl') });
  await direct.connect();
  return direct;
}

interface PoolStats {
  database: string;
  total_xact_count: string;
  total_query_count: string;
}

const statsOf = async (name: string) => (await adminConsole<PoolStats>('SHOW STATS')).find((row) => row.database === name);

describe('through PgBouncer in transaction mode', { timeout: 120_000 }, () => {
  it('when the API and a worker add, check, delete and bulk-delete, then it all works and PgBouncer carried the traffic', async () => {
    const before = await statsOf(database);
    const api = client((await env.startApi()).baseUrl, (await env.createKey('team_pooled')).apiKey);
    await env.startWorker();

    const added = await api.post('/v1/dnc', { url: 'linkedin.com/in/pooled-jane' });
    expect(added.status).toBe(201);
    expect((await api.get('/v1/dnc/check?url=in/pooled-jane')).body.data.onList).toBe(true);
    expect((await api.delete(`/v1/dnc/${added.body.data.$id}`)).status).toBe(200);
    expect((await api.get('/v1/dnc/check?url=in/pooled-jane')).body.data.onList).toBe(false);

    const ids = await seedEntries(env.services.db, 'team_pooled', 'pooled', 300);
    const submitted = await api.post('/v1/dnc/bulk-delete', { ids, reason: 'pgbouncer' });
    expect(submitted.status).toBe(202);
    const job = await waitForJob(api, submitted.body.data.$id, 90_000);
    expect(job.status).toBe('completed');
    const ledger = await jobLedger(env.services.db, job.$id);
    expect(ledger.byStatus).toEqual({ deleted: 300 });
    expect(ledger.auditedEntries).toEqual(ledger.deletedItems);

    // PgBouncer's own counters for this database moved: the traffic went through it.
    const after = await statsOf(database);
    expect(after).toBeDefined();
    expect(Number(after!.total_xact_count) - Number(before?.total_xact_count ?? 0)).toBeGreaterThan(10);
    const pool = (await adminConsole<{ database: string; pool_mode: string }>('SHOW POOLS')).find((row) => row.database === database);
    expect(pool?.pool_mode).toBe('transaction');
  });

  it('when Postgres kills the server connection under a transaction, then the error PgBouncer answers is classified unavailable', async () => {
    const pooled = new pg.Client({ connectionString: env.env.DATABASE_URL });
    const errors: Error[] = [];
    pooled.on('error', (error) => errors.push(error));
    await pooled.connect();
    const killer = await directClient();
    try {
      await pooled.query('begin');
      const { rows } = await pooled.query<{ pid: number }>('select pg_backend_pid() as pid');
      const inFlight = pooled.query('select pg_sleep(30)').catch((error: unknown) => error);
      await killer.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      const failures = [await inFlight, await pooled.query('select 1').catch((error: unknown) => error), ...errors];
      // Postgres's own 57P01, then PgBouncer's "server conn crashed?" (08P01): both mean "retry later".
      expect(failures.some((error) => /server conn crashed/.test((error as Error).message))).toBe(true);
      for (const failure of failures) expect(classifyError(failure)).toBe('unavailable');
    } finally {
      await killer.end();
      await pooled.end().catch(() => undefined);
    }
  });

  it('when several processes migrate one new database through PgBouncer at once, then the migrations run once and all succeed', async () => {
    const fresh = `${database}_migrate`;
    const directUrl = databaseUrlFor(inject('postgresServerUrl'), fresh);
    await ensureDatabaseExists(directUrl);
    const migrators = [1, 2, 3].map(() => createDb(throughPgbouncer(directUrl, pgbouncerAddress), { maxConnections: 2 }));
    try {
      // Each call returns the migrations it applied: exactly one of them applies every one.
      const runs = await Promise.all(migrators.map((db) => migrateToLatest(db)));
      const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(migrators[0]!);
      expect(runs.filter((applied) => applied.length > 0)).toHaveLength(1);
      expect(runs.flat().sort()).toEqual(recorded.rows.map((row) => row.name));
      expect(recorded.rows.length).toBeGreaterThan(0);
    } finally {
      await Promise.all(migrators.map((db) => db.destroy()));
      const admin = await directClient();
      await admin.query(`drop database if exists ${pg.escapeIdentifier(fresh)} with (force)`);
      await admin.end();
    }
  });
});

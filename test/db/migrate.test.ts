// Database creation and migrations on brand-new databases: safe when several processes start at
// once, and `pnpm db:migrate` creates the database it is pointed at.
import { randomBytes } from 'node:crypto';
import {
  createDb,
  createLogger,
  ensureDatabaseExists,
  migrateToLatest,
  QUERY_TIMEOUT_MS,
  relayAuditEvents,
  SERVER_STATEMENT_TIMEOUT_MS,
  type Database,
} from '@dnc/shared';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseUrlFor } from '../support/environment.js';
import { runNode } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';
import * as auditOutbox from '../../packages/shared/src/db/migrations/2026-11-30T09-00-00_audit-outbox.js';
import * as drainBatchByKey from '../../packages/shared/src/db/migrations/2026-12-01T09-00-00_drain-batch-by-key.js';

const MIGRATE_CLI = 'packages/shared/src/db/migrate-cli.ts';

let serverUrl: string;
let expectedMigrations: string[];
const created: string[] = [];

function newDatabaseName() {
  const name = `dnc_migrate_test_${randomBytes(5).toString('hex')}`;
  created.push(name);
  return name;
}

/** A new database, migrated to the latest schema, and a pool on it (destroy it when done). */
async function newMigratedDatabase(maxConnections = 1) {
  const url = databaseUrlFor(serverUrl, newDatabaseName());
  await ensureDatabaseExists(url);
  const db = createDb(url, { maxConnections });
  await migrateToLatest(db);
  return { url, db };
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(name: string) {
  return withClient(serverUrl, async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    return found.rowCount === 1;
  });
}

async function appliedMigrations(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const rows = await client.query<{ name: string }>('select name from kysely_migration order by name');
    return rows.rows.map((row) => row.name);
  });
}

async function tablesOf(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const rows = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
    );
    return rows.rows.map((row) => row.table_name);
  });
}

beforeAll(async () => {
  serverUrl = inject('postgresServerUrl');
  // The template database was migrated by the global setup with the same code: its history is the full list.
  expectedMigrations = await appliedMigrations(databaseUrlFor(serverUrl, inject('templateDatabase')));
  expect(expectedMigrations.length).toBeGreaterThan(0);
});

afterAll(async () => {
  if (!serverUrl) return;
  await withClient(serverUrl, async (client) => {
    for (const name of created) await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  });
});

describe('ensureDatabaseExists + migrateToLatest', () => {
  it('when 4 processes create and migrate the same new database at once, then all succeed and each migration is applied once', async () => {
    const name = newDatabaseName();
    const url = databaseUrlFor(serverUrl, name);
    expect(await databaseExists(name)).toBe(false);

    const runs = await Promise.all(
      Array.from({ length: 4 }, async () => {
        await ensureDatabaseExists(url);
        const db = createDb(url, { maxConnections: 2 });
        try {
          return await migrateToLatest(db);
        } finally {
          await db.destroy();
        }
      }),
    );

    // Every migration was applied by exactly one of the runs; the others found nothing to do.
    expect(runs.flat().sort()).toEqual(expectedMigrations);
    const history = await appliedMigrations(url);
    expect(history).toEqual(expectedMigrations);
    expect(new Set(history).size).toBe(history.length);
    expect(await tablesOf(url)).toEqual(expect.arrayContaining(['api_keys', 'audit_events', 'dnc_entries', 'teams']));
  });

  it('when the database is already up to date, then migrateToLatest applies nothing and ensureDatabaseExists is a no-op', async () => {
    const name = newDatabaseName();
    const url = databaseUrlFor(serverUrl, name);
    await ensureDatabaseExists(url);
    const db = createDb(url, { maxConnections: 1 });
    try {
      expect((await migrateToLatest(db)).sort()).toEqual(expectedMigrations);
      await sql`insert into teams (id) values ('team_migrate_keep')`.execute(db);
      await ensureDatabaseExists(url);
      expect(await migrateToLatest(db)).toEqual([]);
      const kept = await sql<{ id: string }>`select id from teams`.execute(db);
      expect(kept.rows).toEqual([{ id: 'team_migrate_keep' }]);
    } finally {
      await db.destroy();
    }
    expect(await appliedMigrations(url)).toEqual(expectedMigrations);
  });
});

describe('the server-statement-timeout migration', () => {
  it('when a database is migrated, then its new sessions cancel statements before the client would give up on them', async () => {
    const { url, db } = await newMigratedDatabase();
    await db.destroy();
    const timeoutMs = await withClient(url, async (client) => {
      const shown = await client.query<{ setting: string; unit: string }>(
        "select setting, unit from pg_settings where name = 'statement_timeout'",
      );
      expect(shown.rows[0]!.unit).toBe('ms');
      return Number(shown.rows[0]!.setting);
    });
    expect(timeoutMs).toBe(SERVER_STATEMENT_TIMEOUT_MS);
    expect(timeoutMs).toBeLessThan(QUERY_TIMEOUT_MS);
  });
});

describe('the drain-batch-by-key migration', () => {
  // auto_explain logs the plan of every statement drain_batch runs (nested statements included) to
  // this client: the generic plan each connection makes on its first call.
  async function drainBatchPlans(url: string, teamId: string): Promise<string> {
    return withClient(url, async (client) => {
      const logged: string[] = [];
      client.on('notice', (notice) => logged.push(notice.message ?? ''));
      await client.query("load 'auto_explain'");
      await client.query('set auto_explain.log_min_duration = 0');
      await client.query('set auto_explain.log_nested_statements = on');
      await client.query('set client_min_messages = log');
      await client.query(
        "select * from drain_batch($1, 25, array(select 'aud_plan_' || $1 || '_' || n from generate_series(1, 25) n), null, 1)",
        [teamId],
      );
      return logged.join('\n');
    });
  }

  it('when bulk_jobs is small enough for a sequential scan to look cheap, then drain_batch still reads it by primary key', async () => {
    const { url, db } = await newMigratedDatabase();
    const seqScans = /Seq Scan on (bulk_jobs|bulk_job_items|dnc_entries)/;
    try {
      // A thousand jobs, as in the issue 11 bench, and three teams of 25 items.
      await sql`insert into teams (id) select 'team_plan' || t from generate_series(1, 1000) t`.execute(db);
      await sql`insert into bulk_jobs (id, team_id, status, reason, total)
        select 'job_plan' || t, 'team_plan' || t, 'queued', 'plan', 25 from generate_series(1, 1000) t`.execute(db);
      await sql`insert into dnc_entries (id, team_id, url)
        select 'dnc_plan' || t || 'x' || n, 'team_plan' || t, 'https://linkedin.com/in/plan-' || t || '-' || n
        from generate_series(1, 3) t, generate_series(1, 25) n`.execute(db);
      await sql`insert into bulk_job_items (job_id, position, team_id, entry_id)
        select 'job_plan' || t, n, 'team_plan' || t, 'dnc_plan' || t || 'x' || n from generate_series(1, 3) t, generate_series(1, 25) n`.execute(
        db,
      );
      await sql`analyze`.execute(db);

      // Without the migration, the generic plan scans whole tables (so this test can fail).
      await drainBatchByKey.down(db);
      expect(await drainBatchPlans(url, 'team_plan1')).toMatch(seqScans);
      await drainBatchByKey.up(db);
      const settings = await sql<{ proconfig: string[] }>`select proconfig from pg_proc where proname = 'drain_batch'`.execute(db);
      // Both settings of the function: a CREATE OR REPLACE of drain_batch would drop them.
      expect(settings.rows[0]!.proconfig.sort()).toEqual(['enable_seqscan=off', 'plan_cache_mode=force_generic_plan']);
    } finally {
      await db.destroy();
    }

    const plans = await drainBatchPlans(url, 'team_plan2');
    // The plans were logged (the batch's update of its job is there), and none scans a whole table.
    expect(plans).toContain('Update on bulk_jobs');
    expect(plans).not.toMatch(seqScans);
    const job = await withClient(url, (client) => client.query("select status, finished_items from bulk_jobs where id = 'job_plan2'"));
    expect(job.rows[0]).toEqual({ status: 'completed', finished_items: 25 });
  });
});

describe('the audit-outbox migration', () => {
  /** A new database, migrated to the latest schema, then taken back to the one before the outbox. */
  async function beforeTheOutbox() {
    const { url, db } = await newMigratedDatabase(2);
    await db.transaction().execute((tx) => auditOutbox.down(tx));
    return { url, db };
  }
  const up = (db: Kysely<Database>) => db.transaction().execute((tx) => auditOutbox.up(tx));
  const queued = async (db: Kysely<Database>) =>
    (
      await sql<{ id: string }>`select event.id from audit_outbox outbox join audit_events event using (seq) order by outbox.seq`.execute(
        db,
      )
    ).rows.map((row) => row.id);
  const silent = createLogger({ level: 'silent', name: 'test-relay' });

  it('when a database has relayed and unrelayed events, then only the unrelayed ones go to the outbox, and new events join them', async () => {
    const { db } = await beforeTheOutbox();
    try {
      await sql`
        insert into audit_events (id, team_id, action, source, relayed_at)
        values ('aud_old_relayed', 'team_outbox', 'dnc.entry.created', 'api', now()),
          ('aud_old_waiting1', 'team_outbox', 'dnc.entry.created', 'api', null),
          ('aud_old_waiting2', 'team_outbox', 'dnc.entry.deleted', 'api', null)`.execute(db);
      await up(db);

      expect(await queued(db)).toEqual(['aud_old_waiting1', 'aud_old_waiting2']);
      const columns = await sql<{ column_name: string }>`
        select column_name from information_schema.columns where table_name = 'audit_events' and column_name = 'relayed_at'`.execute(db);
      expect(columns.rows).toEqual([]);

      // Every insert statement queues its rows, however many.
      await sql`
        insert into audit_events (id, team_id, action, source)
        values ('aud_new1', 'team_outbox', 'dnc.entry.created', 'api'), ('aud_new2', 'team_outbox', 'dnc.entry.deleted', 'api')`.execute(
        db,
      );
      expect(await queued(db)).toEqual(['aud_old_waiting1', 'aud_old_waiting2', 'aud_new1', 'aud_new2']);

      expect(await relayAuditEvents(db, silent)).toBe(4);
      expect(await queued(db)).toEqual([]);
      expect(await relayAuditEvents(db, silent)).toBe(0);
    } finally {
      await db.destroy();
    }
  });

  it('when an event is being written while the migration runs, then it reaches the outbox too', async () => {
    const { url, db } = await beforeTheOutbox();
    const writer = new pg.Client({ connectionString: url });
    await writer.connect();
    try {
      // A writer of the previous release, its transaction still open when the migration starts.
      await writer.query('begin');
      await writer.query(
        `insert into audit_events (id, team_id, action, source) values ('aud_in_flight', 'team_outbox', 'dnc.entry.deleted', 'api')`,
      );
      const migrated = up(db);
      // The migration waits for the writer's lock…
      await waitUntil(
        async () =>
          (
            await sql<{
              n: number;
            }>`select count(*)::int as n from pg_locks where relation = 'audit_events'::regclass and not granted`.execute(db)
          ).rows[0]!.n > 0,
        { what: 'the migration waiting for the writer' },
      );
      // …and the writer commits while it does.
      await writer.query('commit');
      await migrated;
      expect(await queued(db)).toEqual(['aud_in_flight']);
    } finally {
      await writer.end();
      await db.destroy();
    }
  });

  it('when the migration is undone, then events still queued are unrelayed again and the others stay relayed', async () => {
    const { db } = await newMigratedDatabase();
    try {
      await sql`insert into audit_events (id, team_id, action, source) values ('aud_a', 'team_outbox', 'dnc.entry.created', 'api'), ('aud_b', 'team_outbox', 'dnc.entry.created', 'api')`.execute(
        db,
      );
      expect(await relayAuditEvents(db, silent)).toBe(2);
      await sql`insert into audit_events (id, team_id, action, source) values ('aud_c', 'team_outbox', 'dnc.entry.deleted', 'api')`.execute(
        db,
      );

      await db.transaction().execute((tx) => auditOutbox.down(tx));
      const relayed = await sql<{
        id: string;
        relayed: boolean;
      }>`select id, relayed_at is not null as relayed from audit_events order by seq`.execute(db);
      expect(relayed.rows).toEqual([
        { id: 'aud_a', relayed: true },
        { id: 'aud_b', relayed: true },
        { id: 'aud_c', relayed: false },
      ]);
      await up(db);
      expect(await queued(db)).toEqual(['aud_c']);
    } finally {
      await db.destroy();
    }
  });
});

describe('pnpm db:migrate', () => {
  it('when DATABASE_URL names a database that does not exist, then the CLI creates it, applies every migration and exits 0', async () => {
    const name = newDatabaseName();
    const url = databaseUrlFor(serverUrl, name);
    expect(await databaseExists(name)).toBe(false);

    const first = await runNode(MIGRATE_CLI, { DATABASE_URL: url });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`Applied migrations: ${expectedMigrations.join(', ')}\n`);
    expect(await databaseExists(name)).toBe(true);
    expect(await appliedMigrations(url)).toEqual(expectedMigrations);

    const second = await runNode(MIGRATE_CLI, { DATABASE_URL: url });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('Database is up to date\n');
    expect(await appliedMigrations(url)).toEqual(expectedMigrations);
  });

  it('when Postgres is unreachable, then the CLI exits non-zero with one stderr line naming the URL', async () => {
    const url = 'postgres://postgres@127.0.0.1:1/none';
    const result = await runNode(MIGRATE_CLI, { DATABASE_URL: url });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(url);
    expect(lines[0]).toContain('DATABASE_URL');
  });
});

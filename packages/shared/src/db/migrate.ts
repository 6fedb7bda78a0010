import {
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Migration,
  type MigrationProvider,
  type Transaction,
} from 'kysely';
import type { Db } from './database.js';
import * as initial from './migrations/2026-11-26T09-00-00_initial.js';
import * as bulkDeletions from './migrations/2026-11-26T10-00-00_bulk-deletions.js';
import * as teamLimits from './migrations/2026-11-27T09-00-00_team-limits.js';
import * as bulkItemsByUrl from './migrations/2026-11-27T10-00-00_bulk-items-by-url.js';
import * as bulkJobFinishedItems from './migrations/2026-11-28T09-00-00_bulk-job-finished-items.js';
import * as drainBatchFunction from './migrations/2026-11-28T10-00-00_drain-batch-function.js';
import * as drainBatchesFunction from './migrations/2026-11-29T09-00-00_drain-batches-function.js';
import * as auditOutbox from './migrations/2026-11-30T09-00-00_audit-outbox.js';
import * as serverStatementTimeout from './migrations/2026-11-30T10-00-00_server-statement-timeout.js';
import * as drainBatchByKey from './migrations/2026-12-01T09-00-00_drain-batch-by-key.js';

// Listed explicitly (not read from disk) so they work the same under tsx, in a bundle or in Docker.
// Names are timestamps: kysely applies them in name order.
const migrations: Record<string, Migration> = {
  '2026-11-26T09-00-00_initial': initial,
  '2026-11-26T10-00-00_bulk-deletions': bulkDeletions,
  '2026-11-27T09-00-00_team-limits': teamLimits,
  '2026-11-27T10-00-00_bulk-items-by-url': bulkItemsByUrl,
  '2026-11-28T09-00-00_bulk-job-finished-items': bulkJobFinishedItems,
  '2026-11-28T10-00-00_drain-batch-function': drainBatchFunction,
  '2026-11-29T09-00-00_drain-batches-function': drainBatchesFunction,
  '2026-11-30T09-00-00_audit-outbox': auditOutbox,
  '2026-11-30T10-00-00_server-statement-timeout': serverStatementTimeout,
  '2026-12-01T09-00-00_drain-batch-by-key': drainBatchByKey,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

// Any fixed key: it only has to be the same in every process that migrates this database.
const MIGRATION_LOCK_KEY = sql`hashtext('dnc:migrations')`;

/**
 * Applies every pending migration, exactly once when several processes start at once — also
 * through PgBouncer in transaction mode. Kysely's own lock is a session-level advisory lock taken
 * outside the migration transaction: behind a transaction pooler its lock and unlock can land on
 * different server connections, so two processes both migrate (and the lock leaks onto a pooled
 * connection). Here the whole run — Kysely's bookkeeping tables, its lock, every migration — is one
 * transaction that first takes a transaction-scoped advisory lock: one server connection from
 * BEGIN to COMMIT, and nothing left behind on it.
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(trx);
    const migrator = new Migrator({ db: kyselyThrough(trx), provider, disableTransactions: true });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  });
}

/**
 * A Kysely instance whose every query runs inside `trx` (the Migrator needs a Kysely it can ask for
 * connections, which a Transaction refuses).
 */
function kyselyThrough<DB>(trx: Transaction<DB>): Kysely<unknown> {
  const connection: DatabaseConnection = {
    executeQuery: <R>(query: CompiledQuery) => trx.executeQuery<R>(query),
    streamQuery: () => {
      throw new Error('streaming is not supported inside the migration transaction');
    },
  };
  const unsupported = () => Promise.reject(new Error('the migration already runs in a transaction'));
  const driver: Driver = {
    init: () => Promise.resolve(),
    acquireConnection: () => Promise.resolve(connection),
    beginTransaction: unsupported,
    commitTransaction: unsupported,
    rollbackTransaction: unsupported,
    releaseConnection: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  };
  const dialect: Dialect = {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => driver,
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
  return new Kysely<unknown>({ dialect });
}

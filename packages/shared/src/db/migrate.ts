import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database.js';
import * as initial from './migrations/2026-11-26T09-00-00_initial.js';
import * as bulkDeletions from './migrations/2026-11-26T10-00-00_bulk-deletions.js';
import * as teamLimits from './migrations/2026-11-27T09-00-00_team-limits.js';

// Listed explicitly (not read from disk) so they work the same under tsx, in a bundle or in Docker.
// Names are timestamps: kysely applies them in name order.
const migrations: Record<string, Migration> = {
  '2026-11-26T09-00-00_initial': initial,
  '2026-11-26T10-00-00_bulk-deletions': bulkDeletions,
  '2026-11-27T09-00-00_team-limits': teamLimits,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/**
 * Applies every pending migration. Kysely holds a Postgres advisory lock for the run, so several
 * processes starting at once apply each migration exactly once.
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

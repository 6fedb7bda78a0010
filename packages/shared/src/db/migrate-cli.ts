// `pnpm db:migrate`: creates the database if needed and applies pending migrations.
import { loadConfigOrExit } from '../config.js';
import { exitOnBootFailure } from '../lifecycle.js';
import { displayUrl, howToStart } from '../runtime.js';
import { createDb, ensureDatabaseExists } from './database.js';
import { migrateToLatest } from './migrate.js';

const config = loadConfigOrExit();
try {
  await ensureDatabaseExists(config.databaseUrl);
} catch (error) {
  exitOnBootFailure(`Cannot reach Postgres at ${displayUrl(config.databaseUrl)} (${(error as Error).message}): ${howToStart.postgres}`);
}
const db = createDb(config.databaseUrl);
try {
  const applied = await migrateToLatest(db);
  process.stdout.write(applied.length ? `Applied migrations: ${applied.join(', ')}\n` : 'Database is up to date\n');
} catch (error) {
  exitOnBootFailure(`Migration failed: ${(error as Error).message}`);
} finally {
  await db.destroy();
}

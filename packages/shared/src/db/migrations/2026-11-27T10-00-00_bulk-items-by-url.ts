/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: they must not depend on today's schema types. */
import { sql, type Kysely } from 'kysely';

// Bulk deletion by URL: an item holds the normalized URL it was submitted with, and its entry id
// only once the drainer has resolved the URL to the team's entry (never, when none has it).
// Both changes are catalog-only in Postgres (no table rewrite), safe on a large table.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('bulk_job_items')
    .addColumn('url', 'text')
    .alterColumn('entry_id', (col) => col.dropNotNull())
    .execute();
  await sql`alter table bulk_job_items add constraint bulk_job_items_target_check check (entry_id is not null or url is not null) not valid`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('bulk_job_items').where('entry_id', 'is', null).execute();
  await db.schema.alterTable('bulk_job_items').dropConstraint('bulk_job_items_target_check').execute();
  await db.schema
    .alterTable('bulk_job_items')
    .dropColumn('url')
    .alterColumn('entry_id', (col) => col.setNotNull())
    .execute();
}

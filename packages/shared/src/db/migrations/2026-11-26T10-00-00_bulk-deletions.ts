/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: they must not depend on today's schema types. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('bulk_jobs')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('team_id', 'text', (col) => col.notNull().references('teams.id'))
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('total', 'integer', (col) => col.notNull())
    .addColumn('api_key_id', 'text')
    .addColumn('request_id', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('request_hash', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('next_run_at', 'timestamptz')
    .addUniqueConstraint('bulk_jobs_team_idempotency_key', ['team_id', 'idempotency_key'])
    .execute();

  await db.schema
    .createTable('bulk_job_items')
    .addColumn('job_id', 'text', (col) => col.notNull().references('bulk_jobs.id'))
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('team_id', 'text', (col) => col.notNull())
    .addColumn('entry_id', 'text', (col) => col.notNull())
    // Submission order across all of a team's jobs: the drainer executes items in this order.
    .addColumn('seq', 'bigserial', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
    .addColumn('error', 'text')
    .addColumn('processed_at', 'timestamptz')
    .addPrimaryKeyConstraint('bulk_job_items_pkey', ['job_id', 'position'])
    .execute();
  // The drainer's and the reconciler's queue: only pending items are indexed.
  await sql`create index bulk_job_items_pending_idx on bulk_job_items (team_id, seq) where status = 'pending'`.execute(db);
  await sql`create index bulk_job_items_job_status_idx on bulk_job_items (job_id, status)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('bulk_job_items').execute();
  await db.schema.dropTable('bulk_jobs').execute();
}

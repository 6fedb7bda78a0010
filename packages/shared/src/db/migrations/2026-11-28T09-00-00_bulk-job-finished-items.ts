/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: they must not depend on today's schema types. */
import { sql, type Kysely } from 'kysely';

// How many of a job's items have left `pending`, kept by the statement that moves them. The
// drainer's one-statement batch completes a job when this reaches `total`: the job row is the
// one thing two concurrent batches of a job both update, so the later one (re-reading the row
// after the earlier commits) sees the sum, where a count of pending items in its snapshot would
// still see the other batch's items. Adding the column with a constant default is catalog-only;
// the backfill counts the items of jobs that exist today.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table bulk_jobs add column finished_items integer not null default 0`.execute(db);
  await sql`
    update bulk_jobs job set finished_items = finished.count
    from (select job_id, count(*)::int as count from bulk_job_items where status <> 'pending' group by job_id) finished
    where finished.job_id = job.id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('bulk_jobs').dropColumn('finished_items').execute();
}

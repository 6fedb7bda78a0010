/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: they must not depend on today's schema types. */
import { sql, type Kysely } from 'kysely';

// Every row `drain_batch` reads or writes it finds by key (pending index, primary keys, the
// team's URL index); a sequential scan is never the right plan inside it. Its plan is generic
// (force_generic_plan), made once per connection from the statistics of the moment, and for a
// `bulk_jobs` of a thousand-odd rows (a young database, the issue 11 bench) the planner chose to
// read the whole table twice per batch, for the touched jobs and for their update: with
// auto_explain on the bench, 2,000 sequential scans of bulk_jobs for 1,000 batches. With
// `enable_seqscan = off` the planner takes the primary key whatever the table's size.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter function drain_batch(text, integer, text[], timestamptz, integer) set enable_seqscan = off`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter function drain_batch(text, integer, text[], timestamptz, integer) reset enable_seqscan`.execute(db);
}

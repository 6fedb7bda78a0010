/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: they must not depend on today's schema types. */
import { sql, type Kysely } from 'kysely';

// The audit relay's queue becomes a table of its own, `audit_outbox`, one row per event not yet
// relayed, instead of `audit_events.relayed_at` and a partial index on it. Why (issue 11 profile
// of the bulk drain): marking an event relayed updated a column that an index's predicate
// reads, so Postgres could not make it a HOT update, and every mark wrote a new version of the
// event into the heap and into each of audit_events' indexes. That cost Postgres about 0.7 ms
// per 25 events, as much again as the batch that had deleted them. Now the relay deletes the
// events' outbox rows: one small row and one index entry each.
//
// A statement-level trigger fills the outbox, so that every writer of audit_events (the API's
// inserts, the drain_batch function) enqueues its events in the same transaction without knowing
// of the outbox: one insert per statement, reading the statement's new rows.
//
// Events not yet relayed when this runs move to the outbox; relayed_at goes. A worker of the
// previous release still running during a deploy then fails its relay pages (logged, retried)
// instead of relaying events twice; the new workers relay them.
//
// The table lock comes first: an event inserted, or committed, between the copy of the waiting
// events and the trigger's creation would otherwise reach neither, and be lost to the log. It
// holds writers of audit_events (each waits, then goes on) until the migration commits.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`lock table audit_events in share row exclusive mode`.execute(db);
  await sql`create table audit_outbox (seq bigint primary key)`.execute(db);
  await sql`insert into audit_outbox (seq) select seq from audit_events where relayed_at is null`.execute(db);
  await sql`
create function audit_events_to_outbox() returns trigger
language plpgsql
as $fn$
begin
  insert into audit_outbox (seq) select new_events.seq from new_events;
  return null;
end
$fn$`.execute(db);
  await sql`
create trigger audit_events_to_outbox after insert on audit_events
referencing new table as new_events
for each statement execute function audit_events_to_outbox()`.execute(db);
  await sql`drop index audit_events_unrelayed_idx`.execute(db);
  await sql`alter table audit_events drop column relayed_at`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`lock table audit_events in share row exclusive mode`.execute(db);
  // Every event not in the outbox had been relayed, when is not kept: the epoch says so. A
  // constant default fills the column in the catalog, not by rewriting every row.
  await sql`alter table audit_events add column relayed_at timestamptz default 'epoch'`.execute(db);
  await sql`alter table audit_events alter column relayed_at drop default`.execute(db);
  await sql`update audit_events set relayed_at = null where seq in (select seq from audit_outbox)`.execute(db);
  await sql`create index audit_events_unrelayed_idx on audit_events (seq) where relayed_at is null`.execute(db);
  await sql`drop trigger audit_events_to_outbox on audit_events`.execute(db);
  await sql`drop function audit_events_to_outbox()`.execute(db);
  await sql`drop table audit_outbox`.execute(db);
}

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: they must not depend on today's schema types. */
import { sql, type Kysely } from 'kysely';

// The batches of several teams in one call (packages/shared/src/bulk/drain-batch.ts,
// executeBatches): a worker whose drainer runs pile up while earlier ones hold its Postgres
// connections runs the waiting teams' batches together, one round trip instead of one per team.
// In the issue 11 profile of the bulk drain, a round trip cost the worker and Postgres more than
// the PL/pgSQL call it carries. Each team's batch is `drain_batch` itself, run in the given order
// with a snapshot of its own (each statement of a PL/pgSQL function takes one), so it is the very
// batch that a call of its own would run; all of them commit together, or none does.
//
// p_audit_ids holds the teams' audit ids one after the other: team i takes the next p_slots[i].
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
create function drain_batches(p_teams text[], p_slots integer[], p_audit_ids text[], p_throttle_until timestamptz[], p_remaining_cap integer)
returns table (team_id text, executed integer, deleted integer, not_found integer, forbidden integer, remaining integer)
language plpgsql
as $fn$
#variable_conflict use_column
declare
  v_next_audit_id integer := 1;
begin
  for i in 1 .. coalesce(array_length(p_teams, 1), 0) loop
    return query
    select p_teams[i], batch.executed, batch.deleted, batch.not_found, batch.forbidden, batch.remaining
    from drain_batch(p_teams[i], p_slots[i], p_audit_ids[v_next_audit_id : v_next_audit_id + p_slots[i] - 1], p_throttle_until[i], p_remaining_cap) batch;
    v_next_audit_id := v_next_audit_id + p_slots[i];
  end loop;
end
$fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function drain_batches(text[], integer[], text[], timestamptz[], integer)`.execute(db);
}

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: they must not depend on today's schema types. */
import { sql, type Kysely } from 'kysely';

// One drainer batch as one statement inside a PL/pgSQL function (called by
// packages/shared/src/bulk/drain-batch.ts). A function, not a statement sent each time: PL/pgSQL
// keeps the plan per connection (force_generic_plan), and planning this statement of a dozen CTEs
// cost more Postgres CPU than executing it. Its audit insert writes the same columns as
// audit-insert.ts; a change to either needs a migration replacing this function.
//
// What one call does: claims the team's oldest pending items (`for update skip locked`),
// resolves URL items to the team's entry, deletes the team's entries with one audit row each (an
// entry listed twice in the batch is deleted once; the later item is not_found), gives every
// item its final status, counts the items into their jobs (`finished_items`) and completes the
// jobs that reach their total, and, when `p_throttle_until` is given and items are left, marks the
// team's unfinished jobs throttled (queued ones stay queued) with that next run. Job rows are
// locked in id order. Returns the counts by outcome and the pending items left (up to the cap).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
create function drain_batch(p_team text, p_slots integer, p_audit_ids text[], p_throttle_until timestamptz, p_remaining_cap integer)
returns table (executed integer, deleted integer, not_found integer, forbidden integer, remaining integer)
language plpgsql
set plan_cache_mode = force_generic_plan
as $fn$
#variable_conflict use_column
begin
  return query
  with picked as (
    select item.job_id, item.position, item.seq,
      coalesce(item.entry_id, (select by_url.id from dnc_entries by_url where by_url.team_id = item.team_id and by_url.url = item.url)) as entry_id
    from bulk_job_items item
    where item.team_id = p_team and item.status = 'pending'
    order by item.seq
    limit p_slots
    for update of item skip locked
  ), numbered as (
    select picked.*,
      row_number() over (order by picked.seq) as n,
      row_number() over (partition by picked.entry_id order by picked.seq) as occurrence
    from picked
  ), requested as (
    select numbered.entry_id, numbered.job_id, job.reason, job.api_key_id, job.request_id, p_audit_ids[numbered.n] as audit_id
    from numbered join bulk_jobs job on job.id = numbered.job_id
    where numbered.entry_id is not null and numbered.occurrence = 1
  ), target as (
    select entry.id, entry.team_id from dnc_entries entry where entry.id in (select requested.entry_id from requested) for update
  ), gone as (
    delete from dnc_entries entry using target
    where entry.id = target.id and target.team_id = p_team
    returning entry.id, entry.url
  ), audited as (
    insert into audit_events (id, team_id, action, entry_id, url, reason, api_key_id, source, job_id, request_id)
    select requested.audit_id, p_team, 'dnc.entry.deleted', gone.id, gone.url, requested.reason, requested.api_key_id, 'bulk',
      requested.job_id, requested.request_id
    from gone join requested on requested.entry_id = gone.id
  ), outcome as (
    select numbered.job_id, numbered.position, numbered.entry_id,
      case
        when numbered.occurrence > 1 then 'not_found'
        when gone.id is not null then 'deleted'
        when target.team_id is not null and target.team_id <> p_team then 'forbidden'
        else 'not_found'
      end as status
    from numbered
    left join target on target.id = numbered.entry_id
    left join gone on gone.id = numbered.entry_id
  ), finished_items as (
    update bulk_job_items item
    set status = outcome.status, processed_at = now(), entry_id = coalesce(item.entry_id, outcome.entry_id)
    from outcome
    where item.job_id = outcome.job_id and item.position = outcome.position
  ), per_job as (
    select outcome.job_id, count(*)::integer as executed from outcome group by outcome.job_id
  ), left_over as (
    select (select count(*)::integer from (
        select 1 from bulk_job_items pending where pending.team_id = p_team and pending.status = 'pending' limit p_slots + p_remaining_cap
      ) counted) - (select count(*)::integer from picked) as remaining
  ), job_ids as (
    -- An array, so that both statements below read the jobs by primary key (= any), never by a scan.
    select array(
      select per_job.job_id from per_job
      union
      select active.id from bulk_jobs active
      where p_throttle_until is not null and active.team_id = p_team and active.status in ('queued', 'running', 'throttled')
        and (select left_over.remaining from left_over) > 0
    ) as ids
  ), touched as (
    select job.id, coalesce(per_job.executed, 0) as executed
    from bulk_jobs job left join per_job on per_job.job_id = job.id
    where job.id = any ((select job_ids.ids from job_ids)::text[])
    order by job.id
    for update of job
  ), finished_jobs as (
    update bulk_jobs job set
      finished_items = job.finished_items + touched.executed,
      status = case
        when job.status not in ('queued', 'running', 'throttled') then job.status
        when job.finished_items + touched.executed >= job.total then 'completed'
        when p_throttle_until is not null then
          case when job.status = 'queued' and touched.executed = 0 then 'queued' else 'throttled' end
        when touched.executed > 0 then 'running'
        else job.status
      end,
      started_at = case when touched.executed > 0 then coalesce(job.started_at, now()) else job.started_at end,
      finished_at = case
        when job.status in ('queued', 'running', 'throttled') and job.finished_items + touched.executed >= job.total then now()
        else job.finished_at
      end,
      next_run_at = case
        when job.status not in ('queued', 'running', 'throttled') then job.next_run_at
        when job.finished_items + touched.executed >= job.total then null
        else p_throttle_until
      end
    from touched
    where job.id = touched.id and job.id = any ((select job_ids.ids from job_ids)::text[])
  )
  select
    count(*)::integer,
    (count(*) filter (where outcome.status = 'deleted'))::integer,
    (count(*) filter (where outcome.status = 'not_found'))::integer,
    (count(*) filter (where outcome.status = 'forbidden'))::integer,
    least(greatest((select left_over.remaining from left_over), 0), p_remaining_cap)
  from outcome;
end
$fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function drain_batch(text, integer, text[], timestamptz, integer)`.execute(db);
}

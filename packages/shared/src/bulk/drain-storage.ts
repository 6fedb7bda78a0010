// The drainer's storage: every statement the per-team drainer and the reconciler run against
// bulk jobs and items, kept together so they can be reviewed (and tuned) in one place.
// A batch leaves every item either final (with its audit event) or still pending.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { activeJobStatuses } from '../vocabulary.js';

/** How many of the team's items are pending (up to `cap`; the drainer never needs more). */
export async function countPendingItems(db: Db, teamId: string, cap: number): Promise<number> {
  const result = await sql<{ count: number }>`
    select count(*)::int as count from (
      select 1 from bulk_job_items where team_id = ${teamId} and status = 'pending' limit ${cap}
    ) pending`.execute(db);
  return result.rows[0]?.count ?? 0;
}

/**
 * What drainer runs need before they take slots, for several teams (each at most once) in one
 * round trip: team id → the team's dnc-write limit (its own from team_limits, else
 * `defaultLimit`) and its pending items, counted up to that limit minus the reserve (the most one
 * run may execute).
 */
export async function drainRunOutlooks(
  db: Db,
  teamIds: readonly string[],
  { defaultLimit, reserve }: { defaultLimit: number; reserve: number },
): Promise<Map<string, { limit: number; pending: number }>> {
  const result = await sql<{ team_id: string; limit: number; pending: number }>`
    select team.team_id, team.limit, (
      select count(*)::int from (
        select 1 from bulk_job_items item where item.team_id = team.team_id and item.status = 'pending'
        limit greatest(team.limit - ${reserve}::int, 0)
      ) pending
    ) as pending
    from (
      select requested.team_id, coalesce(own."limit", ${defaultLimit}::int) as "limit"
      from unnest(${teamIds}::text[]) as requested(team_id)
      left join team_limits own on own.team_id = requested.team_id and own.class = 'dnc-write'
    ) team`.execute(db);
  return new Map(result.rows.map((row) => [row.team_id, { limit: row.limit, pending: row.pending }]));
}

/** Those of the given teams that have pending items (one round trip for all of them). */
export async function teamsWithPendingItemsAmong(db: Db, teamIds: string[]): Promise<string[]> {
  if (teamIds.length === 0) return [];
  const result = await sql<{ team_id: string }>`
    select team_id from unnest(${teamIds}::text[]) as team(team_id)
    where exists (select 1 from bulk_job_items item where item.team_id = team.team_id and item.status = 'pending')`.execute(db);
  return result.rows.map((row) => row.team_id);
}

/** Teams that have pending items: what the reconciler makes sure has a drainer. */
export async function teamsWithPendingItems(db: Db): Promise<string[]> {
  const result = await sql<{ team_id: string }>`
    select distinct team_id from bulk_job_items where status = 'pending'`.execute(db);
  return result.rows.map((row) => row.team_id);
}

export { executeBatch, executeBatches, type BatchOptions, type BatchResult, type TeamBatch } from './drain-batch.js';

/**
 * Completes the given jobs that have no pending item left (cancelled ones stay cancelled): the
 * reconciler's backstop, should a job's `finished_items` ever fall short of its items. The job
 * rows are locked first, in id order, as batches lock them.
 */
async function completeFinishedJobs(db: Db, jobIds: string[]): Promise<void> {
  await sql`select 1 from bulk_jobs where id = any(${jobIds}::text[]) order by id for update`.execute(db);
  await db
    .updateTable('bulk_jobs')
    .set({ status: 'completed', finished_at: sql`now()`, next_run_at: null, finished_items: sql`total` })
    .where('id', 'in', jobIds)
    .where('status', 'in', activeJobStatuses)
    .where(sql<boolean>`not exists (select 1 from bulk_job_items where job_id = bulk_jobs.id and status = 'pending')`)
    .execute();
}

/**
 * Marks the team's oldest pending item `failed` with the given reason: for an item whose own
 * deletion keeps failing, so that it cannot block the rest of the team's work.
 */
export async function failOldestPendingItem(
  db: Db,
  teamId: string,
  reason: string,
): Promise<{ jobId: string; entryId: string | null } | null> {
  return db.transaction().execute(async (tx) => {
    const item = await sql<{ job_id: string; position: number; entry_id: string | null }>`
      select job_id, position, entry_id from bulk_job_items
      where team_id = ${teamId} and status = 'pending'
      order by seq limit 1
      for update skip locked`.execute(tx);
    const row = item.rows[0];
    if (!row) return null;
    await tx
      .updateTable('bulk_job_items')
      .set({ status: 'failed', error: reason, processed_at: sql`now()` })
      .where('job_id', '=', row.job_id)
      .where('position', '=', row.position)
      .execute();
    // Counted into its job as a batch counts its items (see drain-batch.ts): the last item completes it.
    await sql`
      update bulk_jobs set
        finished_items = finished_items + 1,
        status = case when status in ('queued', 'running', 'throttled') and finished_items + 1 >= total then 'completed' else status end,
        finished_at = case when status in ('queued', 'running', 'throttled') and finished_items + 1 >= total then now() else finished_at end,
        next_run_at = case when status in ('queued', 'running', 'throttled') and finished_items + 1 >= total then null else next_run_at end
      where id = ${row.job_id}`.execute(tx);
    return { jobId: row.job_id, entryId: row.entry_id };
  });
}

/**
 * The team's window is spent until `nextRunAt`: its started jobs show `throttled`, and every
 * unfinished job of the team (queued ones too) carries `nextRunAt` for its estimate.
 */
export async function markTeamThrottled(db: Db, teamId: string, nextRunAt: Date): Promise<void> {
  await db
    .updateTable('bulk_jobs')
    .set({
      status: sql`case when status = 'queued' then 'queued' else 'throttled' end`,
      next_run_at: nextRunAt,
    })
    .where('team_id', '=', teamId)
    .where('status', 'in', activeJobStatuses)
    .execute();
}

/**
 * Backstop for the reconciler: completes unfinished jobs that have no pending item left. Batches
 * complete their jobs in their own transaction, so this should find none; if a bug ever left
 * one, clients polling it would otherwise wait for ever. Returns how many jobs it completed.
 */
export async function completeDrainedJobs(db: Db): Promise<number> {
  const drained = await db
    .selectFrom('bulk_jobs')
    .select('id')
    .where('status', 'in', activeJobStatuses)
    .where(sql<boolean>`not exists (select 1 from bulk_job_items where job_id = bulk_jobs.id and status = 'pending')`)
    .execute();
  if (drained.length === 0) return 0;
  await db.transaction().execute((tx) =>
    completeFinishedJobs(
      tx,
      drained.map((row) => row.id),
    ),
  );
  return drained.length;
}

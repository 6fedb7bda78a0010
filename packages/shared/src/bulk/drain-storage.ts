// The drainer's storage: every statement the per-team drainer and the reconciler run against
// bulk jobs and items, kept together so they can be reviewed (and tuned) in one place.
// A batch leaves every item either final (with its audit event) or still pending.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { deleteEntries, type DeletionRequest } from '../entries.js';
import { activeJobStatuses, type DeletionOutcome } from '../vocabulary.js';

/** How many of the team's items are pending (up to `cap`; the drainer never needs more). */
export async function countPendingItems(db: Db, teamId: string, cap: number): Promise<number> {
  const result = await sql<{ count: number }>`
    select count(*)::int as count from (
      select 1 from bulk_job_items where team_id = ${teamId} and status = 'pending' limit ${cap}
    ) pending`.execute(db);
  return result.rows[0]?.count ?? 0;
}

/** Teams that have pending items: what the reconciler makes sure has a drainer. */
export async function teamsWithPendingItems(db: Db): Promise<string[]> {
  const result = await sql<{ team_id: string }>`
    select distinct team_id from bulk_job_items where status = 'pending'`.execute(db);
  return result.rows.map((row) => row.team_id);
}

export interface BatchResult {
  executed: number;
  /** The executed items by final status (deleted + not_found + forbidden = executed). */
  outcomes: Record<DeletionOutcome, number>;
  /** Pending items of the team left after this batch. */
  remaining: number;
}

/**
 * Executes up to `slots` of the team's oldest pending items in one transaction: deletes the
 * team's entries (with their audit events, via deleteEntries), moves every item to its final
 * status, and completes jobs with no pending item left. Items another drainer holds are skipped.
 * A crash anywhere leaves every item either final (with its audit event) or still pending.
 */
export async function executeBatch(db: Db, teamId: string, slots: number): Promise<BatchResult> {
  const { executed, outcomes } = await db.transaction().execute(async (tx) => {
    const counted: Record<DeletionOutcome, number> = { deleted: 0, not_found: 0, forbidden: 0 };
    // An item submitted by URL is resolved here to the team's entry with that URL (none: null,
    // and the item ends not_found); the (team_id, url) unique index answers each lookup.
    const items = await sql<{
      job_id: string;
      position: number;
      entry_id: string | null;
      reason: string | null;
      api_key_id: string | null;
      request_id: string | null;
    }>`
      select item.job_id, item.position, coalesce(item.entry_id, by_url.id) as entry_id, job.reason, job.api_key_id, job.request_id
      from bulk_job_items item join bulk_jobs job on job.id = item.job_id
      left join dnc_entries by_url on item.entry_id is null and by_url.team_id = item.team_id and by_url.url = item.url
      where item.team_id = ${teamId} and item.status = 'pending'
      order by item.seq
      limit ${slots}
      for update of item skip locked`.execute(tx);
    if (items.rows.length === 0) return { executed: 0, outcomes: counted };

    const jobIds = [...new Set(items.rows.map((item) => item.job_id))];
    await tx
      .updateTable('bulk_jobs')
      .set({ status: 'running', started_at: sql`coalesce(started_at, now())`, next_run_at: null })
      .where('id', 'in', jobIds)
      .where('status', 'in', ['queued', 'throttled'])
      .execute();

    // An entry listed by two jobs in one batch is deleted once; the later item finds it gone.
    const firstItemOfEntry = new Map<string, (typeof items.rows)[number]>();
    for (const item of items.rows)
      if (item.entry_id !== null && !firstItemOfEntry.has(item.entry_id)) firstItemOfEntry.set(item.entry_id, item);
    const requests: DeletionRequest[] = [...firstItemOfEntry].map(([entryId, item]) => ({
      entryId,
      reason: item.reason,
      apiKeyId: item.api_key_id,
      requestId: item.request_id,
      jobId: item.job_id,
    }));
    const outcomes: Map<string, DeletionOutcome> = await deleteEntries(tx, teamId, 'bulk', requests);

    const finalStatus = (item: (typeof items.rows)[number]): DeletionOutcome =>
      item.entry_id !== null && firstItemOfEntry.get(item.entry_id) === item ? (outcomes.get(item.entry_id) ?? 'not_found') : 'not_found';
    const statuses = items.rows.map(finalStatus);
    // A URL item keeps the entry id it resolved to (coalesce: an id item's stays as it is).
    await sql`
      update bulk_job_items item set status = outcome.status, processed_at = now(), entry_id = coalesce(item.entry_id, outcome.entry_id)
      from unnest(${items.rows.map((i) => i.job_id)}::text[], ${items.rows.map((i) => i.position)}::int[],
                  ${statuses}::text[], ${items.rows.map((i) => i.entry_id)}::text[]) as outcome(job_id, position, status, entry_id)
      where item.job_id = outcome.job_id and item.position = outcome.position`.execute(tx);

    await completeFinishedJobs(tx, jobIds);
    for (const status of statuses) counted[status] += 1;
    return { executed: items.rows.length, outcomes: counted };
  });
  return { executed, outcomes, remaining: await countPendingItems(db, teamId, 1) };
}

/**
 * Completes the given jobs that have no pending item left (cancelled ones stay cancelled).
 * The job rows are locked first: two batches of one job committing at once each see the other's
 * items still pending, and without the lock neither would complete the job. With it, the later
 * one waits, and its completion check (a new statement, a new snapshot) sees the other's commit.
 */
async function completeFinishedJobs(db: Db, jobIds: string[]): Promise<void> {
  await sql`select 1 from bulk_jobs where id = any(${jobIds}::text[]) order by id for update`.execute(db);
  await db
    .updateTable('bulk_jobs')
    .set({ status: 'completed', finished_at: sql`now()`, next_run_at: null })
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
    await completeFinishedJobs(tx, [row.job_id]);
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

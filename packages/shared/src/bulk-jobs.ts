// Bulk deletions, as stored in Postgres (the source of truth; Redis only schedules the drainer).
//
// Terms:
// - job: one submission (`job_…`), holding items in submission order.
// - item: one entry id of a job; `pending` until the drainer executes it, then final
//   (`deleted`, `not_found`, `forbidden`, `failed`) or `cancelled`.
// - drainer: the one BullMQ job per team that executes the team's pending items, oldest first
//   across all of the team's jobs, a window's worth of rate-limit slots at a time.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { insertAuditEvents } from './audit-insert.js';
import type { Db } from './db/database.js';
import type { BulkJobRow } from './db/schema.js';
import { deleteEntries, type DeletionRequest } from './entries.js';
import { AppError } from './errors.js';
import { newAuditId, newJobId } from './ids.js';
import {
  activeJobStatuses,
  IDEMPOTENCY_WINDOW_HOURS,
  terminalJobStatuses,
  type BulkItemStatus,
  type BulkJobStatus,
  type DeletionOutcome,
} from './vocabulary.js';

export interface JobCounts {
  pending: number;
  deleted: number;
  notFound: number;
  forbidden: number;
  failed: number;
  cancelled: number;
}

/** A bulk job as the API shows it. */
export interface Job {
  $id: string;
  teamId: string;
  status: BulkJobStatus;
  reason: string | null;
  total: number;
  /** Items the worker has executed: deleted + notFound + forbidden + failed. */
  processed: number;
  counts: JobCounts;
  $createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  nextRunAt: string | null;
  estimatedCompletionAt: string | null;
}

export interface JobItem {
  id: string;
  status: BulkItemStatus;
  error?: string;
  processedAt: string | null;
}

/** What the drainer's pace is, to estimate completion times. */
export interface DrainPace {
  /** Items a team's drainer may execute per window (its limit minus the reserve). */
  itemsPerWindow: number;
  windowMs: number;
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

async function countsOf(db: Db, jobId: string): Promise<JobCounts> {
  const rows = await db
    .selectFrom('bulk_job_items')
    .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
    .where('job_id', '=', jobId)
    .groupBy('status')
    .execute();
  const by = Object.fromEntries(rows.map((row) => [row.status, Number(row.count)])) as Partial<Record<BulkItemStatus, number>>;
  return {
    pending: by.pending ?? 0,
    deleted: by.deleted ?? 0,
    notFound: by.not_found ?? 0,
    forbidden: by.forbidden ?? 0,
    failed: by.failed ?? 0,
    cancelled: by.cancelled ?? 0,
  };
}

/**
 * When the job's last pending item should run: the team's pending items up to it, executed a
 * window's worth at a time, starting now (or when the team's window next opens).
 */
async function estimateCompletion(db: Db, job: BulkJobRow, pace: DrainPace): Promise<Date | null> {
  if (terminalJobStatuses.includes(job.status)) return null;
  const ahead = await sql<{ count: number }>`
    select count(*)::int as count from bulk_job_items
    where team_id = ${job.team_id} and status = 'pending'
      and seq <= (select max(seq) from bulk_job_items where job_id = ${job.id} and status = 'pending')`.execute(db);
  const pendingUpToJob = ahead.rows[0]?.count ?? 0;
  const start = Math.max(Date.now(), job.next_run_at?.getTime() ?? 0);
  if (pendingUpToJob === 0) return new Date(start);
  const windowsNeeded = Math.ceil(pendingUpToJob / pace.itemsPerWindow) - 1;
  return new Date(start + windowsNeeded * pace.windowMs);
}

async function toJob(db: Db, row: BulkJobRow, pace: DrainPace): Promise<Job> {
  const [counts, estimatedCompletionAt] = await Promise.all([countsOf(db, row.id), estimateCompletion(db, row, pace)]);
  return {
    $id: row.id,
    teamId: row.team_id,
    status: row.status,
    reason: row.reason,
    total: row.total,
    processed: counts.deleted + counts.notFound + counts.forbidden + counts.failed,
    counts,
    $createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    nextRunAt: terminalJobStatuses.includes(row.status) ? null : iso(row.next_run_at),
    estimatedCompletionAt: iso(estimatedCompletionAt),
  };
}

export interface SubmitBulkDeletion {
  teamId: string;
  apiKeyId: string | null;
  requestId: string | null;
  /** Entry ids in submission order; repeats collapse to the first. */
  entryIds: string[];
  reason: string | null;
  idempotencyKey?: string | undefined;
}

export interface SubmittedJob {
  job: Job;
  /** True when an earlier submission with the same Idempotency-Key and body was returned. */
  replayed: boolean;
}

function requestHash(entryIds: string[], reason: string | null): string {
  return createHash('sha256').update(JSON.stringify({ entryIds, reason })).digest('hex');
}

/**
 * Stores a job and all its items in one transaction (the items in one statement), audited as
 * `dnc.bulk_delete.submitted`. The caller then schedules the team's drainer; if that fails, the
 * reconciler finds the pending items later, so nothing is lost.
 */
export async function submitBulkDeletion(db: Db, input: SubmitBulkDeletion, pace: DrainPace): Promise<SubmittedJob> {
  const entryIds = [...new Set(input.entryIds)];
  const hash = requestHash(entryIds, input.reason);
  const outcome = await db.transaction().execute(async (tx): Promise<{ row: BulkJobRow; replayed: boolean }> => {
    if (input.idempotencyKey !== undefined) {
      // Held until commit: a concurrent retry with the same key is told to wait (409), not blocked.
      const lock = await sql<{ locked: boolean }>`
        select pg_try_advisory_xact_lock(hashtextextended(${`${input.teamId}:${input.idempotencyKey}`}, 0)) as locked`.execute(tx);
      if (!lock.rows[0]?.locked) {
        throw new AppError('idempotency_key_in_use', 'A request with this Idempotency-Key is still being processed; retry shortly');
      }
      const previous = await tx
        .selectFrom('bulk_jobs')
        .selectAll()
        .select(sql<boolean>`created_at > now() - ${`${IDEMPOTENCY_WINDOW_HOURS} hours`}::interval`.as('fresh'))
        .where('team_id', '=', input.teamId)
        .where('idempotency_key', '=', input.idempotencyKey)
        .executeTakeFirst();
      if (previous?.fresh) {
        if (previous.request_hash !== hash) {
          throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body');
        }
        return { row: previous, replayed: true };
      }
      if (previous) {
        // Older than the window: the key is free again.
        await tx.updateTable('bulk_jobs').set({ idempotency_key: null }).where('id', '=', previous.id).execute();
      }
    }
    const row = await tx
      .insertInto('bulk_jobs')
      .values({
        id: newJobId(),
        team_id: input.teamId,
        status: 'queued',
        reason: input.reason,
        total: entryIds.length,
        api_key_id: input.apiKeyId,
        request_id: input.requestId,
        idempotency_key: input.idempotencyKey ?? null,
        request_hash: input.idempotencyKey !== undefined ? hash : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await sql`
      insert into bulk_job_items (job_id, position, team_id, entry_id)
      select ${row.id}, ordinality, ${input.teamId}, entry_id
      from unnest(${entryIds}::text[]) with ordinality as submitted(entry_id, ordinality)
      order by ordinality`.execute(tx);
    await insertAuditEvents({
      id: newAuditId(),
      teamId: input.teamId,
      action: 'dnc.bulk_delete.submitted',
      reason: input.reason,
      apiKeyId: input.apiKeyId,
      source: 'api',
      jobId: row.id,
      requestId: input.requestId,
    }).execute(tx);
    return { row, replayed: false };
  });
  return { job: await toJob(db, outcome.row, pace), replayed: outcome.replayed };
}

async function findTeamJob(db: Db, teamId: string, jobId: string): Promise<BulkJobRow> {
  const row = await db.selectFrom('bulk_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Bulk deletion job not found');
  if (row.team_id !== teamId) throw new AppError('forbidden', 'This bulk deletion job belongs to another team');
  return row;
}

export async function getBulkJob(db: Db, teamId: string, jobId: string, pace: DrainPace): Promise<Job> {
  return toJob(db, await findTeamJob(db, teamId, jobId), pace);
}

export async function listBulkJobItems(
  db: Db,
  teamId: string,
  jobId: string,
  query: { status?: BulkItemStatus | undefined; limit: number; offset: number },
) {
  await findTeamJob(db, teamId, jobId);
  let filtered = db.selectFrom('bulk_job_items').where('job_id', '=', jobId);
  if (query.status) filtered = filtered.where('status', '=', query.status);
  const [rows, count] = await Promise.all([
    filtered.select(['entry_id', 'status', 'error', 'processed_at']).orderBy('position').limit(query.limit).offset(query.offset).execute(),
    filtered.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  const items = rows.map((row): JobItem => ({
    id: row.entry_id,
    status: row.status,
    ...(row.error !== null ? { error: row.error } : {}),
    processedAt: iso(row.processed_at),
  }));
  return { items, total: Number(count.total), limit: query.limit, offset: query.offset };
}

/**
 * Cancels a job: its pending items become `cancelled`; executed items stay as they are.
 * Items the drainer is executing right now are locked; this waits for that batch to commit,
 * so the job stops within one batch. A terminal job is returned unchanged.
 */
export async function cancelBulkJob(
  db: Db,
  actor: { teamId: string; apiKeyId: string | null; requestId: string | null },
  jobId: string,
  pace: DrainPace,
): Promise<Job> {
  await findTeamJob(db, actor.teamId, jobId);
  const row = await db.transaction().execute(async (tx) => {
    // Items first, then the job row: the same lock order as the drainer, so no deadlock.
    await tx
      .updateTable('bulk_job_items')
      .set({ status: 'cancelled', processed_at: sql`now()` })
      .where('job_id', '=', jobId)
      .where('status', '=', 'pending')
      .execute();
    const cancelled = await tx
      .updateTable('bulk_jobs')
      .set({ status: 'cancelled', finished_at: sql`now()`, next_run_at: null })
      .where('id', '=', jobId)
      .where('status', 'in', activeJobStatuses)
      .returningAll()
      .executeTakeFirst();
    if (cancelled) {
      await insertAuditEvents({
        id: newAuditId(),
        teamId: actor.teamId,
        action: 'dnc.bulk_delete.cancelled',
        reason: cancelled.reason,
        apiKeyId: actor.apiKeyId,
        source: 'api',
        jobId,
        requestId: actor.requestId,
      }).execute(tx);
      return cancelled;
    }
    return tx.selectFrom('bulk_jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
  });
  return toJob(db, row, pace);
}

// ---------------------------------------------------------------------------------------------
// The drainer's side.

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
    const items = await sql<{
      job_id: string;
      position: number;
      entry_id: string;
      reason: string | null;
      api_key_id: string | null;
      request_id: string | null;
    }>`
      select item.job_id, item.position, item.entry_id, job.reason, job.api_key_id, job.request_id
      from bulk_job_items item join bulk_jobs job on job.id = item.job_id
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
    for (const item of items.rows) if (!firstItemOfEntry.has(item.entry_id)) firstItemOfEntry.set(item.entry_id, item);
    const requests: DeletionRequest[] = [...firstItemOfEntry.values()].map((item) => ({
      entryId: item.entry_id,
      reason: item.reason,
      apiKeyId: item.api_key_id,
      requestId: item.request_id,
      jobId: item.job_id,
    }));
    const outcomes: Map<string, DeletionOutcome> = await deleteEntries(tx, teamId, 'bulk', requests);

    const finalStatus = (item: (typeof items.rows)[number]): DeletionOutcome =>
      firstItemOfEntry.get(item.entry_id) === item ? (outcomes.get(item.entry_id) ?? 'not_found') : 'not_found';
    const statuses = items.rows.map(finalStatus);
    await sql`
      update bulk_job_items item set status = outcome.status, processed_at = now()
      from unnest(${items.rows.map((i) => i.job_id)}::text[], ${items.rows.map((i) => i.position)}::int[],
                  ${statuses}::text[]) as outcome(job_id, position, status)
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
export async function failOldestPendingItem(db: Db, teamId: string, reason: string): Promise<{ jobId: string; entryId: string } | null> {
  return db.transaction().execute(async (tx) => {
    const item = await sql<{ job_id: string; position: number; entry_id: string }>`
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

// Bulk jobs as the API shows them, read from Postgres only (Redis is never asked about a job).
// Terms: see ../vocabulary.ts. The drainer is the one BullMQ job per team that executes the
// team's pending items, oldest first across all of its jobs, a window's worth at a time.
import { sql } from 'kysely';
import { decodeCursor, isCursorInteger, pageFields, pageOf, type CursorKey, type CursorScope, type PageRequest } from '../cursor.js';
import type { Db } from '../db/database.js';
import type { BulkJobRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import { terminalJobStatuses, type BulkItemStatus, type BulkJobStatus } from '../vocabulary.js';

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
  /** The entry; for an item submitted by URL, null until it resolved to the team's entry. */
  id: string | null;
  /** The normalized URL, for an item submitted by URL only. */
  url?: string;
  status: BulkItemStatus;
  error?: string;
  processedAt: string | null;
}

/** What the drainer's pace is, to estimate completion times. */
export interface DrainPace {
  /** Items a team's drainer may execute per window (its limit minus the reserve). */
  itemsPerWindow: number;
  /** The same for one team, when teams have limits of their own (`pnpm cli teams set-limits`). */
  itemsPerWindowOf?: (teamId: string) => Promise<number>;
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
  const itemsPerWindow = pace.itemsPerWindowOf ? await pace.itemsPerWindowOf(job.team_id) : pace.itemsPerWindow;
  const windowsNeeded = Math.ceil(pendingUpToJob / itemsPerWindow) - 1;
  return new Date(start + windowsNeeded * pace.windowMs);
}

/** The API's view of a job row: its counts and estimate read now. */
export async function toJob(db: Db, row: BulkJobRow, pace: DrainPace): Promise<Job> {
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

/** The job row, if it exists and belongs to the team. */
export async function findTeamJob(db: Db, teamId: string, jobId: string): Promise<BulkJobRow> {
  const row = await db.selectFrom('bulk_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Bulk deletion job not found');
  if (row.team_id !== teamId) throw new AppError('forbidden', 'This bulk deletion job belongs to another team');
  return row;
}

export async function getBulkJob(db: Db, teamId: string, jobId: string, pace: DrainPace): Promise<Job> {
  return toJob(db, await findTeamJob(db, teamId, jobId), pace);
}

const isPositionKey = (key: CursorKey): key is readonly [position: number] => key.length === 1 && isCursorInteger(key[0]);

/**
 * One page of a job's items, in submission order (by position, the primary key's second column).
 * By cursor, a keyset query with no count; by offset (default 0), the page and the total.
 */
export async function listBulkJobItems(
  db: Db,
  teamId: string,
  jobId: string,
  query: PageRequest & { status?: BulkItemStatus | undefined },
) {
  const scope: CursorScope = { route: 'job-items', teamId, bound: [jobId, query.status] };
  const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor, isPositionKey);
  await findTeamJob(db, teamId, jobId);
  let filtered = db.selectFrom('bulk_job_items').where('job_id', '=', jobId);
  if (query.status) filtered = filtered.where('status', '=', query.status);
  const [rows, total] = await Promise.all([
    (after ? filtered.where('position', '>', after[0]) : filtered)
      .select(['position', 'entry_id', 'url', 'status', 'error', 'processed_at'])
      .orderBy('position')
      .limit(query.limit + 1)
      .offset(after ? 0 : (query.offset ?? 0))
      .execute(),
    after
      ? undefined
      : filtered
          .select((eb) => eb.fn.countAll<number>().as('total'))
          .executeTakeFirstOrThrow()
          .then((count) => Number(count.total)),
  ]);
  const { rows: served, nextCursor } = pageOf(scope, rows, query.limit, (row) => [row.position]);
  const items = served.map((row): JobItem => ({
    id: row.entry_id,
    ...(row.url !== null ? { url: row.url } : {}),
    status: row.status,
    ...(row.error !== null ? { error: row.error } : {}),
    processedAt: iso(row.processed_at),
  }));
  return { items, ...pageFields(query, nextCursor, total) };
}

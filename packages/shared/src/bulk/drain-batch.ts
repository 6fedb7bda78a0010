// One drainer batch as ONE SQL statement (one Postgres round trip, atomic by itself, no
// BEGIN/COMMIT): it claims the team's oldest pending items, resolves URL items to the team's
// entries, deletes the team's entries with one audit row each, gives every item its final status,
// counts them into their jobs and completes the jobs that are done, and (when the caller was told
// to wait for the team's window) marks the team's unfinished jobs throttled until then.
// The statement is the PL/pgSQL function `drain_batch` (migration
// 2026-11-28T10-00-00_drain-batch-function), whose plan Postgres keeps per connection.
// A crash anywhere leaves every item either final (with its audit event) or still pending.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { newAuditId } from '../ids.js';
import type { DeletionOutcome } from '../vocabulary.js';

export interface BatchResult {
  executed: number;
  /** The executed items by final status (deleted + not_found + forbidden = executed). */
  outcomes: Record<DeletionOutcome, number>;
  /**
   * Pending items of the team left after this batch, counted up to `remainingCap` (1 by default:
   * 0 says drained). Items another batch holds right now count as pending.
   */
  remaining: number;
}

export interface BatchOptions {
  /**
   * The team's window admits no more bulk writes until then: its unfinished jobs show
   * `throttled` (queued ones stay `queued`) with this `nextRunAt`, if any item is left.
   */
  throttleUntil?: Date | null;
  /** Count the pending items left up to this many (default 1). */
  remainingCap?: number;
}

/**
 * Executes up to `slots` of the team's oldest pending items (across all its jobs, in submission
 * order). Items another batch holds are skipped (`for update skip locked`); an entry listed by
 * two items of the batch is deleted once, the later item finds it gone (`not_found`).
 *
 * Jobs complete on their `finished_items` counter, not on a count of pending items: this
 * statement's snapshot still shows the items a concurrent batch of the same job is finishing.
 * The job rows are locked in id order (no deadlock between batches), and the update of a row that
 * another batch changed meanwhile is computed on that batch's committed row (READ COMMITTED
 * re-evaluates it), so the sum is exact and the last batch completes the job.
 */
export async function executeBatch(db: Db, teamId: string, slots: number, options: BatchOptions = {}): Promise<BatchResult> {
  const throttleUntil = options.throttleUntil ?? null;
  const remainingCap = options.remainingCap ?? 1;
  // One audit id per item, used only by the items whose entry is deleted.
  const auditIds = Array.from({ length: slots }, () => newAuditId());
  const result = await sql<{ executed: number; deleted: number; not_found: number; forbidden: number; remaining: number }>`
    select executed, deleted, not_found, forbidden, remaining
    from drain_batch(${teamId}::text, ${slots}::integer, ${auditIds}::text[], ${throttleUntil}::timestamptz, ${remainingCap}::integer)`.execute(
    db,
  );
  const row = result.rows[0]!;
  return {
    executed: row.executed,
    outcomes: { deleted: row.deleted, not_found: row.not_found, forbidden: row.forbidden },
    remaining: row.remaining,
  };
}

/** One team's batch within executeBatches. */
export interface TeamBatch {
  teamId: string;
  slots: number;
  throttleUntil: Date | null;
}

/**
 * The batches of several teams (each team at most once) in one round trip: the SQL function
 * `drain_batches` (migration 2026-11-29T09-00-00_drain-batches-function) runs `drain_batch` for
 * each in the given order, and all of them commit together or none does. Each team's result is
 * the one executeBatch would give. A failure of any batch fails them all.
 */
export async function executeBatches(
  db: Db,
  batches: readonly TeamBatch[],
  options: Pick<BatchOptions, 'remainingCap'> = {},
): Promise<Map<string, BatchResult>> {
  const remainingCap = options.remainingCap ?? 1;
  const auditIds = batches.flatMap((batch) => Array.from({ length: batch.slots }, () => newAuditId()));
  const result = await sql<{ team_id: string; executed: number; deleted: number; not_found: number; forbidden: number; remaining: number }>`
    select team_id, executed, deleted, not_found, forbidden, remaining
    from drain_batches(
      ${batches.map((batch) => batch.teamId)}::text[], ${batches.map((batch) => batch.slots)}::integer[], ${auditIds}::text[],
      ${batches.map((batch) => batch.throttleUntil)}::timestamptz[], ${remainingCap}::integer
    )`.execute(db);
  return new Map(
    result.rows.map((row) => [
      row.team_id,
      {
        executed: row.executed,
        outcomes: { deleted: row.deleted, not_found: row.not_found, forbidden: row.forbidden },
        remaining: row.remaining,
      },
    ]),
  );
}

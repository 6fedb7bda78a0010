// Cancelling a bulk job: its pending items become `cancelled`; executed items stay as they are.
import { sql } from 'kysely';
import { insertAuditEvents } from '../audit-insert.js';
import type { Db } from '../db/database.js';
import { newAuditId } from '../ids.js';
import { activeJobStatuses } from '../vocabulary.js';
import { findTeamJob, toJob, type DrainPace, type Job } from './job-view.js';

/**
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
      .set({ status: 'cancelled', finished_at: sql`now()`, next_run_at: null, finished_items: sql`total` })
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

// Submitting a bulk deletion: the job, all its items and its audit event in one transaction,
// with Idempotency-Key handling. The caller then schedules the team's drainer. Items name an
// entry id, or (a submission by URL) a normalized URL the drainer resolves to the team's entry.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { insertAuditEvents } from '../audit-insert.js';
import type { Db } from '../db/database.js';
import type { BulkJobRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import { newAuditId, newJobId } from '../ids.js';
import { normalizeLinkedInUrl } from '../linkedin-url.js';
import { IDEMPOTENCY_WINDOW_HOURS } from '../vocabulary.js';
import { toJob, type DrainPace, type Job } from './job-view.js';

export type SubmitBulkDeletion = {
  teamId: string;
  apiKeyId: string | null;
  requestId: string | null;
  reason: string | null;
  idempotencyKey?: string | undefined;
} & (
  | {
      /** Entry ids in submission order; repeats collapse to the first. */
      entryIds: string[];
      urls?: undefined;
    }
  | {
      /** LinkedIn profile URLs in any accepted spelling, in submission order; normalized, then repeats collapse to the first. */
      urls: string[];
      entryIds?: undefined;
    }
);

/** Validation details listed for a submission with bad URLs (the message gives the count of all). */
const MAX_URL_DETAILS = 100;

export interface SubmittedJob {
  job: Job;
  /** True when an earlier submission with the same Idempotency-Key and body was returned. */
  replayed: boolean;
}

/** What the items target: entry ids, or normalized URLs. The request hash tells the two apart. */
type Targets = { entryIds: string[] } | { urls: string[] };

function requestHash(targets: Targets, reason: string | null): string {
  return createHash('sha256')
    .update(JSON.stringify({ ...targets, reason }))
    .digest('hex');
}

/**
 * The submission's URLs normalized, repeats collapsed; or a validation_error naming each URL that
 * is not a LinkedIn profile URL (`urls[<index>]`), before anything is stored.
 */
function normalizeUrls(urls: string[]): string[] {
  const normalized: string[] = [];
  const details: { path: string; message: string }[] = [];
  urls.forEach((url, index) => {
    const result = normalizeLinkedInUrl(url);
    if (result.ok) normalized.push(result.url);
    else details.push({ path: `urls[${index}]`, message: result.reason });
  });
  if (details.length > 0) {
    const count = details.length === 1 ? 'A URL is' : `${details.length} URLs are`;
    throw AppError.validation(details.slice(0, MAX_URL_DETAILS), `${count} not a LinkedIn profile URL; nothing was submitted`);
  }
  return [...new Set(normalized)];
}

/**
 * Stores a job and all its items in one transaction (the items in one statement), audited as
 * `dnc.bulk_delete.submitted`. The caller then schedules the team's drainer; if that fails, the
 * reconciler finds the pending items later, so nothing is lost.
 */
export async function submitBulkDeletion(db: Db, input: SubmitBulkDeletion, pace: DrainPace): Promise<SubmittedJob> {
  const targets: Targets = input.urls !== undefined ? { urls: normalizeUrls(input.urls) } : { entryIds: [...new Set(input.entryIds)] };
  const total = 'urls' in targets ? targets.urls.length : targets.entryIds.length;
  const hash = requestHash(targets, input.reason);
  const outcome = await db.transaction().execute(async (tx): Promise<{ row: BulkJobRow; replayed: boolean }> => {
    if (input.idempotencyKey !== undefined) {
      const previous = await findIdempotentSubmission(tx, input.teamId, input.idempotencyKey, hash);
      if (previous) return { row: previous, replayed: true };
    }
    const row = await tx
      .insertInto('bulk_jobs')
      .values({
        id: newJobId(),
        team_id: input.teamId,
        status: 'queued',
        reason: input.reason,
        total,
        api_key_id: input.apiKeyId,
        request_id: input.requestId,
        idempotency_key: input.idempotencyKey ?? null,
        request_hash: input.idempotencyKey !== undefined ? hash : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if ('urls' in targets) {
      await sql`
        insert into bulk_job_items (job_id, position, team_id, url)
        select ${row.id}, ordinality, ${input.teamId}, url
        from unnest(${targets.urls}::text[]) with ordinality as submitted(url, ordinality)
        order by ordinality`.execute(tx);
    } else {
      await sql`
        insert into bulk_job_items (job_id, position, team_id, entry_id)
        select ${row.id}, ordinality, ${input.teamId}, entry_id
        from unnest(${targets.entryIds}::text[]) with ordinality as submitted(entry_id, ordinality)
        order by ordinality`.execute(tx);
    }
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

/**
 * Inside the submission's transaction: the job an earlier submission with this key created
 * within the idempotency window (same body), or undefined when the key is free. The key is
 * locked until commit: a concurrent retry with the same key is told to wait (409), not blocked.
 */
async function findIdempotentSubmission(tx: Db, teamId: string, idempotencyKey: string, hash: string): Promise<BulkJobRow | undefined> {
  const lock = await sql<{ locked: boolean }>`
    select pg_try_advisory_xact_lock(hashtextextended(${`${teamId}:${idempotencyKey}`}, 0)) as locked`.execute(tx);
  if (!lock.rows[0]?.locked) {
    throw new AppError('idempotency_key_in_use', 'A request with this Idempotency-Key is still being processed; retry shortly');
  }
  const previous = await tx
    .selectFrom('bulk_jobs')
    .selectAll()
    .select(sql<boolean>`created_at > now() - ${`${IDEMPOTENCY_WINDOW_HOURS} hours`}::interval`.as('fresh'))
    .where('team_id', '=', teamId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
  if (previous?.fresh) {
    if (previous.request_hash !== hash) {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body');
    }
    return previous;
  }
  if (previous) {
    // Older than the window: the key is free again.
    await tx.updateTable('bulk_jobs').set({ idempotency_key: null }).where('id', '=', previous.id).execute();
  }
  return undefined;
}

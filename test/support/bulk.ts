// Helpers for bulk-deletion tests: seed entries fast, wait for jobs, read outcomes from Postgres.
import { sql } from 'kysely';
import type { Db } from '@dnc/shared';
import { terminalJobStatuses } from '@dnc/shared/vocabulary';
import { expect } from 'vitest';
import { isoMillis, type client } from './http.js';
import { waitUntil } from './wait.js';

/** Inserts `count` entries for the team straight into Postgres (ids `dnc_<tag>N`), returning the ids in order. */
export async function seedEntries(db: Db, teamId: string, tag: string, count: number): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    insert into dnc_entries (id, team_id, url)
    select 'dnc_' || ${tag}::text || n, ${teamId}::text, 'https://linkedin.com/in/' || ${tag}::text || '-' || n
    from generate_series(1, ${count}::int) as n
    returning id`.execute(db);
  return rows.rows.map((row) => row.id);
}

export const terminal: readonly string[] = terminalJobStatuses;

/** Polls the job through the API until it is terminal, and returns it; throws with its last state on timeout. */
export async function waitForJob(api: ReturnType<typeof client>, jobId: string, timeoutMs = 20_000, intervalMs = 100) {
  let last: unknown;
  return waitUntil(
    async () => {
      const polled = await api.get(`/v1/dnc/bulk-delete/${jobId}`);
      last = polled.body;
      return polled.status === 200 && terminal.includes(polled.body.data.status) ? polled.body.data : undefined;
    },
    { timeoutMs, intervalMs, what: () => `job ${jobId} finished (last seen: ${JSON.stringify(last)})` },
  );
}

/** The exactly-once invariants of a finished job, read from Postgres. */
export async function jobLedger(db: Db, jobId: string) {
  const items = await db.selectFrom('bulk_job_items').select(['entry_id', 'status']).where('job_id', '=', jobId).execute();
  const audits = await db
    .selectFrom('audit_events')
    .select(['entry_id'])
    .where('job_id', '=', jobId)
    .where('action', '=', 'dnc.entry.deleted')
    .execute();
  const auditedEntries = audits.map((a) => a.entry_id);
  return {
    items,
    byStatus: items.reduce<Record<string, number>>((acc, item) => ({ ...acc, [item.status]: (acc[item.status] ?? 0) + 1 }), {}),
    deletedItems: items
      .filter((i) => i.status === 'deleted')
      .map((i) => i.entry_id)
      .sort(),
    auditedEntries: auditedEntries.sort(),
    distinctAudited: new Set(auditedEntries).size,
  };
}

/**
 * The most dnc-write operations found in any rolling window, from the audit timestamps.
 * Audit times are taken when each transaction starts, a few ms after the limiter admitted it,
 * so the window is shortened by `slackMs` to allow for that gap.
 */
export async function maxWritesInAnyWindow(db: Db, teamId: string, windowMs: number, slackMs: number): Promise<number> {
  const rows = await db
    .selectFrom('audit_events')
    .select('occurred_at')
    .where('team_id', '=', teamId)
    .where('action', 'in', ['dnc.entry.deleted', 'dnc.entry.added'])
    .orderBy('occurred_at')
    .execute();
  const times = rows.map((row) => row.occurred_at.getTime());
  let max = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs - slackMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

/** The exact Job a fresh submission answers: queued, nothing started, every item pending. */
export function expectedQueuedJob(teamId: string, total: number, reason: string | null) {
  return {
    $id: expect.stringMatching(/^job_[A-Za-z0-9]+$/),
    teamId,
    status: 'queued',
    reason,
    total,
    processed: 0,
    counts: { pending: total, deleted: 0, notFound: 0, forbidden: 0, failed: 0, cancelled: 0 },
    $createdAt: expect.stringMatching(isoMillis),
    startedAt: null,
    finishedAt: null,
    nextRunAt: null,
    estimatedCompletionAt: expect.stringMatching(isoMillis),
  };
}

/**
 * How many sessions wait for a lock that the backend `pid` holds (read on `db`, another
 * connection: inside the holder's transaction, statistics views keep one snapshot).
 */
export async function sessionsBlockedBy(db: Db, pid: number): Promise<number> {
  const blocked = await sql<{ count: number }>`
    select count(*)::int as count from pg_stat_activity where ${pid}::int = any (pg_blocking_pids(pid))`.execute(db);
  return blocked.rows[0]!.count;
}

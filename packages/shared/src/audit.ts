// The audit trail. Events are rows written in the same transaction as the change they record
// (see entries.ts); the worker relays new rows to the log stream and marks them relayed.
import { sql } from 'kysely';
import { decodeCursor, isCursorInteger, pageFields, pageOf, type CursorKey, type CursorScope, type PageRequest } from './cursor.js';
import type { Db } from './db/database.js';
import type { AuditEventRow } from './db/schema.js';
import type { Logger } from './logger.js';
import type { AuditAction, AuditSource } from './vocabulary.js';

/** An audit event as the API shows it. */
export interface AuditEvent {
  $id: string;
  teamId: string;
  action: AuditAction;
  entryId: string | null;
  url: string | null;
  reason: string | null;
  apiKeyId: string | null;
  source: AuditSource;
  jobId: string | null;
  requestId: string | null;
  occurredAt: string;
}

export function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    $id: row.id,
    teamId: row.team_id,
    action: row.action,
    entryId: row.entry_id,
    url: row.url,
    reason: row.reason,
    apiKeyId: row.api_key_id,
    source: row.source,
    jobId: row.job_id,
    requestId: row.request_id,
    occurredAt: row.occurred_at.toISOString(),
  };
}

export interface AuditQuery extends PageRequest {
  action?: AuditAction | undefined;
  entryId?: string | undefined;
  jobId?: string | undefined;
}

const isSeqKey = (key: CursorKey): key is readonly [seq: number] => key.length === 1 && isCursorInteger(key[0]);

/**
 * One page of the team's events, newest first (by seq). By cursor, a keyset query on the
 * (team_id, seq desc) index, with no count; by offset (default 0), the page and the total.
 */
export async function listAuditEvents(db: Db, teamId: string, query: AuditQuery) {
  const scope: CursorScope = { route: 'audit', teamId, bound: [query.action, query.entryId, query.jobId] };
  const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor, isSeqKey);
  let filtered = db.selectFrom('audit_events').where('team_id', '=', teamId);
  if (query.action) filtered = filtered.where('action', '=', query.action);
  if (query.entryId) filtered = filtered.where('entry_id', '=', query.entryId);
  if (query.jobId) filtered = filtered.where('job_id', '=', query.jobId);
  const rows = (after ? filtered.where('seq', '<', after[0]) : filtered)
    .selectAll()
    .orderBy('seq', 'desc')
    .limit(query.limit + 1)
    .offset(after ? 0 : (query.offset ?? 0));
  const [found, total] = await Promise.all([
    rows.execute(),
    after
      ? undefined
      : filtered
          .select((eb) => eb.fn.countAll<number>().as('total'))
          .executeTakeFirstOrThrow()
          .then((count) => Number(count.total)),
  ]);
  const { rows: served, nextCursor } = pageOf(scope, found, query.limit, (row) => [row.seq]);
  return { events: served.map(toAuditEvent), ...pageFields(query, nextCursor, total) };
}

// Any constant works; it only has to be the same in every worker.
const RELAY_LOCK_KEY = 0x646e6361; // "dnca"

/**
 * Logs up to `batchSize` unrelayed events, oldest first, and marks them relayed. One relay runs
 * at a time across all workers (a transaction-scoped advisory lock), so events leave in order.
 * A crash after logging and before commit logs them again: at least once, never lost.
 * Returns how many events were relayed.
 */
export async function relayAuditEvents(db: Db, auditLogger: Logger, batchSize = 500): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const lock = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}) as locked`.execute(tx);
    if (!lock.rows[0]?.locked) return 0;
    const rows = await tx.selectFrom('audit_events').selectAll().where('relayed_at', 'is', null).orderBy('seq').limit(batchSize).execute();
    if (rows.length === 0) return 0;
    for (const row of rows) auditLogger.info({ audit: true, event: toAuditEvent(row) }, row.action);
    await tx
      .updateTable('audit_events')
      .set({ relayed_at: new Date() })
      .where(
        'seq',
        'in',
        rows.map((row) => row.seq),
      )
      .execute();
    return rows.length;
  });
}

// How TypeScript writes audit rows: every statement that records a change builds its
// `insert into audit_events …` here, inside the statement or transaction of the change itself;
// callers say what each column holds. The one other writer is the SQL function `drain_batch`
// (migration 2026-11-28T10-00-00_drain-batch-function), which lists the same columns: a column
// added here must be added there too, by a migration that replaces the function.
import { isExpression, sql, type Expression, type RawBuilder } from 'kysely';
import type { AuditEventsTable } from './db/schema.js';
import type { AuditAction, AuditSource } from './vocabulary.js';

/** A value sent as a parameter, or an SQL expression over the rows of the statement's `from`. */
type Column<T extends string | null = string | null> = T | Expression<unknown>;

export interface AuditRow {
  /** `newAuditId()`; a set-based statement passes one id per row (e.g. an unnest column). */
  id: Column<string>;
  teamId: Column<string>;
  action: Column<AuditAction>;
  source: Column<AuditSource>;
  entryId?: Column;
  url?: Column;
  reason?: Column;
  apiKeyId?: Column;
  jobId?: Column;
  requestId?: Column;
}

// Every column the writers set; seq and occurred_at take their defaults. A trigger queues the
// new events in audit_outbox for the relay (migration 2026-11-30T09-00-00_audit-outbox).
const columnOf = {
  id: 'id',
  teamId: 'team_id',
  action: 'action',
  entryId: 'entry_id',
  url: 'url',
  reason: 'reason',
  apiKeyId: 'api_key_id',
  source: 'source',
  jobId: 'job_id',
  requestId: 'request_id',
} as const satisfies Record<keyof AuditRow, keyof AuditEventsTable>;
const fields = Object.keys(columnOf) as (keyof AuditRow)[];

/**
 * `insert into audit_events (…) select …`: one row, or one row per row of `from` (a CTE or
 * join of the calling statement). Every audit column is text; parameters are cast so that a
 * null stays typed inside INSERT … SELECT.
 */
export function insertAuditEvents(row: AuditRow, from?: RawBuilder<unknown>): RawBuilder<unknown> {
  const values = fields.map((field) => {
    const value = row[field] ?? null;
    return isExpression(value) ? value : sql`${value}::text`;
  });
  return sql`insert into audit_events (${sql.join(fields.map((field) => sql.ref(columnOf[field])))})
    select ${sql.join(values)}${from === undefined ? sql`` : sql` from ${from}`}`;
}

// Kysely's view of the tables. Migrations are the authority; keep this in step with them.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { AuditAction, AuditSource, BulkItemStatus, BulkJobStatus, RateLimitClass } from '../vocabulary.js';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface TeamsTable {
  id: string;
  created_at: CreatedAt;
}

export interface ApiKeysTable {
  id: string;
  team_id: string;
  name: string | null;
  /** HMAC-SHA256(pepper, secret), hex. The secret itself is never stored. */
  secret_hash: string;
  scopes: string[];
  created_at: CreatedAt;
  revoked_at: NullableTimestamp;
}

export interface DncEntriesTable {
  id: string;
  team_id: string;
  url: string;
  reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuditEventsTable {
  /** Insertion order; the relay streams events in this order. */
  seq: Generated<number>;
  id: string;
  team_id: string;
  action: AuditAction;
  entry_id: string | null;
  url: string | null;
  reason: string | null;
  api_key_id: string | null;
  source: AuditSource;
  job_id: string | null;
  request_id: string | null;
  occurred_at: Timestamp;
}

/** Audit events not yet relayed to the log stream (filled by a trigger on audit_events). */
export interface AuditOutboxTable {
  seq: number;
}

export interface BulkJobsTable {
  id: string;
  team_id: string;
  status: BulkJobStatus;
  reason: string | null;
  total: number;
  api_key_id: string | null;
  request_id: string | null;
  idempotency_key: string | null;
  /** SHA-256 of the canonical request, to tell a retry from a different request with the same key. */
  request_hash: string | null;
  created_at: CreatedAt;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  /** While throttled: when the team's window lets the drainer run again. */
  next_run_at: NullableTimestamp;
  /** Items that have left `pending`; the job completes when this reaches `total`. */
  finished_items: Generated<number>;
}

export interface BulkJobItemsTable {
  job_id: string;
  position: number;
  team_id: string;
  /** The entry to delete; for an item submitted by URL, null until the drainer resolves the URL. */
  entry_id: string | null;
  /** The normalized URL of an item submitted by URL (null for one submitted by id). */
  url: ColumnType<string | null, string | null | undefined, string | null>;
  seq: Generated<number>;
  status: ColumnType<BulkItemStatus, BulkItemStatus | undefined, BulkItemStatus>;
  error: string | null;
  processed_at: NullableTimestamp;
}

/** A team's own limit for one rate-limit class; a class without a row uses the configured default. */
export interface TeamLimitsTable {
  team_id: string;
  class: RateLimitClass;
  limit: number;
  updated_at: Timestamp;
}

export interface Database {
  teams: TeamsTable;
  api_keys: ApiKeysTable;
  dnc_entries: DncEntriesTable;
  audit_events: AuditEventsTable;
  audit_outbox: AuditOutboxTable;
  bulk_jobs: BulkJobsTable;
  bulk_job_items: BulkJobItemsTable;
  team_limits: TeamLimitsTable;
}

export type ApiKeyRow = Selectable<ApiKeysTable>;
export type DncEntryRow = Selectable<DncEntriesTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
export type BulkJobRow = Selectable<BulkJobsTable>;

// The service's vocabulary: every closed list of words and every limit of the contract, declared
// once. Database types, zod schemas, config defaults, the worker, the CLI and the tests derive
// from these values. Runtime-free (no imports, no I/O), so the CLI and the OpenAPI document can
// load it as `@dnc/shared/vocabulary` without the domain. The client package keeps its own
// copy of the words it shows (it ships without @dnc/shared); the contract tests keep it in step.
//
// Terms:
// - job: one bulk-deletion submission (`job_…`), holding one item per distinct entry id.
// - item: one entry id of a job; `pending` until the drainer executes it, then final.
// - window: the rate limiter's sliding window; a class admits at most its limit per window.
// - reserve: the dnc-write slots of every window that bulk work leaves to synchronous writes.

// ---- Bulk jobs and their items ----

/** A job still moving: `queued` → `running` ⇄ `throttled`. */
const ACTIVE_JOB_STATUSES = ['queued', 'running', 'throttled'] as const;
/** A job that will not change again. `failed` is reserved: no code path sets it today. */
const TERMINAL_JOB_STATUSES = ['completed', 'cancelled', 'failed'] as const;
/** Every job status: the active ones, then the terminal ones. */
export const jobStatuses = [...ACTIVE_JOB_STATUSES, ...TERMINAL_JOB_STATUSES] as const;
export type BulkJobStatus = (typeof jobStatuses)[number];
export type ActiveJobStatus = (typeof ACTIVE_JOB_STATUSES)[number];
export type TerminalJobStatus = (typeof TERMINAL_JOB_STATUSES)[number];
// Typed as lists of any status, so that `terminalJobStatuses.includes(job.status)` type-checks.
export const activeJobStatuses: readonly BulkJobStatus[] = ACTIVE_JOB_STATUSES;
export const terminalJobStatuses: readonly BulkJobStatus[] = TERMINAL_JOB_STATUSES;

/** What one deletion did to one requested entry id (synchronous or bulk alike). */
export const deletionOutcomes = ['deleted', 'not_found', 'forbidden'] as const;
export type DeletionOutcome = (typeof deletionOutcomes)[number];

/** An item is executed (a deletion outcome, or `failed` when its own deletion kept failing) or cancelled. */
export const executedItemStatuses = [...deletionOutcomes, 'failed'] as const;
export const itemStatuses = ['pending', ...executedItemStatuses, 'cancelled'] as const;
export type ExecutedItemStatus = (typeof executedItemStatuses)[number];
export type BulkItemStatus = (typeof itemStatuses)[number];

// ---- Audit trail ----

export const auditActions = ['dnc.entry.added', 'dnc.entry.deleted', 'dnc.bulk_delete.submitted', 'dnc.bulk_delete.cancelled'] as const;
export type AuditAction = (typeof auditActions)[number];

/** Who made the change: a request to the API, or the worker executing a bulk item. */
export const auditSources = ['api', 'bulk'] as const;
export type AuditSource = (typeof auditSources)[number];

// ---- API keys and rate limits ----

export const scopes = ['dnc:read', 'dnc:write'] as const;
export type Scope = (typeof scopes)[number];

export const rateLimitClasses = ['dnc-write', 'dnc-bulk', 'dnc-read', 'jobs-read'] as const;
export type RateLimitClass = (typeof rateLimitClasses)[number];

/** Admissions per window of each class, per team, unless the environment says otherwise. */
export const DEFAULT_RATE_LIMITS = {
  'dnc-write': 30,
  'dnc-bulk': 10,
  'dnc-read': 60,
  'jobs-read': 120,
} as const satisfies Record<RateLimitClass, number>;
/** RATE_LIMIT_WINDOW_MS. */
export const DEFAULT_RATE_LIMIT_WINDOW_MS = 60_000;
/** DNC_WRITE_RESERVED_FOR_SYNC: dnc-write slots of each window that bulk work never takes. */
export const DEFAULT_WRITE_RESERVED_FOR_SYNC = 5;

// ---- Maximums of the contract ----

/** BULK_MAX_IDS: entry ids one bulk-deletion submission may hold (configurable up to MAX_BULK_IDS_CEILING). */
export const DEFAULT_BULK_MAX_IDS = 10_000;
export const MAX_BULK_IDS_CEILING = 100_000;
/** Entries one batch add may hold; more → 413. */
export const MAX_BATCH_ADD_ENTRIES = 1_000;
/** URLs one batch check (scrub) may hold; more → 413. */
export const MAX_CHECK_URLS = 1_000;
/** Page size of every list (`limit`). */
export const MAX_PAGE_SIZE = 1_000;
export const DEFAULT_PAGE_SIZE = 50;
/** Characters of a page `cursor` (ours are far shorter; anything longer is not one of ours). */
export const MAX_CURSOR_LENGTH = 512;
/** Characters of a `reason`. */
export const MAX_REASON_LENGTH = 500;
/** Characters of an Idempotency-Key. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_WINDOW_HOURS = 24;
/** Bytes of a request body, after decompression; more → 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

// The payloads of the DNC API (the `data` of each success body), as the client returns them.
// Type-only imports: the shapes are the service's own, but nothing of the service is loaded at
// run time, so the client can be used from any Node (or browser) program.
import type {
  AuditAction,
  AuditEvent,
  BatchAddResult,
  BulkItemStatus,
  BulkJobStatus,
  Entry,
  ErrorCode,
  Job,
  JobCounts,
  JobItem,
} from '@dnc/shared';

export type { AuditAction, AuditEvent, BatchAddResult, BulkItemStatus, BulkJobStatus, Entry, ErrorCode, Job, JobCounts, JobItem };

/** `GET /v1/dnc` */
export interface EntryPage {
  entries: Entry[];
  total: number;
  limit: number;
  offset: number;
}

/** `GET /v1/dnc/check` */
export type CheckResult = { onList: true; entry: Entry } | { onList: false; entry: null };

/** `DELETE /v1/dnc/{id}` */
export interface DeleteResult {
  message: string;
}

/** `GET /v1/dnc/bulk-delete/{jobId}/items` */
export interface JobItemPage {
  items: JobItem[];
  total: number;
  limit: number;
  offset: number;
}

/** `GET /v1/dnc/audit` */
export interface AuditPage {
  events: AuditEvent[];
  total: number;
  limit: number;
  offset: number;
}

export interface PageQuery {
  /** 1..1000, default 50. */
  limit?: number;
  /** ≥ 0, default 0. */
  offset?: number;
}

export interface JobItemQuery extends PageQuery {
  status?: BulkItemStatus;
}

export interface AuditQuery extends PageQuery {
  action?: AuditAction;
  entryId?: string;
  jobId?: string;
}

/** Job statuses after which nothing changes any more. */
export const terminalJobStatuses: readonly BulkJobStatus[] = ['completed', 'cancelled', 'failed'];

export function isTerminalJob(job: Pick<Job, 'status'>): boolean {
  return terminalJobStatuses.includes(job.status);
}

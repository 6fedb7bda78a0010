// The payloads of the DNC API (the `data` of each success body), as the client returns them.
// Each is a schema of the OpenAPI document the API serves (src/generated/openapi.ts, generated
// from it by `pnpm gen:types`), so the package's declarations stand alone: they need nothing of
// the service, and nothing of it is loaded at run time either. Any Node (or browser) program can
// use the client.
import type { components } from './generated/openapi.js';

type Schemas = components['schemas'];

/** An entry of the team's Do Not Contact list. */
export type Entry = Schemas['Entry'];
/** `GET /v1/dnc` */
export type EntryPage = Schemas['EntryList'];
/** `GET /v1/dnc/check` */
export type CheckResult = Schemas['CheckResult'];
/** `POST /v1/dnc/check`: one result per URL sent, in order, and their counts. */
export type CheckUrlsResult = Schemas['CheckUrlsResult'];
/** One URL's answer in a `CheckUrlsResult`. */
export type UrlCheck = CheckUrlsResult['results'][number];
/** `POST /v1/dnc/batch` */
export type BatchAddResult = Schemas['BatchAddResult'];
/** `DELETE /v1/dnc/{id}` */
export type DeleteResult = Schemas['DeleteResult'];
/** A bulk deletion job. */
export type Job = Schemas['Job'];
/** Items of a job by status. */
export type JobCounts = Schemas['JobCounts'];
/** One entry id of a bulk deletion job. */
export type JobItem = Schemas['JobItem'];
/** `GET /v1/dnc/bulk-delete/{jobId}/items` */
export type JobItemPage = Schemas['JobItemList'];
/** One event of the team's audit trail. */
export type AuditEvent = Schemas['AuditEvent'];
/** `GET /v1/dnc/audit` */
export type AuditPage = Schemas['AuditEventList'];

/** `queued` → `running` ⇄ `throttled` → `completed` | `cancelled` | `failed` */
export type BulkJobStatus = Job['status'];
/** `pending`, then what became of the item. */
export type BulkItemStatus = JobItem['status'];
export type AuditAction = AuditEvent['action'];
/** The contract's error codes: the `error` of every error body the document declares. */
export type ErrorCode = {
  [Name in keyof Schemas]: Schemas[Name] extends { error: infer Code extends string } ? Code : never;
}[keyof Schemas];

export interface PageQuery {
  /** 1..1000, default 50. */
  limit?: number;
  /** ≥ 0, default 0; a page read by offset carries `total`. Not with `cursor`. */
  offset?: number;
  /** The `nextCursor` of the previous page, unchanged (same list, same filters). Not with `offset`. */
  cursor?: string;
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

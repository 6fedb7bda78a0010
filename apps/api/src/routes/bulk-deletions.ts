// The bulk-deletion job resource: submit, poll, list items, cancel. Reads go to Postgres only, so
// polling works while Redis is empty; the worker does the deleting.
import {
  bulkDeleteBody,
  bulkDeleteHeaders,
  cancelBulkJob,
  getBulkJob,
  jobItemsQuery,
  jobParams,
  listBulkJobItems,
  submitAndScheduleBulkDeletion,
  terminalJobStatuses,
  type Job,
  type SubmittedJob,
} from '@dnc/shared';
import { DEFAULT_BULK_MAX_IDS, IDEMPOTENCY_WINDOW_HOURS } from '@dnc/shared/vocabulary';
import { successMessages } from '../openapi/components.js';
import {
  exampleCancelledJob,
  exampleCompletedJob,
  exampleJob,
  exampleJobItems,
  exampleJobItemsCursor,
  exampleThrottledJob,
  one,
  plainErrorBody,
  success,
  validationExample,
} from '../openapi/examples.js';
import { defineOperation, type Reply } from './operation.js';

const JOB_PATH = '/v1/dnc/bulk-delete/{jobId}';
const DEFAULT_POLL_SECONDS = 2;
const MAX_POLL_SECONDS = 30;

/** Retry-After on a job that is not finished: when polling is next worth it. */
function pollHint(job: Job): Record<string, string> {
  if (terminalJobStatuses.includes(job.status)) return {};
  const untilNextRun = job.nextRunAt ? Math.ceil((Date.parse(job.nextRunAt) - Date.now()) / 1000) : DEFAULT_POLL_SECONDS;
  return { 'Retry-After': String(Math.min(MAX_POLL_SECONDS, Math.max(1, untilNextRun))) };
}

/**
 * A submission in HTTP terms: 202 for a new job, 200 for the job an earlier request with the same
 * Idempotency-Key made; both say where to poll it and, while it runs, when.
 */
export function submittedJobReply({ job, replayed }: SubmittedJob): Reply<200 | 202> {
  return {
    status: replayed ? 200 : 202,
    data: job,
    message: successMessages.bulkDeletionQueued,
    headers: { Location: JOB_PATH.replace('{jobId}', job.$id), ...pollHint(job) },
  };
}

const jobErrorExamples = {
  not_found: plainErrorBody('not_found', 'Bulk deletion job not found'),
  forbidden: plainErrorBody('forbidden', 'This bulk deletion job belongs to another team'),
  validation_error: validationExample(jobParams, { jobId: '42' }, 'params'),
};

export const submitBulkDeletionOperation = defineOperation({
  method: 'post',
  path: '/v1/dnc/bulk-delete',
  operationId: 'submitBulkDeletion',
  summary: 'Submit a bulk deletion',
  description:
    `1 to ${DEFAULT_BULK_MAX_IDS.toLocaleString('en-US')} entry \`ids\`, or instead 1 to ${DEFAULT_BULK_MAX_IDS.toLocaleString('en-US')} profile \`urls\` (\`BULK_MAX_IDS\`; more → 413; exactly one of the two, else 400); repeats collapse to one item. ` +
    'URLs are normalized at submission: one that is not a LinkedIn profile URL is a 400 naming it (`urls[<index>]`), and no job is created; when its item executes, the team’s entry with that URL is deleted (none → `not_found`), and the item shows the entry id it resolved to. ' +
    'The worker deletes each item exactly like a synchronous delete (same authorization, audit event and cache invalidation), ' +
    'drawing one slot of the team’s `dnc-write` budget per item, but never the last `DNC_WRITE_RESERVED_FOR_SYNC` slots. ' +
    `The same \`Idempotency-Key\` with the same body (the ids, or the normalized URLs, and the reason) within ${IDEMPOTENCY_WINDOW_HOURS} h returns the same job (200); with a different body → 422. Audited as \`dnc.bulk_delete.submitted\`.`,
  tag: 'Bulk deletion',
  scope: 'dnc:write',
  rateLimitClass: 'dnc-bulk',
  headers: bulkDeleteHeaders,
  body: {
    schema: bulkDeleteBody,
    component: 'BulkDeleteRequest',
    maxItems: {
      field: 'ids',
      otherFields: ['urls'],
      holder: 'A bulk deletion',
      max: (config) => config.bulkMaxIds,
      defaultMax: DEFAULT_BULK_MAX_IDS,
    },
  },
  responses: {
    200: {
      description: 'The job an earlier request with the same Idempotency-Key created.',
      schema: 'JobQueuedResponse',
      examples: one('Same job as before', success(exampleThrottledJob, successMessages.bulkDeletionQueued)),
      headers: ['location'],
      optionalHeaders: ['retryAfter'],
    },
    202: {
      description: 'Queued.',
      schema: 'JobQueuedResponse',
      examples: one('Queued', success(exampleJob, successMessages.bulkDeletionQueued)),
      headers: ['location', 'retryAfter'],
    },
  },
  errors: ['idempotency_key_in_use', 'payload_too_large', 'idempotency_key_reused'],
  errorExamples: {
    // The one a list of URLs from a CRM most often meets; a bad id is `body.ids.<index>` alike.
    validation_error: {
      error: 'validation_error',
      message: 'A URL is not a LinkedIn profile URL; nothing was submitted',
      data: null,
      details: [{ path: 'urls[1]', message: 'not a LinkedIn member profile URL (expected linkedin.com/in/<slug>)' }],
    },
  },
  handler: async ({ headers, body }, { services, actor }) => {
    const common = { ...actor, reason: body.reason ?? null, idempotencyKey: headers['idempotency-key'] };
    // The schema admits exactly one of the two.
    const targets = body.urls !== undefined ? { urls: body.urls } : { entryIds: body.ids ?? [] };
    return submittedJobReply(await submitAndScheduleBulkDeletion(services, { ...common, ...targets }));
  },
});

export const getBulkJobOperation = defineOperation({
  method: 'get',
  path: JOB_PATH,
  operationId: 'getBulkJob',
  summary: 'Poll a bulk deletion',
  description: 'While the job is not finished, `Retry-After` suggests when to poll again.',
  tag: 'Bulk deletion',
  scope: 'dnc:read',
  rateLimitClass: 'jobs-read',
  params: jobParams,
  responses: {
    200: {
      description: 'The job.',
      schema: 'JobResponse',
      examples: { ...one('Throttled', success(exampleThrottledJob)), ...one('Completed', success(exampleCompletedJob)) },
      optionalHeaders: ['retryAfter'],
    },
  },
  errors: ['forbidden', 'not_found'],
  errorExamples: jobErrorExamples,
  handler: async ({ params }, { services, actor }) => {
    const job = await getBulkJob(services.db, actor.teamId, params.jobId, services.drainPace);
    return { status: 200, data: job, headers: pollHint(job) };
  },
});

export const listBulkJobItemsOperation = defineOperation({
  method: 'get',
  path: `${JOB_PATH}/items`,
  operationId: 'listBulkJobItems',
  summary: 'The items of a bulk deletion',
  description:
    'In submission order, optionally filtered by status. An item of a job submitted by URL carries its normalized `url`, and `id` once it resolved to the team’s entry (null when none had that URL). Page with `cursor` (the `nextCursor` of the previous page, made for the same job and status; no `total`) or with `offset` (with `total`); every page carries `nextCursor`, null on the last page.',
  tag: 'Bulk deletion',
  scope: 'dnc:read',
  rateLimitClass: 'jobs-read',
  params: jobParams,
  query: jobItemsQuery,
  responses: {
    200: {
      description: 'One page of items.',
      schema: 'JobItemListResponse',
      examples: {
        ...one(
          'First page (no cursor): with total',
          success({
            items: exampleJobItems.slice(0, 2),
            total: 3,
            limit: 2,
            offset: 0,
            nextCursor: exampleJobItemsCursor(exampleJob.$id as string),
          }),
        ),
        ...one('Next page (by cursor): the last one', success({ items: exampleJobItems.slice(2), limit: 2, nextCursor: null })),
        ...one(
          'A job submitted by URL: each item carries its URL, and the entry id it resolved to',
          success({
            items: [
              {
                id: 'dnc_7Hq2LmX9pR4sT1vW3yZa',
                url: 'https://linkedin.com/in/jane-doe',
                status: 'deleted',
                processedAt: '2026-11-26T10:30:00.431Z',
              },
              { id: null, url: 'https://linkedin.com/in/john-smith', status: 'not_found', processedAt: '2026-11-26T10:30:00.431Z' },
              { id: null, url: 'https://linkedin.com/in/ana-lima', status: 'pending', processedAt: null },
            ],
            total: 3,
            limit: 50,
            offset: 0,
            nextCursor: null,
          }),
        ),
      },
    },
  },
  errors: ['forbidden', 'not_found'],
  errorExamples: { ...jobErrorExamples, validation_error: validationExample(jobItemsQuery, { status: 'done' }, 'query') },
  handler: async ({ params, query }, { services, actor }) => ({
    status: 200,
    data: await listBulkJobItems(services.db, actor.teamId, params.jobId, query),
  }),
});

export const cancelBulkJobOperation = defineOperation({
  method: 'post',
  path: `${JOB_PATH}/cancel`,
  operationId: 'cancelBulkJob',
  summary: 'Cancel a bulk deletion',
  description:
    'Pending items become `cancelled`; items already deleted stay deleted. Cancelling a finished job returns it unchanged. Audited as `dnc.bulk_delete.cancelled`.',
  tag: 'Bulk deletion',
  scope: 'dnc:write',
  rateLimitClass: 'dnc-bulk',
  params: jobParams,
  responses: {
    200: { description: 'The job after cancelling.', schema: 'JobResponse', examples: one('Cancelled', success(exampleCancelledJob)) },
  },
  errors: ['forbidden', 'not_found'],
  errorExamples: jobErrorExamples,
  handler: async ({ params }, { services, actor }) => ({
    status: 200,
    data: await cancelBulkJob(services.db, actor, params.jobId, services.drainPace),
  }),
});

export const bulkDeletionOperations = [submitBulkDeletionOperation, getBulkJobOperation, listBulkJobItemsOperation, cancelBulkJobOperation];

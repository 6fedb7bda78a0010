// The team's Do-Not-Contact list: add one, add many, list, check one, check many (a scrub), delete
// one (synchronously, or queued as a one-item bulk job with `Prefer: respond-async`).
import {
  addEntries,
  addEntry,
  addEntryBody,
  batchAddBody,
  batchAddResultSchema,
  checkQuery,
  checkUrl,
  checkUrls,
  checkUrlsBody,
  checkUrlsResultSchema,
  deleteEntry,
  deleteEntryBody,
  deleteEntryParams,
  deleteEntryQuery,
  isAppError,
  listEntries,
  listEntriesQuery,
  submitAndScheduleBulkDeletion,
} from '@dnc/shared';
import { MAX_BATCH_ADD_ENTRIES, MAX_CHECK_URLS } from '@dnc/shared/vocabulary';
import { z } from 'zod';
import { successMessages } from '../openapi/components.js';
import {
  exampleAsyncDeleteJob,
  exampleEntriesCursor,
  exampleEntry,
  exampleEntry2,
  exampleEntry3,
  firstExample,
  one,
  plainErrorBody,
  success,
  validationExample,
} from '../openapi/examples.js';
import { submittedJobReply } from './bulk-deletions.js';
import { defineOperation } from './operation.js';

/** `Prefer: respond-async` (RFC 7240), among possibly several preferences. */
function prefersAsync(header: string | undefined): boolean {
  return header?.split(',').some((preference) => preference.trim().toLowerCase() === 'respond-async') ?? false;
}

const deleteEntryHeaders = z.object({
  prefer: z
    .string()
    .optional()
    .meta({
      description: '`respond-async` queues the deletion as a one-item bulk job and answers 202 (RFC 7240).',
      examples: ['respond-async'],
    }),
});

export const addEntryOperation = defineOperation({
  method: 'post',
  path: '/v1/dnc',
  operationId: 'addEntry',
  summary: 'Add a URL to the list',
  description:
    'Normalizes the LinkedIn URL (`https://linkedin.com/in/<slug>`, slug lower-cased) and adds it. Invalidates the team’s check cache. Audited as `dnc.entry.added`.',
  tag: 'Entries',
  scope: 'dnc:write',
  rateLimitClass: 'dnc-write',
  body: { schema: addEntryBody, component: 'AddEntryRequest' },
  responses: {
    201: {
      description: 'Added.',
      schema: 'EntryCreatedResponse',
      examples: one('Added', success(exampleEntry, successMessages.entryAdded)),
    },
  },
  errors: ['duplicate_entry', 'payload_too_large'],
  errorExamples: {
    validation_error: {
      error: 'validation_error',
      message: 'Invalid LinkedIn URL: not a LinkedIn member profile URL (expected linkedin.com/in/<slug>)',
      data: null,
      details: [{ path: 'url', message: 'not a LinkedIn member profile URL (expected linkedin.com/in/<slug>)' }],
    },
  },
  handler: async ({ body }, { services, actor }) => ({
    status: 201,
    data: await addEntry(services, actor, body),
    message: successMessages.entryAdded,
  }),
});

export const addEntriesOperation = defineOperation({
  method: 'post',
  path: '/v1/dnc/batch',
  operationId: 'addEntries',
  summary: 'Add many URLs',
  description: `1 to ${MAX_BATCH_ADD_ENTRIES} entries (more → 413). One bad URL does not stop the rest; duplicates inside the batch count once. Each detail carries the entry’s \`id\`: the new one for \`added\`, the one already listed for \`duplicate\`. Audited per added entry.`,
  tag: 'Entries',
  scope: 'dnc:write',
  rateLimitClass: 'dnc-bulk',
  body: {
    schema: batchAddBody,
    component: 'BatchAddRequest',
    maxItems: { field: 'entries', holder: 'A batch', max: () => MAX_BATCH_ADD_ENTRIES, defaultMax: MAX_BATCH_ADD_ENTRIES },
  },
  responses: {
    201: {
      description: 'Processed; see `details` for each URL.',
      schema: 'BatchAddResponse',
      examples: one(
        'One added, one duplicate, one error',
        success(firstExample(batchAddResultSchema), 'Added 1, 1 duplicate(s), 1 error(s)'),
      ),
    },
  },
  errors: ['payload_too_large'],
  errorExamples: { validation_error: validationExample(batchAddBody, { entries: [] }, 'body') },
  handler: async ({ body }, { services, actor }) => {
    const result = await addEntries(
      services,
      actor,
      body.entries.map((entry) => entry.url),
    );
    return { status: 201, data: result, message: `Added ${result.added}, ${result.duplicates} duplicate(s), ${result.errors} error(s)` };
  },
});

export const listEntriesOperation = defineOperation({
  method: 'get',
  path: '/v1/dnc',
  operationId: 'listEntries',
  summary: 'List the team’s entries',
  description:
    'Newest first, ties broken by id. Page with `cursor`: pass the `nextCursor` of a page to read the next one (a keyset query: the same cost at any depth; no `total`). ' +
    'Or page with `offset` as in v1.0: such a page, and a request with neither, also carries `total` and `offset` (counting the whole list). Every page carries `nextCursor` (null on the last page).',
  tag: 'Entries',
  scope: 'dnc:read',
  rateLimitClass: 'dnc-read',
  query: listEntriesQuery,
  responses: {
    200: {
      description: 'One page of entries.',
      schema: 'EntryListResponse',
      examples: {
        ...one(
          'First page (no cursor): with total',
          success({ entries: [exampleEntry, exampleEntry2], total: 3, limit: 2, offset: 0, nextCursor: exampleEntriesCursor }),
        ),
        ...one('Next page (by cursor): the last one', success({ entries: [exampleEntry3], limit: 2, nextCursor: null })),
      },
    },
  },
  errors: [],
  errorExamples: { validation_error: validationExample(listEntriesQuery, { offset: '100', cursor: exampleEntriesCursor }, 'query') },
  handler: async ({ query }, { services, actor }) => ({ status: 200, data: await listEntries(services.db, actor.teamId, query) }),
});

export const checkUrlOperation = defineOperation({
  method: 'get',
  path: '/v1/dnc/check',
  operationId: 'checkUrl',
  summary: 'Is this URL on the list?',
  description: 'Answers are cached per team (positive and negative alike); any add or delete for the team invalidates them at once.',
  tag: 'Entries',
  scope: 'dnc:read',
  rateLimitClass: 'dnc-read',
  query: checkQuery,
  responses: {
    200: {
      description: 'Whether the URL is listed.',
      schema: 'CheckResponse',
      examples: {
        ...one('Listed', success({ onList: true, entry: exampleEntry })),
        ...one('Not listed', success({ onList: false, entry: null })),
      },
    },
  },
  errors: [],
  errorExamples: { validation_error: validationExample(checkQuery, {}, 'query') },
  handler: async ({ query }, { services, actor }) => ({ status: 200, data: await checkUrl(services, actor.teamId, query.url) }),
});

export const checkUrlsOperation = defineOperation({
  method: 'post',
  path: '/v1/dnc/check',
  operationId: 'checkUrls',
  summary: 'Scrub many URLs against the list',
  description:
    `1 to ${MAX_CHECK_URLS} URLs (more → 413), one result per URL in request order, repeats included; a URL that is not a LinkedIn profile URL gets an \`error\` and does not fail the rest. ` +
    'The whole request takes one slot of the team’s `dnc-read` budget. Answers come from, and go into, the same per-team cache as `GET /v1/dnc/check` (invalidated by any add or delete of the team): ' +
    'a scrub costs one cache read, at most one database query (for the URLs not cached) and one cache write, whatever its size.',
  tag: 'Entries',
  scope: 'dnc:read',
  rateLimitClass: 'dnc-read',
  body: {
    schema: checkUrlsBody,
    component: 'CheckUrlsRequest',
    maxItems: { field: 'urls', holder: 'A batch check', max: () => MAX_CHECK_URLS, defaultMax: MAX_CHECK_URLS },
  },
  responses: {
    200: {
      description: 'One result per URL sent.',
      schema: 'CheckUrlsResponse',
      examples: one('One listed, one not, one not a profile URL', success(firstExample(checkUrlsResultSchema))),
    },
  },
  errors: ['payload_too_large'],
  errorExamples: { validation_error: validationExample(checkUrlsBody, { urls: [] }, 'body') },
  handler: async ({ body }, { services, actor }) => ({ status: 200, data: await checkUrls(services, actor.teamId, body.urls) }),
});

export const deleteEntryOperation = defineOperation({
  method: 'delete',
  path: '/v1/dnc/{id}',
  operationId: 'deleteEntry',
  summary: 'Delete an entry',
  description:
    'Removes the row for good and writes the `dnc.entry.deleted` audit event in the same transaction, then invalidates the team’s check cache. ' +
    'The reason may come as a JSON body or as the `reason` query parameter. With `Prefer: respond-async` the deletion is queued as a one-item bulk job (202); the request takes one `dnc-write` slot and the worker takes another when it executes the item, as every bulk item does.',
  tag: 'Entries',
  scope: 'dnc:write',
  rateLimitClass: 'dnc-write',
  params: deleteEntryParams,
  query: deleteEntryQuery,
  headers: deleteEntryHeaders,
  body: { schema: deleteEntryBody, component: 'DeleteEntryRequest' },
  responses: {
    200: {
      description: 'Deleted.',
      schema: 'DeleteResponse',
      examples: one('Deleted', success({ message: 'DNC entry deleted successfully' })),
    },
    202: {
      description: 'Queued as a bulk job (`Prefer: respond-async`).',
      schema: 'JobQueuedResponse',
      examples: one('Queued', success(exampleAsyncDeleteJob, successMessages.bulkDeletionQueued)),
      headers: ['location', 'retryAfter', 'preferenceApplied'],
    },
  },
  errors: ['forbidden', 'not_found', 'payload_too_large'],
  errorExamples: {
    not_found: plainErrorBody('not_found', 'DNC entry not found'),
    forbidden: plainErrorBody('forbidden', 'This DNC entry belongs to another team'),
    validation_error: validationExample(deleteEntryParams, { id: '42' }, 'params'),
  },
  handler: async ({ params, query, headers, body }, { services, metrics, actor }) => {
    const reason = body?.reason ?? query.reason ?? null;
    if (prefersAsync(headers.prefer)) {
      // Queued as a one-item bulk job; the worker executes it exactly like this route would.
      const reply = submittedJobReply(await submitAndScheduleBulkDeletion(services, { ...actor, entryIds: [params.id], reason }));
      return { ...reply, headers: { 'Preference-Applied': 'respond-async', ...reply.headers } };
    }
    try {
      await deleteEntry(services, actor, { entryId: params.id, reason });
    } catch (error) {
      const outcome = isAppError(error) && (error.code === 'not_found' || error.code === 'forbidden') ? error.code : 'failed';
      metrics.countDeletions({ [outcome]: 1 });
      throw error;
    }
    metrics.countDeletions({ deleted: 1 });
    return { status: 200, data: { message: 'DNC entry deleted successfully' } };
  },
});

export const entryOperations = [
  addEntryOperation,
  addEntriesOperation,
  listEntriesOperation,
  checkUrlOperation,
  checkUrlsOperation,
  deleteEntryOperation,
];

// Request schemas: the API validates with these, and the OpenAPI document is generated from them.
import { z } from 'zod';
import { encodeCursor } from './cursor.js';
import { entryIdPattern, jobIdPattern } from './ids.js';
import {
  auditActions,
  DEFAULT_BULK_MAX_IDS,
  DEFAULT_PAGE_SIZE,
  IDEMPOTENCY_WINDOW_HOURS,
  itemStatuses,
  MAX_BATCH_ADD_ENTRIES,
  MAX_CHECK_URLS,
  MAX_CURSOR_LENGTH,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_PAGE_SIZE,
  MAX_REASON_LENGTH,
} from './vocabulary.js';

const reason = z.string().max(MAX_REASON_LENGTH, `must be at most ${MAX_REASON_LENGTH} characters`);

/** A non-negative integer given as a query string, or nothing. */
const optionalQueryInteger = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max)).optional();

/** A non-negative integer given as a query string, `defaultValue` when absent. */
const queryInteger = (min: number, max: number, defaultValue: number) =>
  optionalQueryInteger(min, max).transform((value) => value ?? defaultValue);

export const entryIdSchema = z
  .string()
  .regex(entryIdPattern, 'must look like dnc_<letters and digits>')
  .meta({ description: 'An entry id', examples: ['dnc_7Hq2LmX9pR4sT1vW3yZa'] });
export const jobIdSchema = z
  .string()
  .regex(jobIdPattern, 'must look like job_<letters and digits>')
  .meta({ description: 'A bulk deletion job id', examples: ['job_K3nP8qR2sT5vW7xY9zAb'] });

export const addEntryBody = z
  .object({
    url: z
      .string()
      .min(1, 'is required')
      .meta({
        description:
          'A LinkedIn member profile URL in any common spelling (`https://www.linkedin.com/in/Jane-Doe/`, `linkedin.com/in/jane-doe`, `in/jane-doe`, …)',
        examples: ['https://www.linkedin.com/in/Jane-Doe/'],
      }),
    reason: reason.optional().meta({ description: 'Why the person must not be contacted', examples: ['Asked not to be contacted'] }),
  })
  .meta({ examples: [{ url: 'https://www.linkedin.com/in/Jane-Doe/', reason: 'Asked not to be contacted' }] });

export const batchAddBody = z
  .object({
    entries: z
      .array(z.object({ url: z.string().min(1, 'is required') }))
      .min(1, 'must contain at least one entry')
      .meta({ description: `1 to ${MAX_BATCH_ADD_ENTRIES} entries; more → 413 payload_too_large` }),
  })
  .meta({ examples: [{ entries: [{ url: 'linkedin.com/in/jane-doe' }, { url: 'in/john-smith' }] }] });

/** A cursor as the list of entries makes one (team_acme, after the example entry of 09:12:45). */
const exampleCursor = encodeCursor({ route: 'entries', teamId: 'team_acme' }, ['2026-11-26T09:12:45.318000Z', 'dnc_Zx8Yw7Vu6Ts5Rq4Po3Nm']);

/**
 * A page of a list starts where `cursor` says (keyset: the same cost at any depth) or after
 * `offset` items (default 0 when neither is given); `total` is counted only for the latter.
 */
export const pageQuery = {
  limit: queryInteger(1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE).meta({ description: 'Page size' }),
  offset: optionalQueryInteger(0, Number.MAX_SAFE_INTEGER).meta({
    description:
      'How many items to skip (0 when neither `offset` nor `cursor` is given). A page read by offset carries `total`; not with `cursor`.',
  }),
  cursor: z
    .string()
    .min(1, 'must not be empty')
    .max(MAX_CURSOR_LENGTH, `must be at most ${MAX_CURSOR_LENGTH} characters`)
    .optional()
    .meta({
      description:
        'Where the page starts: the `nextCursor` of the previous page, unchanged (opaque; valid only for the route, team and filters that produced it). A page read by cursor costs the same at any depth and carries no `total`; not with `offset`.',
      examples: [exampleCursor],
    }),
};

/** `cursor` and `offset` both say where a page starts: a request gives one at most. */
const oneStartOfPage = <T extends z.ZodObject>(query: T) =>
  query.refine((page: { offset?: unknown; cursor?: unknown }) => page.offset === undefined || page.cursor === undefined, {
    path: ['cursor'],
    message: 'cannot be combined with offset (a cursor already says where the page starts)',
  });

export const listEntriesQuery = oneStartOfPage(z.object(pageQuery));

export const checkQuery = z.object({
  url: z
    .string()
    .min(1, 'is required')
    .meta({ description: 'The LinkedIn URL to look up, in any spelling the add route accepts', examples: ['in/jane-doe'] }),
});

export const checkUrlsBody = z
  .object({
    urls: z
      .array(
        z.string().meta({
          description: 'A URL in any spelling the add route accepts; one that is not a LinkedIn profile URL gets an `error` of its own',
        }),
      )
      .min(1, 'must contain at least one URL')
      .meta({ description: `1 to ${MAX_CHECK_URLS} URLs; more → 413 payload_too_large. Repeats are answered once each.` }),
  })
  .meta({ examples: [{ urls: ['https://www.linkedin.com/in/Jane-Doe/', 'in/john-smith', 'https://example.com/x'] }] });

export const deleteEntryParams = z.object({ id: entryIdSchema });
export const deleteEntryBody = z
  .object({ reason: reason.optional().meta({ description: 'Why the entry is deleted (recorded in the audit trail)' }) })
  .optional();
export const deleteEntryQuery = z.object({
  reason: reason.optional().meta({ description: 'Why the entry is deleted, when no JSON body is sent' }),
});

export const auditQuery = oneStartOfPage(
  z.object({
    ...pageQuery,
    action: z.enum(auditActions).optional().meta({ description: 'Only events of this action' }),
    entryId: entryIdSchema.optional().meta({ description: 'Only events of this entry' }),
    jobId: jobIdSchema.optional().meta({ description: 'Only events of this bulk job' }),
  }),
);

export const bulkDeleteBody = z
  .object({
    ids: z
      .array(entryIdSchema)
      .min(1, 'must contain at least one id')
      .optional()
      .meta({
        description: `Entry ids to delete: 1 to ${DEFAULT_BULK_MAX_IDS.toLocaleString('en-US')} (\`BULK_MAX_IDS\`; more → 413); repeats collapse to one item. Exactly one of \`ids\` and \`urls\`.`,
      }),
    urls: z
      .array(z.string().min(1, 'must not be empty'))
      .min(1, 'must contain at least one URL')
      .optional()
      .meta({
        description:
          `LinkedIn profile URLs to delete the team’s entries of, in any spelling the add route accepts: 1 to ${DEFAULT_BULK_MAX_IDS.toLocaleString('en-US')} (\`BULK_MAX_IDS\`; more → 413). ` +
          'They are normalized at submission (one that is not a profile URL → 400 naming `urls[<index>]`, and no job) and repeats collapse to one item; ' +
          'each is resolved to the team’s entry when its item executes (none → `not_found`). Exactly one of `ids` and `urls`.',
      }),
    reason: reason.optional().meta({ description: 'Why the entries are deleted (recorded in the audit trail)' }),
  })
  .superRefine((body, ctx) => {
    if (body.ids !== undefined && body.urls !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['urls'], message: 'cannot be combined with ids: give exactly one of ids and urls' });
    } else if (body.ids === undefined && body.urls === undefined) {
      ctx.addIssue({ code: 'custom', path: ['ids'], message: 'is required (or urls instead): give exactly one of ids and urls' });
    }
  })
  .meta({
    examples: [
      { ids: ['dnc_7Hq2LmX9pR4sT1vW3yZa', 'dnc_Zx8Yw7Vu6Ts5Rq4Po3Nm'], reason: 'GDPR erasure request' },
      { urls: ['https://www.linkedin.com/in/Jane-Doe/', 'in/john-smith'], reason: 'Opt-out list from the CRM' },
    ],
  });

export const bulkDeleteHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1, 'must not be empty')
    .max(MAX_IDEMPOTENCY_KEY_LENGTH, `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`)
    .optional()
    .meta({
      description: `Makes the submission safe to retry: the same key with the same body within ${IDEMPOTENCY_WINDOW_HOURS} h returns the same job (200); with a different body → 422`,
      examples: ['3b1f6c1e-8a0d-4f0e-9c55-1d2a7e4b9f30'],
    }),
});

export const jobParams = z.object({ jobId: jobIdSchema });

export const jobItemsQuery = oneStartOfPage(
  z.object({
    ...pageQuery,
    status: z.enum(itemStatuses).optional().meta({ description: 'Only items with this status' }),
  }),
);

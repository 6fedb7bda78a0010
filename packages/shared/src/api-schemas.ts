// Response schemas: what the API sends back. Together with the request schemas in schemas.ts
// they are the one source of the OpenAPI document (apps/api/src/openapi.ts), and the tests
// check every response they receive against that document.
// The inferred types are asserted equal to the interfaces the domain returns, so they cannot drift.
import { z } from 'zod';
import type { AuditEvent } from './audit.js';
import type { Job, JobCounts, JobItem } from './bulk/job-view.js';
import type { BatchAddResult, CheckUrlsResult } from './entries.js';
import type { Entry } from './entry-model.js';
import { auditIdPattern, entryIdPattern, jobIdPattern, teamIdPattern } from './ids.js';
import { auditActions, auditSources, itemStatuses, jobStatuses, MAX_PAGE_SIZE, MAX_REASON_LENGTH } from './vocabulary.js';

/** True only when A and B are the same type (not merely assignable one way). */
export type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Example values shared by the response and error schemas' examples. */
export const EXAMPLE_TIME = '2026-11-26T10:30:00.000Z';
export const EXAMPLE_ENTRY_ID = 'dnc_7Hq2LmX9pR4sT1vW3yZa';
const EXAMPLE_JOB_ID = 'job_K3nP8qR2sT5vW7xY9zAb';

/** ISO-8601 UTC with milliseconds, as every time in the API is written. */
export const isoTimeSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  .meta({ format: 'date-time', description: 'ISO-8601 UTC time with milliseconds', examples: [EXAMPLE_TIME] });

const count = z.int().min(0);
const nullableReason = z.string().max(MAX_REASON_LENGTH).nullable();

export const entrySchema = z
  .object({
    $id: z
      .string()
      .regex(entryIdPattern)
      .meta({ examples: [EXAMPLE_ENTRY_ID] }),
    teamId: z
      .string()
      .regex(teamIdPattern)
      .meta({ examples: ['team_acme'] }),
    url: z
      .string()
      .regex(/^https:\/\/linkedin\.com\/in\/[\p{L}\p{N}\p{M}_.-]{1,100}$/u)
      .meta({ description: 'Normalized LinkedIn member profile URL', examples: ['https://linkedin.com/in/jane-doe'] }),
    $createdAt: isoTimeSchema,
    $updatedAt: isoTimeSchema,
  })
  .meta({
    description: 'An entry of the team’s Do Not Contact list',
    examples: [
      {
        $id: EXAMPLE_ENTRY_ID,
        teamId: 'team_acme',
        url: 'https://linkedin.com/in/jane-doe',
        $createdAt: EXAMPLE_TIME,
        $updatedAt: EXAMPLE_TIME,
      },
    ],
  });

export const batchAddResultSchema = z
  .object({
    added: count,
    duplicates: count,
    errors: count,
    details: z.array(
      z.object({
        url: z.string().meta({ description: 'The URL as it was sent' }),
        status: z.enum(['added', 'duplicate', 'error']),
        id: z.string().regex(entryIdPattern).optional().meta({
          description:
            'The entry’s id: the new entry for "added", the entry already listed (or added earlier in this batch) for "duplicate"; absent for "error"',
        }),
        error: z.string().optional().meta({ description: 'Why the URL was rejected (status "error" only)' }),
      }),
    ),
  })
  .meta({
    description: 'Outcome of a batch add, one detail per submitted URL in submission order',
    examples: [
      {
        added: 1,
        duplicates: 1,
        errors: 1,
        details: [
          { url: 'linkedin.com/in/jane-doe', status: 'added', id: EXAMPLE_ENTRY_ID },
          { url: 'https://www.linkedin.com/in/Jane-Doe/', status: 'duplicate', id: EXAMPLE_ENTRY_ID },
          { url: 'https://example.com/x', status: 'error', error: 'not a linkedin.com URL' },
        ],
      },
    ],
  });

/** What every page of a list carries besides its items. */
const pageFields = {
  total: count.optional().meta({
    description: 'How many items the whole list (with its filters) holds. Present when the page was read by offset, absent when by cursor.',
  }),
  limit: z.int().min(1).max(MAX_PAGE_SIZE),
  offset: count
    .optional()
    .meta({ description: 'The offset the page was read at (0 when neither offset nor cursor was given); absent when read by cursor.' }),
  nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` to read the next page; null on the last page.' }),
};

export const entryListSchema = z
  .object({ entries: z.array(entrySchema), ...pageFields })
  .meta({ description: 'One page of the team’s entries, newest first' });

export const checkUrlsResultSchema = z
  .object({
    results: z.array(
      z.object({
        url: z.string().meta({ description: 'The URL as it was sent' }),
        normalizedUrl: z
          .string()
          .nullable()
          .meta({ description: 'The URL as the list stores it; null when it is not a LinkedIn profile URL' }),
        onList: z.boolean(),
        entry: entrySchema.nullable().meta({ description: 'The team’s entry for the URL when it is listed' }),
        error: z.string().optional().meta({ description: 'Why the URL is not a LinkedIn profile URL (then onList is false)' }),
      }),
    ),
    onList: count.meta({ description: 'Results that are on the list' }),
    errors: count.meta({ description: 'Results with an `error`' }),
  })
  .meta({
    description: 'One result per URL sent, in request order (repeats included)',
    examples: [
      {
        results: [
          {
            url: 'https://www.linkedin.com/in/Jane-Doe/',
            normalizedUrl: 'https://linkedin.com/in/jane-doe',
            onList: true,
            entry: {
              $id: EXAMPLE_ENTRY_ID,
              teamId: 'team_acme',
              url: 'https://linkedin.com/in/jane-doe',
              $createdAt: EXAMPLE_TIME,
              $updatedAt: EXAMPLE_TIME,
            },
          },
          { url: 'in/john-smith', normalizedUrl: 'https://linkedin.com/in/john-smith', onList: false, entry: null },
          {
            url: 'https://example.com/x',
            normalizedUrl: null,
            onList: false,
            entry: null,
            error: 'not a linkedin.com URL',
          },
        ],
        onList: 1,
        errors: 1,
      },
    ],
  });

export const checkResultSchema = z
  .discriminatedUnion('onList', [
    z.object({ onList: z.literal(true), entry: entrySchema }),
    z.object({ onList: z.literal(false), entry: z.null() }),
  ])
  .meta({ description: 'Whether the URL is on the team’s list, and the entry when it is' });

export const deleteResultSchema = z.object({ message: z.literal('DNC entry deleted successfully') });

export const jobCountsSchema = z
  .object({ pending: count, deleted: count, notFound: count, forbidden: count, failed: count, cancelled: count })
  .meta({ description: 'Items of the job by status' });

export const jobSchema = z
  .object({
    $id: z
      .string()
      .regex(jobIdPattern)
      .meta({ examples: [EXAMPLE_JOB_ID] }),
    teamId: z.string().regex(teamIdPattern),
    status: z.enum(jobStatuses).meta({
      description:
        '`queued` → `running` ⇄ `throttled` (waiting for the team’s rate-limit window; `nextRunAt` says when) → `completed` | `cancelled` | `failed`',
    }),
    reason: nullableReason,
    total: count.meta({ description: 'Items in the job: its distinct entry ids, or distinct normalized URLs' }),
    processed: count.meta({ description: 'Items the worker has executed: deleted + notFound + forbidden + failed' }),
    counts: jobCountsSchema,
    $createdAt: isoTimeSchema,
    startedAt: isoTimeSchema.nullable(),
    finishedAt: isoTimeSchema.nullable(),
    nextRunAt: isoTimeSchema.nullable().meta({ description: 'When a throttled job runs next' }),
    estimatedCompletionAt: isoTimeSchema.nullable(),
  })
  .meta({
    description: 'A bulk deletion job',
    examples: [
      {
        $id: EXAMPLE_JOB_ID,
        teamId: 'team_acme',
        status: 'queued',
        reason: 'GDPR erasure request',
        total: 2,
        processed: 0,
        counts: { pending: 2, deleted: 0, notFound: 0, forbidden: 0, failed: 0, cancelled: 0 },
        $createdAt: EXAMPLE_TIME,
        startedAt: null,
        finishedAt: null,
        nextRunAt: null,
        estimatedCompletionAt: '2026-11-26T10:30:02.000Z',
      },
    ],
  });

export const jobItemSchema = z
  .object({
    id: z.string().regex(entryIdPattern).nullable().meta({
      description:
        'The entry. For an item submitted by URL: null until the item resolved to the team’s entry with that URL (it stays null when none had it)',
    }),
    url: z
      .string()
      .optional()
      .meta({ description: 'The normalized URL, for an item submitted by URL only', examples: ['https://linkedin.com/in/jane-doe'] }),
    status: z.enum(itemStatuses),
    error: z.string().optional().meta({ description: 'Why the item failed (status "failed" only)' }),
    processedAt: isoTimeSchema.nullable(),
  })
  .meta({
    description: 'One item of a bulk deletion job: an entry id, or a URL submitted in its place',
    examples: [
      { id: EXAMPLE_ENTRY_ID, status: 'deleted', processedAt: EXAMPLE_TIME },
      { id: EXAMPLE_ENTRY_ID, url: 'https://linkedin.com/in/jane-doe', status: 'deleted', processedAt: EXAMPLE_TIME },
      { id: null, url: 'https://linkedin.com/in/john-smith', status: 'not_found', processedAt: EXAMPLE_TIME },
    ],
  });

export const jobItemListSchema = z
  .object({ items: z.array(jobItemSchema), ...pageFields })
  .meta({ description: 'One page of a job’s items, in submission order' });

export const auditEventSchema = z
  .object({
    $id: z.string().regex(auditIdPattern),
    teamId: z.string().regex(teamIdPattern),
    action: z.enum(auditActions),
    entryId: z.string().regex(entryIdPattern).nullable(),
    url: z.string().nullable(),
    reason: nullableReason,
    apiKeyId: z.string().nullable(),
    source: z.enum(auditSources),
    jobId: z.string().regex(jobIdPattern).nullable(),
    requestId: z.string().nullable(),
    occurredAt: isoTimeSchema,
  })
  .meta({
    description: 'One event of the team’s audit trail',
    examples: [
      {
        $id: 'aud_9fK2mQ7xR3tV5wY8zA1b',
        teamId: 'team_acme',
        action: 'dnc.entry.deleted',
        entryId: EXAMPLE_ENTRY_ID,
        url: 'https://linkedin.com/in/jane-doe',
        reason: 'Customer request',
        apiKeyId: 'key_Ab12Cd34Ef56Gh78',
        source: 'api',
        jobId: null,
        requestId: 'req-4711',
        occurredAt: EXAMPLE_TIME,
      },
    ],
  });

export const auditEventListSchema = z
  .object({ events: z.array(auditEventSchema), ...pageFields })
  .meta({ description: 'One page of the team’s audit events, newest first' });

/** The success body: `{ error: null, data, message? }`; `message` only where the route sends one. */
export function successEnvelope<D extends z.ZodType>(data: D): z.ZodObject<{ error: z.ZodNull; data: D }>;
export function successEnvelope<D extends z.ZodType, M extends z.ZodType>(
  data: D,
  message: M,
): z.ZodObject<{ error: z.ZodNull; data: D; message: M }>;
export function successEnvelope(data: z.ZodType, message?: z.ZodType) {
  return message ? z.object({ error: z.null(), data, message }) : z.object({ error: z.null(), data });
}

// ---- Outside /v1 ----

export const healthSchema = z.object({ status: z.literal('ok') }).meta({ examples: [{ status: 'ok' }] });

export const readinessSchema = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.object({ postgres: z.boolean(), redis: z.boolean() }),
  })
  .meta({
    description: 'Whether Postgres and Redis answer',
    examples: [{ status: 'ready', checks: { postgres: true, redis: true } }],
  });

// ---- The inferred types are the domain's types ----

type Assert<T extends true> = T;
export type ApiSchemaTypeChecks = [
  Assert<Equals<z.infer<typeof entrySchema>, Entry>>,
  Assert<Equals<z.infer<typeof jobSchema>, Job>>,
  Assert<Equals<z.infer<typeof jobCountsSchema>, JobCounts>>,
  Assert<Equals<z.infer<typeof jobItemSchema>, JobItem>>,
  Assert<Equals<z.infer<typeof auditEventSchema>, AuditEvent>>,
  Assert<Equals<z.infer<typeof batchAddResultSchema>, BatchAddResult>>,
  Assert<Equals<z.infer<typeof checkUrlsResultSchema>, CheckUrlsResult>>,
];

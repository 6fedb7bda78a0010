// Realistic bodies for the reference page and for client generators; the tests validate each one
// against the schema it illustrates. Entities come from the schemas' own examples where they have one.
import { auditEventSchema, encodeCursor, entrySchema, jobItemSchema, jobSchema, type ErrorCode } from '@dnc/shared';
import type { z } from 'zod';
import { parseInput, type InputLocation } from '../http/validate.js';
import type { MediaExamples } from './types.js';

export type Example = Record<string, unknown>;
export type ErrorExamples = Partial<Record<ErrorCode, Example>>;

/** The first of a schema's own examples. */
export function firstExample(schema: z.ZodType): Example {
  const examples = schema.meta()?.examples as unknown[] | undefined;
  if (!examples?.[0]) throw new Error('OpenAPI: a schema used for an example has no example of its own');
  return examples[0] as Example;
}

/** A success body. */
export const success = (data: unknown, message?: string) =>
  message === undefined ? { error: null, data } : { error: null, data, message };

/** One named example, its name made from its summary. */
export const one = (summary: string, value: unknown): MediaExamples => ({
  [summary.toLowerCase().replace(/[^a-z0-9]+/g, '-')]: { summary, value },
});

/** An error body with no extra fields. */
export const plainErrorBody = (code: ErrorCode, message: string) => ({ error: code, message, data: null });

/** The body the API sends for a request input that fails validation (computed by the API's own validator). */
export function validationExample(schema: z.ZodType, input: unknown, location: InputLocation): Example {
  try {
    parseInput(schema, input, location);
  } catch (error) {
    const appError = error as { code: ErrorCode; message: string; extra: Example };
    return { error: appError.code, message: appError.message, data: null, ...appError.extra };
  }
  throw new Error(`OpenAPI: the invalid ${location} example ${JSON.stringify(input)} passes validation`);
}

// ---- Entities ----

export const exampleEntry = firstExample(entrySchema);
export const exampleEntry2 = {
  ...exampleEntry,
  $id: 'dnc_Zx8Yw7Vu6Ts5Rq4Po3Nm',
  url: 'https://linkedin.com/in/john-smith',
  $createdAt: '2026-11-26T09:12:45.318Z',
  $updatedAt: '2026-11-26T09:12:45.318Z',
};

export const exampleEntry3 = {
  ...exampleEntry,
  $id: 'dnc_Qm4Rt8Yu2Io6Pa1Sd5Fg',
  url: 'https://linkedin.com/in/maria-garcia',
  $createdAt: '2026-11-25T16:48:03.905Z',
  $updatedAt: '2026-11-25T16:48:03.905Z',
};

// ---- Pages: the first read by offset (with total), the next by the cursor it returned ----

const EXAMPLE_TEAM = 'team_acme';
/** The cursor after exampleEntry2 (created_at to the microsecond, then the id). */
export const exampleEntriesCursor = encodeCursor({ route: 'entries', teamId: EXAMPLE_TEAM }, [
  '2026-11-26T09:12:45.318274Z',
  exampleEntry2.$id,
]);
export const exampleAuditCursor = encodeCursor({ route: 'audit', teamId: EXAMPLE_TEAM, bound: [undefined, undefined, undefined] }, [4702]);
export const exampleJobItemsCursor = (jobId: string) =>
  encodeCursor({ route: 'job-items', teamId: EXAMPLE_TEAM, bound: [jobId, undefined] }, [2]);

export const exampleJob = firstExample(jobSchema);
export const exampleThrottledJob = {
  ...exampleJob,
  status: 'throttled',
  total: 120,
  processed: 25,
  counts: { pending: 95, deleted: 23, notFound: 1, forbidden: 1, failed: 0, cancelled: 0 },
  startedAt: '2026-11-26T10:30:00.412Z',
  nextRunAt: '2026-11-26T10:31:00.412Z',
  estimatedCompletionAt: '2026-11-26T10:34:00.412Z',
};
export const exampleCompletedJob = {
  ...exampleThrottledJob,
  status: 'completed',
  processed: 120,
  counts: { pending: 0, deleted: 117, notFound: 2, forbidden: 1, failed: 0, cancelled: 0 },
  finishedAt: '2026-11-26T10:34:00.127Z',
  nextRunAt: null,
  estimatedCompletionAt: null,
};
export const exampleCancelledJob = {
  ...exampleThrottledJob,
  status: 'cancelled',
  counts: { pending: 0, deleted: 23, notFound: 1, forbidden: 1, failed: 0, cancelled: 95 },
  finishedAt: '2026-11-26T10:30:41.905Z',
  nextRunAt: null,
  estimatedCompletionAt: null,
};
/** A `DELETE` with `Prefer: respond-async`: a one-item job. */
export const exampleAsyncDeleteJob = {
  ...exampleJob,
  $id: 'job_Q7wE2rT9yU4iO1pA6sDf',
  reason: 'Consent withdrawn',
  total: 1,
  counts: { pending: 1, deleted: 0, notFound: 0, forbidden: 0, failed: 0, cancelled: 0 },
  estimatedCompletionAt: '2026-11-26T10:30:02.000Z',
};
export const exampleJobItems = [
  firstExample(jobItemSchema),
  { id: exampleEntry2.$id, status: 'not_found', processedAt: '2026-11-26T10:30:00.431Z' },
  { id: 'dnc_Lk5Jh3Gf1Ds9Ap7Oi2Uy', status: 'pending', processedAt: null },
];

export const exampleAuditEvent = firstExample(auditEventSchema);
export const exampleAuditEvents = [
  exampleAuditEvent,
  {
    ...exampleAuditEvent,
    $id: 'aud_3cV8bN1mQ5wE7rT2yU4i',
    action: 'dnc.entry.added',
    reason: 'Asked not to be contacted',
    requestId: 'req-4702',
    occurredAt: '2026-11-20T08:05:12.774Z',
  },
];

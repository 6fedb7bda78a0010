// Request schemas: the API validates with these, and the OpenAPI document is generated from them.
import { z } from 'zod';
import { auditActions } from './audit';
import { entryIdPattern, jobIdPattern } from './ids';

export const MAX_REASON_LENGTH = 500;
export const MAX_BATCH_ADD_ENTRIES = 1000;

const reason = z.string().max(MAX_REASON_LENGTH, `must be at most ${MAX_REASON_LENGTH} characters`);

/** A non-negative integer given as a query string. */
const queryInteger = (min: number, max: number, defaultValue: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((value) => value ?? defaultValue);

export const entryIdSchema = z.string().regex(entryIdPattern, 'must look like dnc_<letters and digits>');
export const jobIdSchema = z.string().regex(jobIdPattern, 'must look like job_<letters and digits>');

export const addEntryBody = z.object({
  url: z.string().min(1, 'is required'),
  reason: reason.optional(),
});

export const batchAddBody = z.object({
  entries: z.array(z.object({ url: z.string().min(1, 'is required') })).min(1, 'must contain at least one entry'),
});

export const pageQuery = {
  limit: queryInteger(1, 1000, 50),
  offset: queryInteger(0, Number.MAX_SAFE_INTEGER, 0),
};

export const listEntriesQuery = z.object(pageQuery);

export const checkQuery = z.object({ url: z.string().min(1, 'is required') });

export const deleteEntryParams = z.object({ id: entryIdSchema });
export const deleteEntryBody = z.object({ reason: reason.optional() }).optional();
export const deleteEntryQuery = z.object({ reason: reason.optional() });

export const auditQuery = z.object({
  ...pageQuery,
  action: z.enum(auditActions).optional(),
  entryId: entryIdSchema.optional(),
  jobId: jobIdSchema.optional(),
});

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export const bulkDeleteBody = z.object({
  ids: z.array(entryIdSchema).min(1, 'must contain at least one id'),
  reason: reason.optional(),
});

export const bulkDeleteHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1, 'must not be empty')
    .max(MAX_IDEMPOTENCY_KEY_LENGTH, `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`)
    .optional(),
});

export const jobParams = z.object({ jobId: jobIdSchema });

export const jobItemsQuery = z.object({
  ...pageQuery,
  status: z.enum(['pending', 'deleted', 'not_found', 'forbidden', 'failed', 'cancelled']).optional(),
});

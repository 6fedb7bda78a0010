// The document's named schemas: the entities and success envelopes the API answers with and one
// schema per error code (packages/shared/src/api-schemas.ts), and the request bodies the /v1
// operations declare (packages/shared/src/schemas.ts, named in the route table).
import {
  auditEventListSchema,
  auditEventSchema,
  batchAddResultSchema,
  checkResultSchema,
  checkUrlsResultSchema,
  deleteResultSchema,
  entryListSchema,
  entrySchema,
  errorBodySchemas,
  healthSchema,
  isoTimeSchema,
  jobCountsSchema,
  jobItemListSchema,
  jobItemSchema,
  jobSchema,
  readinessSchema,
  successEnvelope,
  validationDetailSchema,
  type ErrorCode,
} from '@dnc/shared';
import { z } from 'zod';
import { componentsOf } from './json-schema.js';
import type { JsonSchema } from './types.js';

/** The fixed `message` of a success body, where an operation has one. */
export const successMessages = {
  entryAdded: 'Added to Do Not Contact list',
  bulkDeletionQueued: 'Bulk deletion queued',
} as const;

/** Success bodies, one per distinct shape; operations name theirs in the route table. */
const envelopes = {
  EntryCreatedResponse: successEnvelope(entrySchema, z.literal(successMessages.entryAdded)),
  BatchAddResponse: successEnvelope(batchAddResultSchema, z.string().meta({ examples: ['Added 1, 1 duplicate(s), 1 error(s)'] })),
  EntryListResponse: successEnvelope(entryListSchema),
  CheckResponse: successEnvelope(checkResultSchema),
  CheckUrlsResponse: successEnvelope(checkUrlsResultSchema),
  DeleteResponse: successEnvelope(deleteResultSchema),
  JobQueuedResponse: successEnvelope(jobSchema, z.literal(successMessages.bulkDeletionQueued)),
  JobResponse: successEnvelope(jobSchema),
  JobItemListResponse: successEnvelope(jobItemListSchema),
  AuditEventListResponse: successEnvelope(auditEventListSchema),
};

export type EnvelopeName = keyof typeof envelopes;

/** The component name of an error code's body: `rate_limit_exceeded` → `RateLimitExceededError`. */
export function errorSchemaName(code: ErrorCode): string {
  const pascal = code.replace(/(^|_)([a-z])/g, (_m, _sep: string, letter: string) => letter.toUpperCase());
  return pascal.endsWith('Error') ? pascal : `${pascal}Error`;
}

/** Named response schemas (zod output side). */
export function responseComponents(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  const add = (id: string, schema: z.ZodType) => registry.add(schema, { id });
  add('Timestamp', isoTimeSchema);
  add('Entry', entrySchema);
  add('EntryList', entryListSchema);
  add('CheckResult', checkResultSchema);
  add('CheckUrlsResult', checkUrlsResultSchema);
  add('BatchAddResult', batchAddResultSchema);
  add('DeleteResult', deleteResultSchema);
  add('Job', jobSchema);
  add('JobCounts', jobCountsSchema);
  add('JobItem', jobItemSchema);
  add('JobItemList', jobItemListSchema);
  add('AuditEvent', auditEventSchema);
  add('AuditEventList', auditEventListSchema);
  add('ValidationDetail', validationDetailSchema);
  add('Health', healthSchema);
  add('Readiness', readinessSchema);
  for (const [name, schema] of Object.entries(envelopes)) add(name, schema);
  for (const [code, schema] of Object.entries(errorBodySchemas)) add(errorSchemaName(code as ErrorCode), schema);
  return componentsOf(registry, 'output');
}

/** Named request bodies (zod input side: what a client may send). An optional body is named by what it holds when sent. */
export function requestComponents(bodies: { component: string; schema: z.ZodType }[]): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const { component, schema } of bodies)
    registry.add(schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema, { id: component });
  return componentsOf(registry, 'input');
}

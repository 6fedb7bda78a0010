// The client's wire types are generated from the OpenAPI document the API serves
// (packages/client/src/generated/openapi.ts, checked in). They must not drift from it, and what
// the client derives from them must be the domain's own types.
import { readFile } from 'node:fs/promises';
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
} from '@dnc/client';
import type * as shared from '@dnc/shared';
import { describe, expect, it } from 'vitest';
import { generatedTypesPath, generateOpenApiTypes } from '../../packages/client/scripts/openapi-types.js';

// A compile-time check: tsc fails when a type the client publishes differs from the service's.
type Assert<T extends true> = T;
type Same<A, B> = shared.Equals<A, B>;
export type ClientTypesAreTheDomainTypes = [
  Assert<Same<Entry, shared.Entry>>,
  Assert<Same<Job, shared.Job>>,
  Assert<Same<JobCounts, shared.JobCounts>>,
  Assert<Same<JobItem, shared.JobItem>>,
  Assert<Same<AuditEvent, shared.AuditEvent>>,
  Assert<Same<BatchAddResult, shared.BatchAddResult>>,
  Assert<Same<BulkJobStatus, shared.BulkJobStatus>>,
  Assert<Same<BulkItemStatus, shared.BulkItemStatus>>,
  Assert<Same<AuditAction, shared.AuditAction>>,
  Assert<Same<ErrorCode, shared.ErrorCode>>,
];

describe('the generated client types', () => {
  it('when the checked-in openapi.ts is compared with a fresh generation from the served document, then they are equal', async () => {
    const checkedIn = await readFile(generatedTypesPath, 'utf8');
    const fresh = await generateOpenApiTypes();
    expect(checkedIn, 'packages/client/src/generated/openapi.ts is stale: run pnpm --filter @dnc/client gen:types').toBe(fresh);
  }, 90_000);
});

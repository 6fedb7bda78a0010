// The route table: every /v1 operation, in the order the document lists them. Each is declared
// once, in the file of its resource; the router, the OpenAPI document and the contract tests
// all read this list.
import { auditOperations } from './audit.js';
import { bulkDeletionOperations } from './bulk-deletions.js';
import { entryOperations } from './entries.js';
import type { AnyV1Operation } from './operation.js';

export const v1Operations: readonly AnyV1Operation[] = [...entryOperations, ...auditOperations, ...bulkDeletionOperations];

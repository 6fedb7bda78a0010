// The team's audit trail.
import { auditQuery, listAuditEvents } from '@dnc/shared';
import { DEFAULT_PAGE_SIZE } from '@dnc/shared/vocabulary';
import { exampleAuditEvents, one, success, validationExample } from '../openapi/examples.js';
import { defineOperation } from './operation.js';

export const listAuditEventsOperation = defineOperation({
  method: 'get',
  path: '/v1/dnc/audit',
  operationId: 'listAuditEvents',
  summary: 'The team’s audit trail',
  description: 'Newest first. A team sees only its own events.',
  tag: 'Audit',
  scope: 'dnc:read',
  rateLimitClass: 'dnc-read',
  query: auditQuery,
  responses: {
    200: {
      description: 'One page of events.',
      schema: 'AuditEventListResponse',
      examples: one('A page', success({ events: exampleAuditEvents, total: 2, limit: DEFAULT_PAGE_SIZE, offset: 0 })),
    },
  },
  errors: [],
  errorExamples: { validation_error: validationExample(auditQuery, { action: 'dnc.entry.updated' }, 'query') },
  handler: async ({ query }, { services, actor }) => ({ status: 200, data: await listAuditEvents(services.db, actor.teamId, query) }),
});

export const auditOperations = [listAuditEventsOperation];

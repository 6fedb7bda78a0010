// The team's audit trail.
import { auditQuery, listAuditEvents } from '@dnc/shared';
import { exampleAuditCursor, exampleAuditEvents, one, success, validationExample } from '../openapi/examples.js';
import { defineOperation } from './operation.js';

export const listAuditEventsOperation = defineOperation({
  method: 'get',
  path: '/v1/dnc/audit',
  operationId: 'listAuditEvents',
  summary: 'The team’s audit trail',
  description:
    'Newest first. A team sees only its own events. Page with `cursor` (the `nextCursor` of the previous page, made for the same filters; no `total`) or with `offset` (with `total`); every page carries `nextCursor`, null on the last page.',
  tag: 'Audit',
  scope: 'dnc:read',
  rateLimitClass: 'dnc-read',
  query: auditQuery,
  responses: {
    200: {
      description: 'One page of events.',
      schema: 'AuditEventListResponse',
      examples: {
        ...one(
          'First page (no cursor): with total',
          success({ events: exampleAuditEvents, total: 3, limit: 2, offset: 0, nextCursor: exampleAuditCursor }),
        ),
        ...one('Next page (by cursor): the last one', success({ events: exampleAuditEvents.slice(1), limit: 2, nextCursor: null })),
      },
    },
  },
  errors: [],
  errorExamples: { validation_error: validationExample(auditQuery, { action: 'dnc.entry.updated' }, 'query') },
  handler: async ({ query }, { services, actor }) => ({ status: 200, data: await listAuditEvents(services.db, actor.teamId, query) }),
});

export const auditOperations = [listAuditEventsOperation];

// Bulk deletion jobs: submit, poll, list items, cancel. Reads go to Postgres only, so polling
// works while Redis is empty; the worker does the deleting.
import {
  AppError,
  bulkDeleteBody,
  cancelBulkJob,
  getBulkJob,
  bulkDeleteHeaders,
  jobItemsQuery,
  jobParams,
  listBulkJobItems,
  scheduleDrain,
  submitBulkDeletion,
  terminalJobStatuses,
  type Job,
  type Services,
  type SubmitBulkDeletion,
} from '@dnc/shared';
import { Router, type Response } from 'express';
import { jsonBody } from '../http/middleware.js';
import { actorOf, principalOf } from '../http/request-context.js';
import { sendData } from '../http/respond.js';
import { noQueryParameters, parseInput } from '../http/validate.js';
import type { Guard } from './guard.js';

const DEFAULT_POLL_SECONDS = 2;
const MAX_POLL_SECONDS = 30;

/** Retry-After on a job that is not finished: when polling is next worth it. */
function setPollHint(res: Response, job: Job): void {
  if (terminalJobStatuses.includes(job.status)) return;
  const untilNextRun = job.nextRunAt ? Math.ceil((Date.parse(job.nextRunAt) - Date.now()) / 1000) : DEFAULT_POLL_SECONDS;
  res.setHeader('Retry-After', String(Math.min(MAX_POLL_SECONDS, Math.max(1, untilNextRun))));
}

/**
 * Stores the job, then schedules the team's drainer. A scheduling failure is only logged:
 * the job is safe in Postgres and the worker's reconciler will schedule it.
 */
export async function submitAndSchedule(services: Services, res: Response, input: SubmitBulkDeletion): Promise<void> {
  const { job, replayed } = await submitBulkDeletion(services.db, input, services.drainPace);
  try {
    await scheduleDrain(services.bulkQueue, input.teamId);
  } catch (error) {
    services.logger.warn({ err: error, jobId: job.$id }, 'could not schedule the drainer; the reconciler will');
  }
  res.setHeader('Location', `/v1/dnc/bulk-delete/${job.$id}`);
  setPollHint(res, job);
  sendData(res, replayed ? 200 : 202, job, 'Bulk deletion queued');
}

export function bulkDeleteRouter(services: Services, guard: Guard): Router {
  const router = Router();
  const { db, drainPace } = services;

  router.post('/', ...guard('dnc:write', 'dnc-bulk'), jsonBody, async (req, res) => {
    const ids = (req.body as { ids?: unknown } | undefined)?.ids;
    if (Array.isArray(ids) && ids.length > services.config.bulkMaxIds) {
      throw new AppError('payload_too_large', `A bulk deletion holds at most ${services.config.bulkMaxIds} ids (got ${ids.length})`);
    }
    parseInput(noQueryParameters, req.query, 'query');
    const headers = parseInput(bulkDeleteHeaders, { 'idempotency-key': req.header('idempotency-key') }, 'headers');
    const body = parseInput(bulkDeleteBody, req.body, 'body');
    const actor = actorOf(res);
    await submitAndSchedule(services, res, {
      ...actor,
      entryIds: body.ids,
      reason: body.reason ?? null,
      idempotencyKey: headers['idempotency-key'],
    });
  });

  router.get('/:jobId', ...guard('dnc:read', 'jobs-read'), async (req, res) => {
    const { jobId } = parseInput(jobParams, req.params, 'params');
    parseInput(noQueryParameters, req.query, 'query');
    const job = await getBulkJob(db, principalOf(res).teamId, jobId, drainPace);
    setPollHint(res, job);
    sendData(res, 200, job);
  });

  router.get('/:jobId/items', ...guard('dnc:read', 'jobs-read'), async (req, res) => {
    const { jobId } = parseInput(jobParams, req.params, 'params');
    const query = parseInput(jobItemsQuery, req.query, 'query');
    sendData(res, 200, await listBulkJobItems(db, principalOf(res).teamId, jobId, query));
  });

  router.post('/:jobId/cancel', ...guard('dnc:write', 'dnc-bulk'), async (req, res) => {
    const { jobId } = parseInput(jobParams, req.params, 'params');
    parseInput(noQueryParameters, req.query, 'query');
    sendData(res, 200, await cancelBulkJob(db, actorOf(res), jobId, drainPace));
  });

  return router;
}

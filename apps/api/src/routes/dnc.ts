// The /v1/dnc routes: authenticate → scope → rate limit → validate → call the domain → respond.
import {
  addEntries,
  addEntry,
  addEntryBody,
  AppError,
  auditQuery,
  batchAddBody,
  checkQuery,
  checkUrl,
  deleteEntry,
  deleteEntryBody,
  deleteEntryParams,
  deleteEntryQuery,
  isAppError,
  listAuditEvents,
  listEntries,
  listEntriesQuery,
  MAX_BATCH_ADD_ENTRIES,
  type Services,
} from '@dnc/shared';
import { Router } from 'express';
import { jsonBody } from '../http/middleware.js';
import { actorOf, principalOf } from '../http/request-context.js';
import { sendData } from '../http/respond.js';
import { noQueryParameters, parseInput } from '../http/validate.js';
import type { ApiMetrics } from '../metrics.js';
import { submitAndSchedule } from './bulk-delete.js';
import type { Guard } from './guard.js';

/** `Prefer: respond-async` (RFC 7240), among possibly several preferences. */
function prefersAsync(header: string | undefined): boolean {
  return header?.split(',').some((preference) => preference.trim().toLowerCase() === 'respond-async') ?? false;
}

export function dncRouter(services: Services, guard: Guard, metrics: ApiMetrics): Router {
  const router = Router();
  const deps = { db: services.db, checkCache: services.checkCache };

  router.post('/', ...guard('dnc:write', 'dnc-write'), jsonBody, async (req, res) => {
    parseInput(noQueryParameters, req.query, 'query');
    const body = parseInput(addEntryBody, req.body, 'body');
    const entry = await addEntry(deps, actorOf(res), body);
    sendData(res, 201, entry, 'Added to Do Not Contact list');
  });

  router.post('/batch', ...guard('dnc:write', 'dnc-bulk'), jsonBody, async (req, res) => {
    const entries = (req.body as { entries?: unknown } | undefined)?.entries;
    if (Array.isArray(entries) && entries.length > MAX_BATCH_ADD_ENTRIES) {
      throw new AppError('payload_too_large', `A batch holds at most ${MAX_BATCH_ADD_ENTRIES} entries (got ${entries.length})`);
    }
    parseInput(noQueryParameters, req.query, 'query');
    const body = parseInput(batchAddBody, req.body, 'body');
    const result = await addEntries(
      deps,
      actorOf(res),
      body.entries.map((entry) => entry.url),
    );
    sendData(res, 201, result, `Added ${result.added}, ${result.duplicates} duplicate(s), ${result.errors} error(s)`);
  });

  router.get('/', ...guard('dnc:read', 'dnc-read'), async (req, res) => {
    const page = parseInput(listEntriesQuery, req.query, 'query');
    sendData(res, 200, await listEntries(services.db, principalOf(res).teamId, page));
  });

  router.get('/check', ...guard('dnc:read', 'dnc-read'), async (req, res) => {
    const { url } = parseInput(checkQuery, req.query, 'query');
    sendData(res, 200, await checkUrl(deps, principalOf(res).teamId, url));
  });

  router.get('/audit', ...guard('dnc:read', 'dnc-read'), async (req, res) => {
    const query = parseInput(auditQuery, req.query, 'query');
    sendData(res, 200, await listAuditEvents(services.db, principalOf(res).teamId, query));
  });

  router.delete('/:id', ...guard('dnc:write', 'dnc-write'), jsonBody, async (req, res) => {
    const { id } = parseInput(deleteEntryParams, req.params, 'params');
    const body = parseInput(deleteEntryBody, req.body, 'body');
    const query = parseInput(deleteEntryQuery, req.query, 'query');
    const reason = body?.reason ?? query.reason ?? null;
    if (prefersAsync(req.header('prefer'))) {
      // Queued as a one-item bulk job; the worker executes it exactly like this route would.
      res.setHeader('Preference-Applied', 'respond-async');
      await submitAndSchedule(services, res, { ...actorOf(res), entryIds: [id], reason });
      return;
    }
    try {
      await deleteEntry(deps, actorOf(res), { entryId: id, reason });
    } catch (error) {
      const outcome = isAppError(error) && (error.code === 'not_found' || error.code === 'forbidden') ? error.code : 'failed';
      metrics.countDeletions({ [outcome]: 1 });
      throw error;
    }
    metrics.countDeletions({ deleted: 1 });
    sendData(res, 200, { message: 'DNC entry deleted successfully' });
  });

  return router;
}

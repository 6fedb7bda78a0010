// Mounts the route table on Express. Every operation gets the same chain, in the contract's order
// of checks: authenticate (401) → scope (403) → rate limit (429) → read the JSON body → validate
// (400, 413) → its handler → the success body. The chain is one Express handler per route, not a
// handler per step: each step Express dispatches costs a router step on every request.
import { AppError, type Config, type Services } from '@dnc/shared';
import { Router, type Request } from 'express';
import { authenticate, readJsonBody, routeNotFound, takeRateLimitSlot } from '../http/middleware.js';
import { actorOf, contextOf } from '../http/request-context.js';
import { sendData } from '../http/respond.js';
import { noQueryParameters, parseInput } from '../http/validate.js';
import type { ApiMetrics } from '../metrics.js';
import { tooManyItemsMessage, V1_PREFIX, type AnyV1Operation, type RequestInput } from './operation.js';

type AnyRequestInput = Parameters<AnyV1Operation['handler']>[0];

/** `/v1/dnc/{id}` → `/dnc/:id`: the Express path under the router's mount point. */
export function expressPath(path: string): string {
  if (!path.startsWith(`${V1_PREFIX}/`)) throw new Error(`route table: ${path} is not under ${V1_PREFIX}`);
  return path.slice(V1_PREFIX.length).replace(/\{(\w+)\}/g, ':$1');
}

/**
 * The request's inputs, each validated by the operation's schema (a 400 naming every problem
 * of the first input that fails, in this order: path, query, headers, body). An array of the
 * body longer than its limit is a 413 first.
 */
function parseRequest(operation: AnyV1Operation, req: Request, config: Config, headerNames: readonly string[]): AnyRequestInput {
  const limit = operation.body?.maxItems;
  if (limit) {
    const max = limit.max(config);
    for (const field of [limit.field, ...(limit.otherFields ?? [])]) {
      const items = (req.body as Record<string, unknown> | null | undefined)?.[field];
      if (Array.isArray(items) && items.length > max) {
        throw new AppError('payload_too_large', tooManyItemsMessage({ ...limit, field }, max, items.length));
      }
    }
  }
  const input: Record<keyof RequestInput<unknown, unknown, unknown, unknown>, unknown> = {
    params: operation.params ? parseInput(operation.params, req.params, 'params') : undefined,
    query: parseInput(operation.query ?? noQueryParameters, req.query, 'query'),
    headers: undefined,
    body: undefined,
  };
  if (operation.headers) {
    const sent: Record<string, string | undefined> = {};
    for (const name of headerNames) sent[name] = req.header(name);
    input.headers = parseInput(operation.headers, sent, 'headers');
  }
  if (operation.body) input.body = parseInput(operation.body.schema, req.body, 'body');
  return input as AnyRequestInput;
}

/** The /v1 router: one route per operation of the table. */
export function v1Router(operations: readonly AnyV1Operation[], services: Services, metrics: ApiMetrics): Router {
  const router = Router();
  // The contract has no OPTIONS routes (no CORS): Express would otherwise answer them itself,
  // unauthenticated. They are unknown routes like any other.
  router.use((req, res, next) => (req.method === 'OPTIONS' ? routeNotFound(req, res, next) : next()));
  for (const operation of operations) {
    const path = expressPath(operation.path);
    // The metrics' route label, known before any check can fail.
    const routePattern = `${V1_PREFIX}${path}`.replace(/\/+$/, '');
    const headerNames = operation.headers ? Object.keys(operation.headers.shape) : [];
    const countRejection = () => metrics.countRateLimitRejection(operation.rateLimitClass);
    router[operation.method](path, async (req, res) => {
      contextOf(res).route = routePattern;
      const { teamId } = await authenticate(services.apiKeys, req, res, operation.scope);
      await takeRateLimitSlot(services.rateLimiter, res, teamId, operation.rateLimitClass, countRejection);
      if (operation.body) await readJsonBody(req, res);
      const input = parseRequest(operation, req, services.config, headerNames);
      const reply = await operation.handler(input, { services, metrics, actor: actorOf(res) });
      if (reply.headers) for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
      sendData(res, reply.status, reply.data, reply.message);
    });
  }
  return router;
}

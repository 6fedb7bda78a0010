// Prometheus metrics of one API instance, served at GET /metrics. Each app has a Registry of its
// own (not prom-client's global one): tests run several API instances in one process.
import { registerBacklogGauges, type RateLimitClass, type Services } from '@dnc/shared';
import type { Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export type DeletionMetricOutcome = 'deleted' | 'not_found' | 'forbidden' | 'failed';
const deletionOutcomes: readonly DeletionMetricOutcome[] = ['deleted', 'not_found', 'forbidden', 'failed'];

/** The route label of a request that no Express route matched (never the raw URL). */
export const UNMATCHED_ROUTE = 'unmatched';

export interface ApiMetrics {
  registry: Registry;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
  rateLimitRejections: Counter<'class'>;
  deletions: Counter<'source' | 'outcome'>;
  /** First middleware: times every request and labels it with its route pattern. */
  middleware: RequestHandler;
  /** GET /metrics: the Prometheus text format. */
  handler: RequestHandler;
}

// Which app's metrics a response belongs to, for code that only has the response (route handlers, middleware).
const metricsByResponse = new WeakMap<Response, ApiMetrics>();

/** The metrics of the app serving this response (undefined outside createApp). */
export function metricsOf(res: Response): ApiMetrics | undefined {
  return metricsByResponse.get(res);
}

/** `base` + `path` as one pattern, without a trailing slash: `/v1/dnc` + `/:id` → `/v1/dnc/:id`. */
function joinRoute(base: string, path: string): string {
  return `${base}${path}`.replace(/\/+$/, '') || '/';
}

/**
 * Captures the matched route's full pattern. Express sets `req.route` when a route matches, while
 * `req.baseUrl` still holds the router's mount path; by the time the response finishes an error
 * may have unwound the routers and reset `req.baseUrl`, so the pattern is taken at that moment.
 */
function trackRoutePattern(req: Request): () => string | undefined {
  let route: unknown = undefined;
  let pattern: string | undefined;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: unknown) => {
      route = value;
      // A route with several paths (bull-board's page) does not say which one matched: `<mount>/*`.
      const path = (value as { path?: string | RegExp | (string | RegExp)[] } | undefined)?.path;
      if (path !== undefined) pattern = joinRoute(req.baseUrl ?? '', Array.isArray(path) ? '/*' : String(path));
    },
  });
  return () => pattern;
}

export function createApiMetrics(services: Pick<Services, 'config' | 'db' | 'bulkQueue' | 'logger'>): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requestDuration = new Histogram({
    name: 'dnc_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const rateLimitRejections = new Counter({
    name: 'dnc_rate_limit_rejections_total',
    help: 'Requests answered 429 by the rate limiter, by rate-limit class',
    labelNames: ['class'] as const,
    registers: [registry],
  });
  const deletions = new Counter({
    name: 'dnc_deletions_total',
    help: 'DNC entry deletions by source (api: DELETE /v1/dnc/{id}; bulk: the worker) and outcome',
    labelNames: ['source', 'outcome'] as const,
    registers: [registry],
  });
  // Every series exists from the start, so rate() sees the first increment.
  for (const rateLimitClass of Object.keys(services.config.rateLimit.limits) as RateLimitClass[]) {
    rateLimitRejections.inc({ class: rateLimitClass }, 0);
  }
  for (const outcome of deletionOutcomes) deletions.inc({ source: 'api', outcome }, 0);
  registerBacklogGauges(registry, services);

  const metrics: ApiMetrics = {
    registry,
    requestDuration,
    rateLimitRejections,
    deletions,
    middleware: (req, res, next) => {
      metricsByResponse.set(res, metrics);
      const routePattern = trackRoutePattern(req);
      const end = requestDuration.startTimer();
      res.once('finish', () => {
        end({ method: req.method, route: routePattern() ?? UNMATCHED_ROUTE, status: String(res.statusCode) });
      });
      next();
    },
    handler: async (_req, res) => {
      const body = await registry.metrics();
      res.setHeader('Content-Type', registry.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.end(body);
    },
  };
  return metrics;
}

/** Counts the outcome of a synchronous deletion (DELETE /v1/dnc/{id}). */
export function countApiDeletion(res: Response, outcome: DeletionMetricOutcome): void {
  metricsOf(res)?.deletions.inc({ source: 'api', outcome });
}

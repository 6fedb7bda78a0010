// Prometheus metrics of one API instance, served at GET /metrics. Each app has a Registry of its
// own (not prom-client's global one): tests run several API instances in one process.
import { BULK_QUEUE_NAME, type RateLimitClass, type Services } from '@dnc/shared';
import type { Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { sql } from 'kysely';

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

/**
 * Gauges read from Postgres and Redis when scraped: bulk items pending, the bulk queue's job
 * counts, and how far the audit relay is behind. A store that does not answer turns its gauges
 * into NaN (unknown) for that scrape, so /metrics keeps answering during an outage.
 * The worker registers the same gauges (apps/worker/src/metrics.ts); keep them in step.
 */
export function registerBacklogGauges(registry: Registry, services: Pick<Services, 'db' | 'bulkQueue' | 'logger'>): void {
  const { db, bulkQueue, logger } = services;
  const unknown = (gauge: Gauge<string>, what: string, error: unknown) => {
    logger.warn({ err: error }, `metrics: could not read ${what}`);
    gauge.set(Number.NaN);
  };

  new Gauge({
    name: 'dnc_bulk_items_pending',
    help: 'Bulk-deletion items waiting to be executed (all teams), read from Postgres when scraped',
    registers: [registry],
    async collect() {
      try {
        const result = await sql<{ count: number }>`select count(*)::int as count from bulk_job_items where status = 'pending'`.execute(db);
        this.set(result.rows[0]?.count ?? 0);
      } catch (error) {
        unknown(this, 'pending bulk items', error);
      }
    },
  });

  const states = ['waiting', 'delayed', 'active'] as const;
  new Gauge({
    name: 'dnc_queue_jobs',
    help: 'BullMQ jobs of a queue by state, read from Redis when scraped',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      try {
        const counts = await bulkQueue.getJobCounts(...states);
        for (const state of states) this.set({ queue: BULK_QUEUE_NAME, state }, counts[state] ?? 0);
      } catch (error) {
        logger.warn({ err: error }, 'metrics: could not read the queue job counts');
        for (const state of states) this.set({ queue: BULK_QUEUE_NAME, state }, Number.NaN);
      }
    },
  });

  new Gauge({
    name: 'dnc_audit_relay_lag_seconds',
    help: 'Age of the oldest audit event not yet relayed to the log stream (0 when none waits)',
    registers: [registry],
    async collect() {
      try {
        const result = await sql<{ lag: number | null }>`
          select extract(epoch from now() - occurred_at)::float8 as lag from audit_events
          where relayed_at is null order by seq limit 1`.execute(db);
        this.set(Math.max(0, result.rows[0]?.lag ?? 0));
      } catch (error) {
        unknown(this, 'the audit relay lag', error);
      }
    },
  });

  new Gauge({
    name: 'dnc_audit_unrelayed_events',
    help: 'Audit events not yet relayed to the log stream',
    registers: [registry],
    async collect() {
      try {
        const result = await sql<{ count: number }>`select count(*)::int as count from audit_events where relayed_at is null`.execute(db);
        this.set(result.rows[0]?.count ?? 0);
      } catch (error) {
        unknown(this, 'the unrelayed audit events', error);
      }
    },
  });
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

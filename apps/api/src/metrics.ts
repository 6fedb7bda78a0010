// Prometheus metrics of one API instance, served at GET /metrics: the metrics every process
// serves (packages/shared/src/service-metrics.ts) plus request durations and rate-limit rejections.
import { createServiceMetrics, type RateLimitClass, type ServiceMetrics, type Services } from '@dnc/shared';
import type { Request, RequestHandler } from 'express';
import { Counter, Histogram } from 'prom-client';

/** The route label of a request that no Express route matched (never the raw URL). */
export const UNMATCHED_ROUTE = 'unmatched';

export interface ApiMetrics extends ServiceMetrics {
  requestDuration: Histogram<'method' | 'route' | 'status'>;
  rateLimitRejections: Counter<'class'>;
  /** First middleware: times every request and labels it with its route pattern. */
  middleware: RequestHandler;
  /** GET /metrics: the Prometheus text format. */
  handler: RequestHandler;
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
  const serviceMetrics = createServiceMetrics(services, 'api');
  const { registry } = serviceMetrics;

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
  // Every series exists from the start, so rate() sees the first increment.
  for (const rateLimitClass of Object.keys(services.config.rateLimit.limits) as RateLimitClass[]) {
    rateLimitRejections.inc({ class: rateLimitClass }, 0);
  }

  return {
    ...serviceMetrics,
    requestDuration,
    rateLimitRejections,
    middleware: (req, res, next) => {
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
}

// Prometheus metrics of one API instance, served at GET /metrics: the metrics every process
// serves (packages/shared/src/service-metrics.ts) plus request durations and rate-limit rejections.
import { createServiceMetrics, type RateLimitClass, type ServiceMetrics, type Services } from '@dnc/shared';
import type { RequestHandler } from 'express';
import { Counter, Histogram } from 'prom-client';

export interface ApiMetrics extends ServiceMetrics {
  /** Times a request that was answered: its method, route pattern (never the raw URL) and status. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  countRateLimitRejection(rateLimitClass: RateLimitClass): void;
  /** GET /metrics: the Prometheus text format. */
  handler: RequestHandler;
}

/** Most series a label cache keeps (routes × methods × statuses is a few hundred): a bound, not a target. */
const MAX_CACHED_SERIES = 1_000;

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
  const rejectionsOf = new Map<RateLimitClass, Counter.Internal>();
  for (const rateLimitClass of Object.keys(services.config.rateLimit.limits) as RateLimitClass[]) {
    const child = rateLimitRejections.labels({ class: rateLimitClass });
    child.inc(0);
    rejectionsOf.set(rateLimitClass, child);
  }

  // One labelled child per series, made on its first request: the label object is not built and
  // merged again for every request.
  const durationOf = new Map<string, Histogram.Internal<'method' | 'route' | 'status'>>();
  return {
    ...serviceMetrics,
    observeRequest(method, route, status, seconds) {
      const series = `${method} ${status} ${route}`;
      let child = durationOf.get(series);
      if (!child) {
        child = requestDuration.labels({ method, route, status: String(status) });
        // Routes are patterns, methods and statuses few: the bound only guards against a surprise.
        if (durationOf.size >= MAX_CACHED_SERIES) durationOf.clear();
        durationOf.set(series, child);
      }
      child.observe(seconds);
    },
    countRateLimitRejection(rateLimitClass) {
      (rejectionsOf.get(rateLimitClass) ?? rateLimitRejections.labels({ class: rateLimitClass })).inc();
    },
    handler: async (_req, res) => {
      const body = await registry.metrics();
      res.setHeader('Content-Type', registry.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.end(body);
    },
  };
}

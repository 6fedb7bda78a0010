import type { RateLimitClass, Scope, Services } from '@dnc/shared';
import type { RequestHandler } from 'express';
import { authenticate, rateLimit } from '../http/middleware.js';
import type { ApiMetrics } from '../metrics.js';

/** The checks every /v1 route starts with, in the contract's order: key (401), scope (403), rate limit (429). */
export type Guard = (scope: Scope, rateLimitClass: RateLimitClass) => RequestHandler[];

export function createGuard(services: Services, metrics: ApiMetrics): Guard {
  return (scope, rateLimitClass) => [
    authenticate(services.apiKeys, scope),
    rateLimit(services.rateLimiter, rateLimitClass, () => metrics.rateLimitRejections.inc({ class: rateLimitClass })),
  ];
}

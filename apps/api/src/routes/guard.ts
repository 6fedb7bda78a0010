import type { RateLimitClass, Scope, Services } from '@dnc/shared';
import { authenticate, takeRateLimitSlot } from '../http/middleware.js';
import type { Request, Response } from '../http/request-context.js';
import type { ApiMetrics } from '../metrics.js';

/** The checks every /v1 route starts with, in the contract's order: key (401), scope (403), rate limit (429). */
export type Guard = (req: Request, res: Response, scope: Scope, rateLimitClass: RateLimitClass) => Promise<void>;

export function createGuard(services: Services, metrics: ApiMetrics): Guard {
  return async (req, res, scope, rateLimitClass) => {
    const { teamId } = await authenticate(services.apiKeys, req, res, scope);
    await takeRateLimitSlot(services.rateLimiter, res, teamId, rateLimitClass, () => metrics.countRateLimitRejection(rateLimitClass));
  };
}

import type { ApiKeyPrincipal } from '@dnc/shared';
import type { Request, Response } from 'express';

// What the middleware learns about a request, typed in one place.
export interface RequestContext {
  requestId: string;
  principal?: ApiKeyPrincipal;
  /** The full route pattern of a table route (`/v1/dnc/:id`), recorded when it matches: the metrics' label. */
  route?: string;
  /** Where the router that matched `req.route` is mounted, when that is not the app (the queue dashboard). */
  routeBase?: string;
}

export function contextOf(res: Response): RequestContext {
  return res.locals as RequestContext;
}

export function principalOf(res: Response): ApiKeyPrincipal {
  const principal = contextOf(res).principal;
  if (!principal) throw new Error('a route that needs a principal ran without authentication');
  return principal;
}

export function actorOf(res: Response) {
  const principal = principalOf(res);
  return { teamId: principal.teamId, apiKeyId: principal.keyId, requestId: contextOf(res).requestId };
}

export type { Request, Response };

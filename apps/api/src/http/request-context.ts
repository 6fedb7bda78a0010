import type { ApiKeyPrincipal } from '@dnc/shared';
import type { Request, Response } from 'express';

// What the middleware learns about a request, typed in one place.
export interface RequestContext {
  requestId: string;
  principal?: ApiKeyPrincipal;
}

export function contextOf(res: Response): RequestContext {
  return res.locals as RequestContext;
}

export function principalOf(res: Response): ApiKeyPrincipal {
  const principal = contextOf(res).principal;
  if (!principal) throw new Error('route is missing the authenticate middleware');
  return principal;
}

export function actorOf(res: Response) {
  const principal = principalOf(res);
  return { teamId: principal.teamId, apiKeyId: principal.keyId, requestId: contextOf(res).requestId };
}

export type { Request, Response };

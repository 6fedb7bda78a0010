// What every request gets before routing, in one middleware (each app-level layer costs a router
// step on every request): its X-Request-Id, a path Express can decode, and, once it is over, its
// duration in the metrics and one log line.
//
// The log line keeps pino-http's shape (`req`, `res`, `responseTime`, `requestId`, "request
// completed"), so log queries written for it still work. Its secret headers are censored by the
// logger module's `censorHeaders`, for its `requestLineLogger` (see there why).
import { censorHeaders, requestLineLogger, type Logger } from '@dnc/shared';
import type { Request, RequestHandler, Response } from 'express';
import type { ApiMetrics } from '../metrics.js';
import { assignRequestId } from './middleware.js';
import { contextOf, type RequestContext } from './request-context.js';

/** Health probes and metric scrapes every few seconds would drown the useful lines. */
const UNLOGGED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The route label of a request that no Express route matched (never the raw URL). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Express percent-decodes path parameters while routing, before any guard runs: a path it cannot
 * decode would fail ahead of authentication. Escaping its '%' signs lets the request route
 * normally and fail id validation in the contract's order (401 → 403 → 429 → 400).
 */
function escapeUndecodablePath(req: Request): void {
  const path = req.path;
  if (!path.includes('%')) return;
  try {
    decodeURIComponent(path);
  } catch {
    const queryStart = req.url.indexOf('?');
    const rawPath = queryStart === -1 ? req.url : req.url.slice(0, queryStart);
    req.url = rawPath.replaceAll('%', '%25') + (queryStart === -1 ? '' : req.url.slice(queryStart));
  }
}

/** `base` + `path` as one pattern, without a trailing slash: `/admin/queues` + `/api/queues`. */
function joinRoute(base: string, path: string): string {
  return `${base}${path}`.replace(/\/+$/, '') || '/';
}

/**
 * The matched route's full pattern. Table routes record theirs (routes/mount.ts); for the others,
 * Express leaves the matched route on `req.route` (its path relative to the router that holds it,
 * whose mount path a router under a prefix records as `routeBase`).
 */
function routePatternOf(req: Request, context: RequestContext): string {
  if (context.route !== undefined) return context.route;
  const path = (req.route as { path?: string | RegExp | (string | RegExp)[] } | undefined)?.path;
  if (path === undefined) return UNMATCHED_ROUTE;
  // A route with several paths (bull-board's page) does not say which one matched: `<mount>/*`.
  return joinRoute(context.routeBase ?? '', Array.isArray(path) ? '/*' : String(path));
}

export function trackRequests(serviceLogger: Logger, metrics: Pick<ApiMetrics, 'observeRequest'>): RequestHandler {
  const logger = requestLineLogger(serviceLogger);
  return (req, res, next) => {
    escapeUndecodablePath(req);
    const started = performance.now();
    const context = contextOf(res);
    const sentId = req.headers['x-request-id'];
    const requestId = assignRequestId(typeof sentId === 'string' ? sentId : undefined);
    context.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    // Read now: by the time the response is over, an error may have unwound the routers, and
    // the socket of a client that left has no remote address any more.
    const { method, originalUrl: url } = req;
    const remoteAddress = req.socket.remoteAddress;
    const logged = !UNLOGGED_PATHS.has(req.url);
    // 'close' comes once (no `once` wrapper needed): after 'finish' when the response was sent, or
    // alone when the client left first.
    res.on('close', () => {
      const elapsedMs = performance.now() - started;
      const finished = res.writableFinished;
      // A response the client abandoned has no status that was sent: it is not timed.
      if (finished) metrics.observeRequest(method, routePatternOf(req, context), res.statusCode, elapsedMs / 1000);
      if (logged) logRequest(logger, req, res, requestId, elapsedMs, { method, url, remoteAddress, finished });
    });
    next();
  };
}

function logRequest(
  logger: Logger,
  req: Request,
  res: Response,
  requestId: string,
  elapsedMs: number,
  { method, url, remoteAddress, finished }: { method: string; url: string; remoteAddress: string | undefined; finished: boolean },
): void {
  const line = {
    requestId,
    req: { method, url, headers: censorHeaders(req.headers), remoteAddress },
    // An abandoned response sent no status: none is claimed.
    res: { statusCode: finished || res.headersSent ? res.statusCode : null },
    responseTime: Math.round(elapsedMs),
  };
  if (!finished) logger.info(line, 'request aborted');
  else if (res.statusCode >= 500) logger.info(line, 'request errored');
  else logger.info(line, 'request completed');
}

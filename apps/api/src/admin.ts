// /admin/queues: the bull-board dashboard of the bulk-deletion queue shards, for operators. Mounted only
// when ADMIN_TOKEN is set, and only behind it. bull-board is loaded on the first request that
// presents the token: an API that never serves the dashboard never holds it in memory.
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError, type Services } from '@dnc/shared';
import { Router, type Express, type RequestHandler } from 'express';
import { contextOf } from './http/request-context.js';

export const ADMIN_QUEUES_PATH = '/admin/queues';

/** The 401's challenges: Basic for browsers (their login prompt; the token is the password), Bearer for scripts. */
export const ADMIN_CHALLENGES = ['Basic realm="admin", charset="UTF-8"', 'Bearer realm="admin"'];

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The token a request presents: `Bearer <token>`, or the password of `Basic` (what a browser sends after its login prompt). */
function presentedToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer +(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic +([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic?.[1]) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/**
 * Lets through requests that present the admin token (compared in constant time). Otherwise the
 * contract's 401s: missing_api_key without a token, invalid_api_key with a wrong one.
 */
export function requireAdminToken(adminToken: string): RequestHandler {
  const expected = digest(adminToken);
  return (req, res, next) => {
    const token = presentedToken(req.headers.authorization);
    // Equal-length digests: the comparison takes the same time whatever the token's length.
    if (token !== undefined && timingSafeEqual(digest(token), expected)) {
      next();
      return;
    }
    // One challenge per header line: a browser reads only the first challenge of a line, and it
    // cannot answer Bearer, so a combined line never brought up its login prompt. Basic comes first.
    res.setHeader('WWW-Authenticate', ADMIN_CHALLENGES);
    res.setHeader('Cache-Control', 'no-store');
    if (token === undefined) throw new AppError('missing_api_key', 'Send the admin token as "Authorization: Bearer <ADMIN_TOKEN>"');
    throw new AppError('invalid_api_key', 'The admin token is wrong');
  };
}

/** The dashboard's Express app, with bull-board loaded now. */
async function loadDashboard(services: Pick<Services, 'bulkQueue'>): Promise<Express> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
  ]);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    // Read-only: the drainer paces its own jobs; removing or promoting one by hand only confuses it.
    // One queue per shard (BULK_QUEUE_SHARDS), each named bulk-delete-<k>.
    queues: services.bulkQueue.queues.map(
      (queue, shard) =>
        new BullMQAdapter(queue, {
          readOnlyMode: true,
          description: `Drainer jobs of the teams on shard ${shard} of ${services.bulkQueue.shards}`,
        }),
    ),
    serverAdapter,
  });
  const board = serverAdapter.getRouter() as Express;
  // The same response headers as the rest of the API.
  board.disable('x-powered-by');
  board.set('etag', false);
  return board;
}

/** The dashboard behind the token, or undefined when ADMIN_TOKEN is not set (the path then answers 404). */
export function adminQueuesRouter(services: Pick<Services, 'config' | 'bulkQueue'>): Router | undefined {
  const { adminToken } = services.config;
  if (!adminToken) return undefined;
  let dashboard: Promise<Express> | undefined;
  const router = Router();
  router.use(requireAdminToken(adminToken), async (req, res, next) => {
    // The dashboard's routes are relative to this mount point: the metrics' route label needs it.
    contextOf(res).routeBase = req.baseUrl;
    dashboard ??= loadDashboard(services).catch((error: unknown) => {
      // A failed load is tried again by the next request.
      dashboard = undefined;
      throw error;
    });
    (await dashboard)(req, res, next);
  });
  return router;
}

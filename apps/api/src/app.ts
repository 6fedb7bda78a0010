import { readinessReport, type Services } from '@dnc/shared';
import express, { type Express } from 'express';
import { ADMIN_QUEUES_PATH, adminQueuesRouter } from './admin.js';
import { assignRequestId, errorHandler, routeNotFound } from './http/middleware.js';
import { contextOf } from './http/request-context.js';
import { logRequests } from './http/request-log.js';
import { createApiMetrics } from './metrics.js';
import { mountApiDocs } from './openapi/docs.js';
import { v1Router } from './routes/mount.js';
import { V1_PREFIX } from './routes/operation.js';
import { v1Operations } from './routes/table.js';

export function createApp(services: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  // Clients poll job status; a 304 would hide changes from naive clients and save little.
  app.set('etag', false);
  app.set('query parser', 'simple');

  // Express percent-decodes path parameters while routing, before any guard runs: a path it
  // cannot decode would fail ahead of authentication. Escaping its '%' signs lets the request
  // route normally and fail id validation in the contract's order (401 → 403 → 429 → 400).
  app.use((req, _res, next) => {
    try {
      decodeURIComponent(req.path);
    } catch {
      const queryStart = req.url.indexOf('?');
      const path = queryStart === -1 ? req.url : req.url.slice(0, queryStart);
      req.url = path.replaceAll('%', '%25') + (queryStart === -1 ? '' : req.url.slice(queryStart));
    }
    next();
  });

  const metrics = createApiMetrics(services);
  app.use(metrics.middleware);
  app.use((req, res, next) => {
    const requestId = assignRequestId(req.header('x-request-id'));
    contextOf(res).requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    next();
  });
  app.use(logRequests(services.logger));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const readiness = await readinessReport(services);
    res.status(readiness.ready ? 200 : 503).json({ status: readiness.ready ? 'ready' : 'unavailable', checks: readiness.checks });
  });
  app.get('/metrics', metrics.handler);
  const adminQueues = adminQueuesRouter(services);
  if (adminQueues) app.use(ADMIN_QUEUES_PATH, adminQueues);

  mountApiDocs(app, services.config);

  // The contract has no OPTIONS routes (no CORS): Express would otherwise answer them itself,
  // unauthenticated. They are unknown routes like any other.
  app.use(V1_PREFIX, (req, res, next) => (req.method === 'OPTIONS' ? routeNotFound(req, res, next) : next()));
  app.use(V1_PREFIX, v1Router(v1Operations, services, metrics));
  app.use(routeNotFound);
  app.use(errorHandler(services.logger));
  return app;
}

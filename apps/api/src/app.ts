import { readinessReport, type Services } from '@dnc/shared';
import express, { type Express } from 'express';
import { ADMIN_QUEUES_PATH, adminQueuesRouter } from './admin.js';
import { errorHandler, routeNotFound } from './http/middleware.js';
import { trackRequests } from './http/request-tracking.js';
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

  const metrics = createApiMetrics(services);
  app.use(trackRequests(services.logger, metrics));
  // Every app-level layer is a router step for each request that reaches it: the /v1 routes, the
  // traffic that matters, come first. No other path starts with /v1, so the order changes no answer.
  app.use(V1_PREFIX, v1Router(v1Operations, services, metrics));

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

  app.use(routeNotFound);
  app.use(errorHandler(services.logger));
  return app;
}

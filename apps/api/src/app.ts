import { dependenciesReady, type Services } from '@dnc/shared';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { assignRequestId, errorHandler, routeNotFound } from './http/middleware';
import { contextOf } from './http/request-context';
import { bulkDeleteRouter } from './routes/bulk-delete';
import { dncRouter } from './routes/dnc';
import { createGuard } from './routes/guard';

export function createApp(services: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  // Clients poll job status; a 304 would hide changes from naive clients and save little.
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const requestId = assignRequestId(req.header('x-request-id'));
    contextOf(res).requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    next();
  });
  app.use(
    pinoHttp({
      logger: services.logger,
      genReqId: (_req, res) => contextOf(res as express.Response).requestId,
      customProps: (_req, res) => ({ requestId: contextOf(res as express.Response).requestId }),
      // Health probes every few seconds would drown the useful lines.
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks = await dependenciesReady(services);
    const ready = checks.postgres && checks.redis;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });

  const guard = createGuard(services);
  app.use('/v1/dnc/bulk-delete', bulkDeleteRouter(services, guard));
  app.use('/v1/dnc', dncRouter(services, guard));
  app.use(routeNotFound);
  app.use(errorHandler(services.logger));
  return app;
}

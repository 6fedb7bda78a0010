// The worker's small HTTP server for operations: GET /metrics, /healthz and /readyz.
// Plain node:http — three fixed routes need no framework.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readinessReport, type Services } from '@dnc/shared';
import type { Registry } from 'prom-client';

export interface WorkerHttpServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startWorkerHttpServer(
  services: Pick<Services, 'db' | 'redis' | 'logger'>,
  registry: Registry,
  port: number,
): Promise<WorkerHttpServer> {
  const send = (res: ServerResponse, status: number, contentType: string, body: string) => {
    res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, body: unknown) =>
    send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return json(res, 405, { error: 'method_not_allowed', message: `${req.method} is not allowed here`, data: null });
    }
    const handle = async () => {
      switch (path) {
        case '/healthz':
          return json(res, 200, { status: 'ok' });
        case '/readyz': {
          const readiness = await readinessReport(services);
          return json(res, readiness.ready ? 200 : 503, { status: readiness.ready ? 'ready' : 'unavailable', checks: readiness.checks });
        }
        case '/metrics':
          return send(res, 200, registry.contentType, await registry.metrics());
        default:
          return json(res, 404, { error: 'not_found', message: `No route for ${req.method} ${path}`, data: null });
      }
    };
    handle().catch((error: unknown) => {
      services.logger.error({ err: error, path }, 'worker HTTP request failed');
      if (!res.headersSent) json(res, 500, { error: 'internal_error', message: 'An unexpected error occurred', data: null });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => services.logger.warn({ err: error }, 'worker HTTP server error'));
  const bound = (server.address() as AddressInfo).port;
  return {
    server,
    port: bound,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
    },
  };
}

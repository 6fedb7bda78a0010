import { once } from 'node:events';
import { checkDependencies, createServices, exitOnBootFailure, loadConfigOrExit, onShutdownSignal } from '@dnc/shared';
import { createApp } from './app.js';
import { attachClientErrorHandler } from './http/client-error.js';

async function main() {
  const config = loadConfigOrExit();
  const services = createServices(config, { name: 'api' });
  await checkDependencies(services).catch(async (error: unknown) => {
    await services.close();
    exitOnBootFailure(error);
  });
  const server = createApp(services).listen(config.port);
  attachClientErrorHandler(server, services.logger);
  await once(server, 'listening');
  const address = server.address();
  services.logger.info({ port: typeof address === 'object' && address ? address.port : config.port }, 'API listening');

  onShutdownSignal(services.logger, async () => {
    // Stop accepting, let in-flight requests finish, then close the pools.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    await services.close();
  });
}

main().catch(exitOnBootFailure);

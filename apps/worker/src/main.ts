import {
  checkDependencies,
  createAuditLogStream,
  createServiceMetrics,
  createServices,
  exitOnBootFailure,
  loadConfigOrExit,
  onShutdownSignal,
} from '@dnc/shared';
import { startAuditRelay } from './audit-relay.js';
import { startDrainer } from './drainer.js';
import { startWorkerHttpServer } from './http-server.js';

async function main() {
  const config = loadConfigOrExit();
  const services = createServices(config, { name: 'worker' });
  await checkDependencies(services).catch(async (error: unknown) => {
    await services.close();
    exitOnBootFailure(error);
  });
  const metrics = createServiceMetrics(services, 'bulk');
  const http = await startWorkerHttpServer(services, metrics.registry, config.workerMetricsPort).catch(async (error: unknown) => {
    await services.close();
    exitOnBootFailure(new Error(`Cannot listen on WORKER_METRICS_PORT ${config.workerMetricsPort}: ${(error as Error).message}`));
  });
  services.logger.info({ port: http.port }, 'worker metrics listening');
  const auditRelay = startAuditRelay(services.db, services.logger, config.auditRelayIntervalMs, createAuditLogStream('worker'));
  const drainer = startDrainer(services, {
    lockDurationMs: config.workerLockDurationMs,
    onItemOutcomes: (outcomes) => metrics.countDeletions(outcomes),
  });
  services.logger.info({ concurrency: config.workerConcurrency }, 'worker started');

  onShutdownSignal(services.logger, async () => {
    await drainer.stop();
    await auditRelay.stop();
    // Probes and scrapes are answered until the work has stopped.
    await http.close();
    await services.close();
  });
}

main().catch(exitOnBootFailure);

import { checkDependencies, createServices, exitOnBootFailure, loadConfigOrExit, onShutdownSignal } from '@dnc/shared';
import { startAuditRelay } from './audit-relay';
import { startDrainer } from './drainer';

async function main() {
  const config = loadConfigOrExit();
  const services = createServices(config, { name: 'worker' });
  await checkDependencies(services).catch(async (error: unknown) => {
    await services.close();
    exitOnBootFailure(error);
  });
  const auditRelay = startAuditRelay(services.db, services.logger, config.auditRelayIntervalMs);
  const drainer = startDrainer(services, { lockDurationMs: config.workerLockDurationMs });
  services.logger.info({ concurrency: config.workerConcurrency }, 'worker started');

  onShutdownSignal(services.logger, async () => {
    await drainer.stop();
    await auditRelay.stop();
    await services.close();
  });
}

main().catch(exitOnBootFailure);

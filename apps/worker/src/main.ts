import { checkDependencies, createServices, exitOnBootFailure, loadConfigOrExit, onShutdownSignal } from '@dnc/shared';
import { startAuditRelay } from './audit-relay';

async function main() {
  const config = loadConfigOrExit();
  const services = createServices(config, { name: 'worker' });
  await checkDependencies(services).catch(async (error: unknown) => {
    await services.close();
    exitOnBootFailure(error);
  });
  const auditRelay = startAuditRelay(services.db, services.logger, config.auditRelayIntervalMs);
  services.logger.info('worker started');

  onShutdownSignal(services.logger, async () => {
    await auditRelay.stop();
    await services.close();
  });
}

main().catch(exitOnBootFailure);

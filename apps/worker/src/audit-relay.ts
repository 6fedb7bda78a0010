import { isDependencyUnavailable, relayAuditEvents, type Db, type Logger } from '@dnc/shared';

/**
 * Polls for unrelayed audit rows and streams them to the log (pino, `audit: true`).
 * Drains in a loop while there is a backlog, then sleeps for `intervalMs`.
 */
export function startAuditRelay(db: Db, logger: Logger, intervalMs: number) {
  const auditLogger = logger.child({ component: 'audit' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const tick = async () => {
    try {
      while (!stopped && (await relayAuditEvents(db, auditLogger)) > 0) {
        // keep draining
      }
    } catch (error) {
      // An outage is reported once by the outage log; anything else is worth a warning each time.
      logger[isDependencyUnavailable(error) ? 'debug' : 'warn']({ err: error }, 'audit relay failed; will retry');
    }
    if (!stopped) timer = setTimeout(() => (running = tick()), intervalMs);
  };
  running = tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

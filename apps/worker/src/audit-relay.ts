import { relayAuditEvents, type Db, type Logger } from '@dnc/shared';
import { startPeriodic, type PeriodicTask } from './periodic.js';

/**
 * Polls for unrelayed audit rows and streams them to the log (pino, `audit: true`).
 * Drains in a loop while there is a backlog, then sleeps for `intervalMs`.
 */
export function startAuditRelay(db: Db, logger: Logger, intervalMs: number): PeriodicTask {
  const auditLogger = logger.child({ component: 'audit' });
  return startPeriodic({
    intervalMs,
    logger,
    failureMessage: 'audit relay failed; will retry',
    async run(signal) {
      while (!signal.aborted && (await relayAuditEvents(db, auditLogger)) > 0) {
        // keep draining
      }
    },
  });
}

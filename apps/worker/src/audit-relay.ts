import { relayAuditEvents, type AuditLogStream, type Db, type Logger } from '@dnc/shared';
import { startPeriodic, type PeriodicTask } from './periodic.js';

/**
 * Polls for unrelayed audit rows and streams them to the log (pino, `audit: true`): to the given
 * audit log stream (createAuditLogStream), or else through a child of `logger`.
 * Drains in a loop while there is a backlog, then sleeps for `intervalMs`.
 */
export function startAuditRelay(db: Db, logger: Logger, intervalMs: number, auditLog?: AuditLogStream): PeriodicTask {
  const stream: AuditLogStream = auditLog ?? { logger: logger.child({ component: 'audit' }), flush: () => undefined };
  return startPeriodic({
    intervalMs,
    logger,
    failureMessage: 'audit relay failed; will retry',
    async run(signal) {
      while (!signal.aborted && (await relayAuditEvents(db, stream)) > 0) {
        // keep draining
      }
    },
  });
}

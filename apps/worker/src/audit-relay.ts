import { relayAuditEvents, type AuditLogStream, type Db, type Logger } from '@dnc/shared';
import { startPeriodic, type PeriodicTask } from './periodic.js';

export interface AuditRelayOptions {
  /** Where events go (createAuditLogStream); a child of the worker's logger by default. */
  auditLog?: AuditLogStream;
  /**
   * True while the worker executes bulk batches: the relay then sends one page per interval and
   * leaves Postgres to the deletions, and drains the rest of its backlog once they pause.
   */
  isBusy?: () => boolean;
}

/**
 * Polls for unrelayed audit rows and streams them to the log (pino, `audit: true`). Drains in a
 * loop while there is a backlog (one page per run while `isBusy`), then sleeps for `intervalMs`.
 * Relaying stays at least once and in order; only its lag grows during a burst of deletions.
 */
export function startAuditRelay(db: Db, logger: Logger, intervalMs: number, options: AuditRelayOptions = {}): PeriodicTask {
  const { auditLog, isBusy = () => false } = options;
  const stream: AuditLogStream = auditLog ?? { logger: logger.child({ component: 'audit' }), flush: () => undefined };
  return startPeriodic({
    intervalMs,
    logger,
    failureMessage: 'audit relay failed; will retry',
    async run(signal) {
      while (!signal.aborted && (await relayAuditEvents(db, stream)) > 0 && !isBusy()) {
        // keep draining
      }
    },
  });
}

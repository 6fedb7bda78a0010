import { relayAuditEvents, type AuditLogStream, type Db, type Logger } from '@dnc/shared';
import { startPeriodic, type PeriodicTask } from './periodic.js';

/** Events in the relay's first page after a pause, and the most it takes at once while behind. */
const FIRST_PAGE = 500;
const MAX_PAGE = 4_000;

/**
 * Polls for unrelayed audit rows and streams them to the log (pino, `audit: true`): to the given
 * audit log stream (createAuditLogStream), or else through a child of `logger`.
 * Drains in a loop while there is a backlog (in growing pages), then sleeps for `intervalMs`.
 */
export function startAuditRelay(db: Db, logger: Logger, intervalMs: number, auditLog?: AuditLogStream): PeriodicTask {
  const stream: AuditLogStream = auditLog ?? { logger: logger.child({ component: 'audit' }), flush: () => undefined };
  return startPeriodic({
    intervalMs,
    logger,
    failureMessage: 'audit relay failed; will retry',
    async run(signal) {
      // A full page says a backlog waits: the next page is twice as large, up to MAX_PAGE, so
      // that the relay keeps pace with the bulk drain (a page's round trips and commit are paid
      // once for all its events) rather than fall further behind while batches run.
      let page = FIRST_PAGE;
      for (;;) {
        if (signal.aborted) return;
        const relayed = await relayAuditEvents(db, stream, page);
        if (relayed === 0) return;
        page = relayed >= page ? Math.min(page * 2, MAX_PAGE) : FIRST_PAGE;
      }
    },
  });
}

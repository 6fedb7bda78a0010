import { auditLogStreamOf, relayAuditEvents, type AuditLogStream, type Db, type Logger } from '@dnc/shared';
import { startPeriodic, type PeriodicTask } from './periodic.js';

/** Events in the relay's first page after a pause, and the most it takes at once while behind. */
const FIRST_PAGE = 500;
const MAX_PAGE = 4_000;

/**
 * Polls for unrelayed audit rows and streams them to the log (pino, `audit: true`): to the given
 * audit log stream (createAuditLogStream), or else through a child of `logger`.
 * Drains in a loop while pages come back full (growing pages), then sleeps for `intervalMs`.
 */
export function startAuditRelay(db: Db, logger: Logger, intervalMs: number, auditLog?: AuditLogStream): PeriodicTask {
  const stream: AuditLogStream = auditLog ?? auditLogStreamOf(logger.child({ component: 'audit' }));
  return startPeriodic({
    intervalMs,
    logger,
    failureMessage: 'audit relay failed; will retry',
    async run(signal) {
      // A full page says a backlog waits: the next page is twice as large, up to MAX_PAGE, so
      // that the relay keeps pace with the bulk drain (a page's round trips and commit are paid
      // once for all its events) rather than fall further behind while batches run.
      // A page that is not full has taken every event committed when it ran: the relay has caught
      // up and sleeps, rather than read again at once for the few events committed meanwhile (in
      // the issue 11 profile of the bulk drain, a relay that kept reading ran a transaction for
      // every hundred-odd events, and an empty one to end each run).
      let page = FIRST_PAGE;
      for (;;) {
        if (signal.aborted) return;
        const relayed = await relayAuditEvents(db, stream, page);
        if (relayed < page) return;
        page = Math.min(page * 2, MAX_PAGE);
      }
    },
  });
}

import { auditLogStreamOf, relayAuditEvents, type AuditLogStream, type Db, type Logger } from '@dnc/shared';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPeriodic, type PeriodicTask } from './periodic.js';

/** Events in the relay's first page after a pause, and the most it takes at once while behind. */
const FIRST_PAGE = 500;
const MAX_PAGE = 4_000;
/** How long the relay waits for more events after a page that was not full. */
const CATCH_UP_PAUSE_MS = 100;

/**
 * Polls for unrelayed audit rows and streams them to the log (pino, `audit: true`): to the given
 * audit log stream (createAuditLogStream), or else through a child of `logger`.
 * Drains in a loop (pages growing while they come back full, 100 ms apart once they do not) until
 * a page comes back empty, then sleeps for `intervalMs`.
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
      // A page that is not full has taken every event committed when it ran: the relay waits a
      // moment for more before it reads again, so that while events keep coming (a bulk drain)
      // each page carries what 100 ms brought, not the few committed while the last one ran (in
      // the issue 11 profile of the bulk drain, reading again at once ran a transaction for
      // every hundred-odd events). An empty page ends the run until the next interval.
      let page = FIRST_PAGE;
      for (;;) {
        if (signal.aborted) return;
        const relayed = await relayAuditEvents(db, stream, page);
        if (relayed === 0) return;
        if (relayed < page) {
          page = FIRST_PAGE;
          const waited = await sleep(CATCH_UP_PAUSE_MS, true, { signal }).catch(() => false);
          if (!waited) return;
        } else {
          page = Math.min(page * 2, MAX_PAGE);
        }
      }
    },
  });
}

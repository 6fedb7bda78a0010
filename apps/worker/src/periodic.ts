// The worker's background loops (the reconciler, the audit relay) run and stop the same way:
// one run at start, the next `intervalMs` after the previous one ended (never two at once), and
// stop() waits for the run in progress, so nothing touches a store after the process closed it.
import { isDependencyUnavailable, type Logger } from '@dnc/shared';

export interface PeriodicTaskOptions {
  intervalMs: number;
  logger: Logger;
  /** Logged when a run throws; the loop goes on. */
  failureMessage: string;
  /** One run. `signal` is aborted by stop(): a run that loops checks it between steps. */
  run: (signal: AbortSignal) => Promise<unknown>;
}

export interface PeriodicTask {
  /** No new run starts; resolves when the one in progress, if any, has ended. */
  stop(): Promise<void>;
}

export function startPeriodic(options: PeriodicTaskOptions): PeriodicTask {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void>;
  const tick = async () => {
    try {
      await options.run(stopping.signal);
    } catch (error) {
      // An outage is reported once by the outage log; anything else is worth a warning each time.
      options.logger[isDependencyUnavailable(error) ? 'debug' : 'warn']({ err: error }, options.failureMessage);
    }
    if (!stopping.signal.aborted) timer = setTimeout(() => (current = tick()), options.intervalMs);
  };
  current = tick();
  return {
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await current;
    },
  };
}

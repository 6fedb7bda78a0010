import type { Logger } from './logger.js';

/**
 * Runs `shutdown` once on the first SIGTERM/SIGINT, then exits. A second signal, or a shutdown
 * that takes longer than `forceAfterMs`, exits at once.
 */
export function onShutdownSignal(logger: Logger, shutdown: () => Promise<void>, forceAfterMs = 15_000): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown took too long: exiting');
      process.exit(1);
    }, forceAfterMs).unref();
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

/** For entry points: a boot failure is one line on stderr and exit code 1, not a stack trace. */
export function exitOnBootFailure(error: unknown): never {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

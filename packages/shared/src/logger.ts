import type { IncomingHttpHeaders } from 'node:http';
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Request headers whose values never reach a log line. */
const SECRET_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'x-api-key'];
const CENSOR = '[redacted]';

// Secrets never reach a log line, whatever object a caller happens to log.
const REDACT_PATHS = [
  ...SECRET_HEADERS.map((name) => `req.headers["${name}"]`),
  'headers.authorization',
  'authorization',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
];

export function createLogger(options: { level: LoggerOptions['level']; name: string }, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? stdoutLines(),
  );
}

/**
 * The logger of the one line each request ends with, whose only secrets are request headers:
 * give it headers through `censorHeaders`. The path redaction of every other line clones the
 * objects it walks, and on the request line that was a fifth of the API's memory allocated per
 * request, so this child has none; censoring the headers while copying them does its work.
 */
export function requestLineLogger(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: [], censor: CENSOR } });
}

/** A copy of a request's headers for a log line, each secret one's value censored (see `requestLineLogger`). */
export function censorHeaders(headers: IncomingHttpHeaders): Record<string, string | string[] | undefined> {
  const copy: Record<string, string | string[] | undefined> = {};
  for (const name in headers) copy[name] = SECRET_HEADERS.includes(name) ? CENSOR : headers[name];
  return copy;
}

/**
 * Standard output, written asynchronously in batches: lines gather until 12 KiB or 100 ms, whichever
 * comes first, then go out in one write. A synchronous write per line was one more system call
 * per request (on a busy 2-core machine the API's costliest after its Postgres and Redis calls)
 * and blocked the event loop whenever the reader of the output (a log shipper, a terminal) fell
 * behind. Whatever is still buffered is written synchronously when the process exits (pino's
 * exit hook), so a shutdown or a crash loses no line; only a SIGKILL can lose the last 100 ms.
 *
 * The destination is sonic-boom itself, so pino's flush() and its exit hook reach it. (Its
 * 'buffer' content mode, behind a wrapper, allocated a little less per line, but the wrapper hid
 * flush() from pino, and while idle it wrote an empty buffer every 100 ms.)
 */
function stdoutLines(): pino.DestinationStream {
  // 12 KiB: below sonic-boom's largest single write (16 KiB), so a batch is always one write.
  return pino.destination({ dest: 1, sync: false, minLength: 12 * 1024, periodicFlush: 100 });
}

// Waiting in tests. A test waits for a state by polling for it (`waitUntil`), with a deadline that
// only catches a state that never comes, so that a busy machine makes a test slower, never red.
// `sleep` is for spacing traffic out on purpose, or for giving a wrong behaviour the time to show.

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface WaitOptions {
  /** Gives up after this long (default 20 s: far beyond what any awaited state needs, below the 30 s test timeout). */
  timeoutMs?: number;
  /** Pause between two probes (default 50 ms). */
  intervalMs?: number;
  /** What was awaited, for the error on timeout; a function is called then, to tell the last state seen. */
  what?: string | (() => string);
}

/**
 * Calls `probe` until it returns something other than false, undefined or null, and returns that.
 * Throws on timeout, saying what was awaited.
 */
export async function waitUntil<T>(probe: () => Promise<T | false | undefined | null>, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 20_000, intervalMs = 50, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== false && value !== undefined && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${typeof what === 'function' ? what() : what} not met within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/**
 * The promise's outcome, or an error if it has not settled within `timeoutMs`: for an answer that
 * must come rather than hang. The bound is generous, so that only a hang trips it; how fast the
 * answer comes is measured by `pnpm bench`, not asserted by a test.
 */
export async function settlesWithin<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no outcome within ${timeoutMs} ms (a hang)`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

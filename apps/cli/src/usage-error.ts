/**
 * A mistake in how the CLI was called, bad input, or a failure to report: printed as its
 * message alone (no stack), and the process exits with `exitCode`.
 */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

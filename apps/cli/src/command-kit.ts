// What every user command shares: the connection options, the API handles, reading arguments
// and files, and saying a failure in one line.
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createDncClient, DncApiError, type DncClient } from '@dnc/client';
import { DEFAULT_BASE_URL, resolveConnection } from './cli-config.js';
import { formatCount } from './progress.js';
import { UsageError } from './usage-error.js';

export const CONNECTION_HELP = `  --json             print exactly one JSON line on stdout (nothing else)
  --base-url <url>   the API (default: DNC_BASE_URL, else ${DEFAULT_BASE_URL})
  --api-key <key>    an API key of the team (default: DNC_API_KEY)
  --help, -h         this help`;

export const connectionOptions = {
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** One line for any failure of an API call. */
export function describeFailure(error: unknown): string {
  if (error instanceof DncApiError) {
    const details = (error.details ?? [])
      .slice(0, 3)
      .map((detail) => `${detail.path} ${detail.message}`)
      .join('; ');
    const context = [error.code, `HTTP ${error.status}`, error.requestId ? `request ${error.requestId}` : undefined].filter(Boolean);
    return `${error.message}${details ? ` — ${details}` : ''} (${context.join(', ')})`;
  }
  return error instanceof Error ? error.message : String(error);
}

type ConnectionFlags = { 'base-url'?: string | undefined; 'api-key'?: string | undefined };

/** The typed client, on the connection the flags (or DNC_BASE_URL / DNC_API_KEY) name. */
export function connect(values: ConnectionFlags): DncClient {
  const connection = resolveConnection({ baseUrl: values['base-url'], apiKey: values['api-key'] });
  // 429 is expected when a command sends many requests (bulk submissions, --all): wait it out.
  return createDncClient({ ...connection, retry: { maxAttempts: 5, maxDelayMs: 60_000 } });
}

/** parseArgs, with its errors (unknown option, missing value) said as a usage error pointing at the help. */
export function parseCommand<O extends ParseArgsConfig['options']>(args: string[], options: O, command: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see "pnpm cli ${command} --help")`);
  }
}

export function onlyPositional(positionals: string[], command: string, what: string): string {
  const [value, ...extra] = positionals;
  if (!value) throw new UsageError(`${what} is required (see "pnpm cli ${command} --help")`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}" (see "pnpm cli ${command} --help")`);
  return value;
}

export function noPositional(positionals: string[], command: string): void {
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}" (see "pnpm cli ${command} --help")`);
}

export async function readTextFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    throw new UsageError(`Cannot read ${path}: ${reason}`);
  }
}

/** A whole-number option within bounds, or undefined when not given. */
export function wholeNumber(option: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(parsed >= min && parsed <= max)) throw new UsageError(`--${option} must be a whole number from ${min} to ${max} (got "${value}")`);
  return parsed;
}

export const plural = (count: number, word: string, words = `${word}s`) => `${formatCount(count)} ${count === 1 ? word : words}`;

export const printJson = (value: unknown) => console.log(JSON.stringify(value));

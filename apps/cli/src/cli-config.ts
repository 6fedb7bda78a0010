// The user CLI's config module: the one place the user commands (bulk-delete, check, add) read
// the environment. They talk to the API over HTTP and need only its address and a key, so they
// do not go through loadConfig() in packages/shared/src/config.ts, which describes the service's
// own processes (Postgres, Redis, limits) and would reject or ignore these two variables.
import { UsageError } from './usage-error.js';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:3000';

export interface CliConnection {
  baseUrl: string;
  apiKey: string;
}

/** `DNC_BASE_URL` and `DNC_API_KEY` (empty means unset). */
export function readCliEnvironment(): { baseUrl: string | undefined; apiKey: string | undefined } {
  // eslint-disable-next-line no-restricted-properties
  const { DNC_BASE_URL, DNC_API_KEY } = process.env;
  return { baseUrl: DNC_BASE_URL || undefined, apiKey: DNC_API_KEY || undefined };
}

/** Flags win over the environment; the base URL defaults to a local API. */
export function resolveConnection(
  flags: { baseUrl?: string | undefined; apiKey?: string | undefined },
  env = readCliEnvironment(),
): CliConnection {
  const baseUrl = flags.baseUrl || env.baseUrl || DEFAULT_BASE_URL;
  const apiKey = flags.apiKey || env.apiKey;
  let parsed: URL | undefined;
  try {
    parsed = new URL(baseUrl);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new UsageError(`--base-url must be an http(s) URL such as ${DEFAULT_BASE_URL} (got "${baseUrl}")`);
  }
  if (!apiKey)
    throw new UsageError('An API key is required: pass --api-key <key> or set DNC_API_KEY (make one with "pnpm cli keys create")');
  return { baseUrl, apiKey };
}

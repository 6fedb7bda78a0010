// Operator commands: `pnpm cli keys create|revoke|list`. Talk to Postgres directly (DATABASE_URL).
import { parseArgs } from 'node:util';
import {
  ApiKeyService,
  AppError,
  createDb,
  displayUrl,
  howToStart,
  isDependencyUnavailable,
  loadConfigOrExit,
  scopes as allScopes,
  type Scope,
} from '@dnc/shared';
import { UsageError } from './usage-error.js';

const HELP = {
  create: `Usage: pnpm cli keys create --team <teamId> [--name <name>] [--scopes dnc:read,dnc:write] [--json]

Creates an API key for the team (creating the team if it does not exist) and prints it.
The secret is shown this one time only; the service stores just a keyed hash of it.
  --team     team id, e.g. team_acme (required)
  --name     a label for the key
  --scopes   comma-separated, from: ${allScopes.join(', ')} (default: all)
  --json     print exactly one JSON line: {"teamId","keyId","apiKey","scopes"}`,
  revoke: `Usage: pnpm cli keys revoke <keyId>

Revokes the key. Every API process stops accepting it within 5 seconds.`,
  list: `Usage: pnpm cli keys list --team <teamId> [--json]

Lists the team's keys (never their secrets).`,
};

function parseScopes(value: string | undefined): Scope[] {
  if (value === undefined) return [...allScopes];
  const requested = value
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
  const unknown = requested.filter((scope) => !(allScopes as readonly string[]).includes(scope));
  if (unknown.length > 0 || requested.length === 0) {
    throw new UsageError(`--scopes must be a comma-separated list of ${allScopes.join(', ')} (got "${value}")`);
  }
  return requested as Scope[];
}

/** `args` is what follows `keys`; `mainHelp` is printed for `keys` alone or an unknown subcommand. */
export async function runKeys(args: string[], mainHelp: string): Promise<void> {
  const [command, ...rest] = args;
  if (command !== 'create' && command !== 'revoke' && command !== 'list') {
    if (command === undefined || command === '--help') {
      console.log(mainHelp);
      return;
    }
    throw new UsageError(`Unknown command "keys ${args.join(' ')}"\n\n${mainHelp}`);
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      team: { type: 'string' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP[command]);
    return;
  }

  const config = loadConfigOrExit();
  const db = createDb(config.databaseUrl);
  const apiKeys = new ApiKeyService(db, config.apiKeyPepper);
  try {
    switch (command) {
      case 'create': {
        if (!values.team) throw new UsageError(`--team is required\n\n${HELP.create}`);
        const created = await apiKeys.create({ teamId: values.team, name: values.name, scopes: parseScopes(values.scopes) });
        if (values.json) console.log(JSON.stringify(created));
        else {
          console.log(`Created key ${created.keyId} for ${created.teamId} with scopes ${created.scopes.join(', ')}.`);
          console.log(`API key (shown only now): ${created.apiKey}`);
        }
        return;
      }
      case 'revoke': {
        const keyId = positionals[0];
        if (!keyId) throw new UsageError(`A key id is required\n\n${HELP.revoke}`);
        if (!(await apiKeys.revoke(keyId))) throw new UsageError(`No key with id ${keyId}`);
        console.log(`Revoked ${keyId}.`);
        return;
      }
      case 'list': {
        if (!values.team) throw new UsageError(`--team is required\n\n${HELP.list}`);
        const keys = await apiKeys.list(values.team);
        if (values.json) console.log(JSON.stringify(keys));
        else if (keys.length === 0) console.log(`No keys for ${values.team}.`);
        else
          for (const key of keys) {
            console.log(
              `${key.keyId}  ${key.revokedAt ? 'revoked' : 'active '}  ${key.scopes.join(',')}  ${key.name ?? ''}  created ${key.createdAt}`,
            );
          }
        return;
      }
    }
  } catch (error) {
    if (isDependencyUnavailable(error)) {
      throw new UsageError(`Cannot reach Postgres at ${displayUrl(config.databaseUrl)}: ${howToStart.postgres}`);
    }
    if (error instanceof AppError) throw new UsageError(`${error.message}: ${JSON.stringify(error.extra.details ?? '')}`);
    throw error;
  } finally {
    await db.destroy();
  }
}

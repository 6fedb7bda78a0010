// `pnpm cli <command>`. User commands (list, check, add, delete, bulk-delete, jobs, audit) call
// the DNC API with a team's API key; operator commands (keys …, teams …) talk to Postgres directly (DATABASE_URL) and are loaded
// only when used, so the user commands start without the service's dependencies.
import { readFile } from 'node:fs/promises';
import { KEYS_USAGE_TEXT } from './keys-usage.js';
import { TEAMS_USAGE_TEXT } from './teams-usage.js';
import { UsageError } from './usage-error.js';
import { describeFailure, isUserCommand, runUserCommand, USER_USAGE } from './user-commands.js';

const HELP = `Usage: pnpm cli <command>

Commands for API users (over HTTP; --base-url or DNC_BASE_URL, --api-key or DNC_API_KEY):
${USER_USAGE}

Operator commands (Postgres directly; DATABASE_URL):
${KEYS_USAGE_TEXT}
${TEAMS_USAGE_TEXT}

Run "pnpm cli <command> --help" (e.g. "pnpm cli keys create --help") for details.`;

/** `--version [--json]`: the CLI's version, from its package.json (next to src/ and dist/ alike). */
async function printVersion(json: boolean): Promise<void> {
  const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  console.log(json ? JSON.stringify({ version }) : version);
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return;
  }
  if (command === '--version' || command === '-V' || command === 'version') {
    const extra = rest.filter((arg) => arg !== '--json');
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}" after --version`);
    return printVersion(rest.includes('--json'));
  }
  if (command === 'keys') {
    const { runKeys } = await import('./keys.js');
    return runKeys(rest, HELP);
  }
  if (command === 'teams') {
    const { runTeams } = await import('./teams.js');
    return runTeams(rest, HELP);
  }
  if (isUserCommand(command)) return runUserCommand(command, rest);
  throw new UsageError(`Unknown command "${argv.join(' ')}"\n\n${HELP}`);
}

run(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${describeFailure(error)}\n`);
  process.exitCode = error instanceof UsageError ? error.exitCode : 1;
});

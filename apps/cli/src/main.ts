// `pnpm cli <command>`. User commands (bulk-delete, check, add) call the DNC API with a team's
// API key; operator commands (keys …, teams …) talk to Postgres directly (DATABASE_URL) and are loaded
// only when used, so the user commands start without the service's dependencies.
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

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return;
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

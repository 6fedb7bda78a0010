// Operator commands: `pnpm cli teams show|set-limits|reset-limits`. A team's own rate limits, in
// Postgres (DATABASE_URL); every API and worker process applies a change within 5 seconds.
import { parseArgs } from 'node:util';
import {
  AppError,
  createDb,
  displayUrl,
  howToStart,
  isDependencyUnavailable,
  loadConfigOrExit,
  rateLimitClasses,
  TeamLimits,
  type RateLimitClass,
  type TeamLimitReport,
} from '@dnc/shared';
import { UsageError } from './usage-error.js';

const APPLIES = 'Every API and worker process applies a change within 5 seconds.';

const HELP = {
  show: `Usage: pnpm cli teams show --team <teamId> [--json]

Shows the team's rate limits per class: its own where an operator set one, else the configured
default (DNC_WRITE_LIMIT, DNC_BULK_LIMIT, DNC_READ_LIMIT, JOBS_READ_LIMIT).
  --team   team id, e.g. team_acme (required)
  --json   print exactly one JSON line:
           {"teamId","windowMs","writeReservedForSync","limits":{"<class>":{"limit","source","updatedAt"}}}`,
  'set-limits': `Usage: pnpm cli teams set-limits --team <teamId> [--dnc-write N] [--dnc-bulk N] [--dnc-read N] [--jobs-read N] [--json]

Sets the team's own limits (operations per rate-limit window) for the classes given; a class
not given keeps its current value. ${APPLIES}
Bulk deletions run at the dnc-write limit minus DNC_WRITE_RESERVED_FOR_SYNC per window.
  --team <teamId>   team id, e.g. team_acme (required; the team is created if it does not exist)
  --dnc-write N     adds and deletes, and bulk-deletion items; must be above DNC_WRITE_RESERVED_FOR_SYNC
  --dnc-bulk N      batch adds, bulk-deletion submissions and cancellations; at least 1
  --dnc-read N      list, check and audit; at least 1
  --jobs-read N     polling bulk-deletion jobs and their items; at least 1
  --json            print the team's limits afterwards as one JSON line (as "teams show --json")`,
  'reset-limits': `Usage: pnpm cli teams reset-limits --team <teamId> [--json]

Drops the team's own limits: every class goes back to the configured default. ${APPLIES}
  --team <teamId>   team id, e.g. team_acme (required)
  --json            print the team's limits afterwards as one JSON line (as "teams show --json")`,
};

type TeamsCommand = keyof typeof HELP;

const isTeamsCommand = (command: string | undefined): command is TeamsCommand => command !== undefined && Object.hasOwn(HELP, command);

/** `--dnc-write 50` → 50; anything but a whole number ≥ 1 is refused here, before Postgres is asked. */
function parseLimit(rateLimitClass: RateLimitClass, value: string): number {
  const limit = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new UsageError(`--${rateLimitClass} must be a whole number of at least 1 (got "${value}")`);
  return limit;
}

function describe(report: TeamLimitReport, windowMs: number): string {
  const seconds = windowMs / 1000;
  const width = Math.max(...rateLimitClasses.map((rateLimitClass) => rateLimitClass.length));
  const lines = rateLimitClasses.map((rateLimitClass) => {
    const { limit, source, updatedAt } = report.limits[rateLimitClass];
    const origin = source === 'team' ? `team's own, set ${updatedAt}` : 'default';
    return `  ${rateLimitClass.padEnd(width)}  ${String(limit).padStart(7)}  (${origin})`;
  });
  return [`Rate limits of ${report.teamId}, per ${seconds} s window:`, ...lines].join('\n');
}

/** `args` is what follows `teams`; `mainHelp` is printed for `teams` alone or an unknown subcommand. */
export async function runTeams(args: string[], mainHelp: string): Promise<void> {
  const [command, ...rest] = args;
  if (!isTeamsCommand(command)) {
    if (command === undefined || command === '--help' || command === '-h') {
      console.log(mainHelp);
      return;
    }
    throw new UsageError(`Unknown command "teams ${args.join(' ')}"\n\n${mainHelp}`);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        team: { type: 'string' },
        'dnc-write': { type: 'string' },
        'dnc-bulk': { type: 'string' },
        'dnc-read': { type: 'string' },
        'jobs-read': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see "pnpm cli teams ${command} --help")`);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(HELP[command]);
    return;
  }
  if (!values.team) throw new UsageError(`--team is required (see "pnpm cli teams ${command} --help")`);
  const changes: Partial<Record<RateLimitClass, number>> = {};
  for (const rateLimitClass of rateLimitClasses) {
    const value = values[rateLimitClass];
    if (value === undefined) continue;
    if (command !== 'set-limits') throw new UsageError(`--${rateLimitClass} is an option of "teams set-limits" only`);
    changes[rateLimitClass] = parseLimit(rateLimitClass, value);
  }
  if (command === 'set-limits' && Object.keys(changes).length === 0) {
    throw new UsageError(
      `Give at least one of ${rateLimitClasses.map((c) => `--${c}`).join(', ')} (see "pnpm cli teams set-limits --help")`,
    );
  }

  const config = loadConfigOrExit();
  const { windowMs, writeReservedForSync, limits: defaults } = config.rateLimit;
  // Checked before Postgres is reached: the refusal needs no database.
  const write = changes['dnc-write'];
  if (write !== undefined && write <= writeReservedForSync) {
    throw new UsageError(
      `--dnc-write must be above DNC_WRITE_RESERVED_FOR_SYNC (${writeReservedForSync}): bulk deletions never take those slots, so with ${write} they could never run`,
    );
  }
  const db = createDb(config.databaseUrl);
  const teamLimits = new TeamLimits(db, { defaults, writeReservedForSync });
  try {
    const report =
      command === 'show'
        ? await teamLimits.show(values.team)
        : command === 'set-limits'
          ? await teamLimits.set(values.team, changes)
          : await teamLimits.reset(values.team);
    if (values.json) {
      console.log(JSON.stringify({ teamId: report.teamId, windowMs, writeReservedForSync, limits: report.limits }));
      return;
    }
    console.log(describe(report, windowMs));
    if (command !== 'show') console.log(APPLIES);
  } catch (error) {
    if (isDependencyUnavailable(error)) {
      throw new UsageError(`Cannot reach Postgres at ${displayUrl(config.databaseUrl)}: ${howToStart.postgres}`);
    }
    if (error instanceof AppError && error.code === 'validation_error') {
      const details = (error.extra.details as { path: string; message: string }[] | undefined) ?? [];
      const said = details.map((detail) => `${detail.path === 'team' ? '--team' : `--${detail.path}`} ${detail.message}`).join('; ');
      throw new UsageError(said || error.message);
    }
    throw error;
  } finally {
    await db.destroy();
  }
}

// The team commands' synopsis, apart from teams.ts so the main help needs no database code.
export const TEAMS_USAGE_TEXT = `  teams show --team <teamId> [--json]
  teams set-limits --team <teamId> [--dnc-write N] [--dnc-bulk N] [--dnc-read N] [--jobs-read N] [--json]
  teams reset-limits --team <teamId> [--json]`;

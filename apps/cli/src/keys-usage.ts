// The operator commands' synopsis, apart from keys.ts so the main help needs no database code.
export const KEYS_USAGE_TEXT = `  keys create --team <teamId> [--name <name>] [--scopes dnc:read,dnc:write] [--json]
  keys revoke <keyId>
  keys list --team <teamId> [--json]`;

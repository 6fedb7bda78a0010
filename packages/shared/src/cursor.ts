// Page cursors: where the next page of a keyset query starts. A cursor is opaque to clients and
// carries no secret: base64url of a small JSON document holding the route it was made for, a
// short hash binding it to the team and the query's filters, and the sort key of the last row
// served. It is not signed: a client that edits one can only move within its own team's rows
// (every query is scoped to the caller's team anyway), so validating its shape and binding is
// enough. A cursor that is not ours, or was made for another route, team or filter → 400.
import { createHash } from 'node:crypto';
import { AppError } from './errors.js';
import { MAX_CURSOR_LENGTH } from './vocabulary.js';

/** The lists that page with cursors. */
export type CursorRoute = 'entries' | 'audit' | 'job-items';

/** What a cursor is valid for: a route, a team, and the values that select the rows (filters, the job). */
export interface CursorScope {
  route: CursorRoute;
  teamId: string;
  /** The query's filters and path parameters, in a fixed order; `undefined` for an absent one. */
  bound?: readonly (string | undefined)[];
}

/** The sort key of the last row served: what the next page starts after. */
export type CursorKey = readonly (string | number)[];

const VERSION = 1;
const CURSOR_PATH = 'query.cursor';

function bindingOf(scope: CursorScope): string {
  const material = JSON.stringify([scope.route, scope.teamId, ...(scope.bound ?? []).map((value) => value ?? null)]);
  return createHash('sha256').update(material).digest('base64url').slice(0, 16);
}

export function encodeCursor(scope: CursorScope, key: CursorKey): string {
  return Buffer.from(JSON.stringify({ v: VERSION, r: scope.route, b: bindingOf(scope), k: key })).toString('base64url');
}

function invalid(message: string): AppError {
  return AppError.validation([{ path: CURSOR_PATH, message }], `Invalid request query: ${CURSOR_PATH} ${message}`);
}

/**
 * The key a cursor carries, if it was made by `encodeCursor` for this scope and its key passes
 * `isKey`; else a 400 validation_error naming `query.cursor`.
 */
export function decodeCursor<K extends CursorKey>(scope: CursorScope, cursor: string, isKey: (key: CursorKey) => key is K): K {
  const malformed = () => invalid('is not a cursor this API made (pass a nextCursor value unchanged)');
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw malformed();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (typeof parsed !== 'object' || parsed === null) throw malformed();
  const { v, r, b, k } = parsed as Record<string, unknown>;
  if (v !== VERSION || typeof r !== 'string' || typeof b !== 'string' || !Array.isArray(k)) throw malformed();
  if (r !== scope.route) throw invalid('was made for another list; use it only with the route that returned it');
  if (b !== bindingOf(scope)) throw invalid('was made for another team or other filters; use it with the query that returned it');
  if (!k.every((part) => typeof part === 'string' || typeof part === 'number') || !isKey(k)) throw malformed();
  return k;
}

/** A non-negative safe integer (a sequence number or a position). */
export const isCursorInteger = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * A page from `limit + 1` rows fetched: the first `limit`, and the cursor after the last of them
 * when more follow (null on the last page).
 */
export function pageOf<R>(
  scope: CursorScope,
  rows: R[],
  limit: number,
  keyOf: (row: R) => CursorKey,
): { rows: R[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: encodeCursor(scope, keyOf(page[page.length - 1]!)) };
}

/** Where a page starts, as a list query was asked: by cursor (keyset) or by offset (default 0). */
export interface PageRequest {
  limit: number;
  offset?: number | undefined;
  cursor?: string | undefined;
}

/**
 * A page's fields besides its items: always `limit` and `nextCursor`; `total` and `offset` too
 * when the page was read by offset (the v1.0 shape), for which the caller counted `total`.
 */
export function pageFields(request: PageRequest, nextCursor: string | null, total: number | undefined) {
  if (total === undefined) return { limit: request.limit, nextCursor };
  return { total, limit: request.limit, offset: request.offset ?? 0, nextCursor };
}

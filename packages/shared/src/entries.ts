// The DNC list itself: add, add many, list, check one or many, and delete. Each write records its audit
// event in the same statement as the change, and invalidates the team's check cache after commit.
import { CompiledQuery, sql } from 'kysely';
import { insertAuditEvents } from './audit-insert.js';
import type { CheckCache } from './check-cache.js';
import { decodeCursor, pageFields, pageOf, type CursorKey, type CursorScope, type PageRequest } from './cursor.js';
import type { Db } from './db/database.js';
import type { DncEntryRow } from './db/schema.js';
import { toEntry, type Entry } from './entry-model.js';
import { AppError } from './errors.js';
import { entryIdPattern, newAuditId, newEntryId } from './ids.js';
import { normalizeLinkedInUrl } from './linkedin-url.js';

/** Who is acting, carried into every audit event. */
export interface Actor {
  teamId: string;
  apiKeyId: string | null;
  requestId: string | null;
}

export interface DncDeps {
  db: Db;
  checkCache: CheckCache;
}

function normalizeOrThrow(url: string, path: string): string {
  const normalized = normalizeLinkedInUrl(url);
  if (!normalized.ok) throw AppError.validation([{ path, message: normalized.reason }], `Invalid LinkedIn URL: ${normalized.reason}`);
  return normalized.url;
}

export async function addEntry(deps: DncDeps, actor: Actor, input: { url: string; reason?: string | undefined }): Promise<Entry> {
  const url = normalizeOrThrow(input.url, 'url');
  const reason = input.reason ?? null;
  // Insert and audit in one statement; a conflict inserts (and audits) nothing. If the row we
  // conflicted with is deleted before we can read it, the URL is free again: insert once more.
  for (let attempt = 1; ; attempt++) {
    const inserted = await sql<DncEntryRow>`
      with inserted as (
        insert into dnc_entries (id, team_id, url, reason)
        values (${newEntryId()}, ${actor.teamId}, ${url}, ${reason})
        on conflict (team_id, url) do nothing
        returning *
      ), audited as (
        ${insertAuditEvents(
          {
            id: newAuditId(),
            teamId: sql.ref('team_id'),
            action: 'dnc.entry.added',
            entryId: sql.ref('id'),
            url: sql.ref('url'),
            reason: sql.ref('reason'),
            apiKeyId: actor.apiKeyId,
            source: 'api',
            requestId: actor.requestId,
          },
          sql`inserted`,
        )}
      )
      select * from inserted`.execute(deps.db);
    const row = inserted.rows[0];
    if (row) {
      await deps.checkCache.invalidateTeam(actor.teamId);
      return toEntry(row);
    }
    const existing = await findByUrl(deps.db, actor.teamId, url);
    if (existing) {
      throw new AppError('duplicate_entry', 'This URL is already on your Do Not Contact list', { data: { entry: existing } });
    }
    if (attempt >= 3) throw new Error(`the entry for ${url} kept changing while it was being added`);
  }
}

export interface BatchAddResult {
  added: number;
  duplicates: number;
  errors: number;
  /** `id`: the new entry's for `added`, the listed one's for `duplicate`; absent for `error`. */
  details: { url: string; status: 'added' | 'duplicate' | 'error'; id?: string; error?: string }[];
}

export async function addEntries(deps: DncDeps, actor: Actor, urls: string[]): Promise<BatchAddResult> {
  const normalized = urls.map((url) => normalizeLinkedInUrl(url));
  const firstIndexOf = new Map<string, number>();
  normalized.forEach((result, index) => {
    if (result.ok && !firstIndexOf.has(result.url)) firstIndexOf.set(result.url, index);
  });
  const uniqueUrls = [...firstIndexOf.keys()];
  const addedUrls = new Set<string>();
  // The entry id of each URL: the new entry's, or the one already listed.
  const idOf = new Map<string, string>();
  if (uniqueUrls.length > 0) {
    const ids = uniqueUrls.map(() => newEntryId());
    const auditIds = uniqueUrls.map(() => newAuditId());
    // The inserted rows, and the rows that were already there (the statement's snapshot does not
    // see its own inserts, so those are exactly the duplicates of earlier requests).
    const written = await sql<{ url: string; id: string; added: boolean }>`
      with input as (
        select * from unnest(${ids}::text[], ${uniqueUrls}::text[], ${auditIds}::text[]) as input(id, url, audit_id)
      ), inserted as (
        insert into dnc_entries (id, team_id, url)
        select id, ${actor.teamId}::text, url from input
        on conflict (team_id, url) do nothing
        returning id, team_id, url
      ), audited as (
        ${insertAuditEvents(
          {
            id: sql.ref('input.audit_id'),
            teamId: sql.ref('inserted.team_id'),
            action: 'dnc.entry.added',
            entryId: sql.ref('inserted.id'),
            url: sql.ref('inserted.url'),
            apiKeyId: actor.apiKeyId,
            source: 'api',
            requestId: actor.requestId,
          },
          sql`inserted join input on input.id = inserted.id`,
        )}
      )
      select url, id, true as added from inserted
      union all
      select url, id, false as added from dnc_entries
      where team_id = ${actor.teamId}::text and url = any(${uniqueUrls}::text[])`.execute(deps.db);
    for (const row of written.rows) {
      if (!row.added) continue;
      addedUrls.add(row.url);
      idOf.set(row.url, row.id);
    }
    for (const row of written.rows) if (!idOf.has(row.url)) idOf.set(row.url, row.id);
    if (addedUrls.size > 0) await deps.checkCache.invalidateTeam(actor.teamId);
    // Neither inserted nor there before: another request added it while this one ran.
    const unresolved = uniqueUrls.filter((url) => !idOf.has(url));
    if (unresolved.length > 0) for (const [url, entry] of await findByUrls(deps.db, actor.teamId, unresolved)) idOf.set(url, entry.$id);
  }
  const details = urls.map((url, index): BatchAddResult['details'][number] => {
    const result = normalized[index]!;
    if (!result.ok) return { url, status: 'error', error: result.reason };
    const isFirst = firstIndexOf.get(result.url) === index;
    const id = idOf.get(result.url);
    return { url, status: isFirst && addedUrls.has(result.url) ? 'added' : 'duplicate', ...(id === undefined ? {} : { id }) };
  });
  return {
    added: addedUrls.size,
    duplicates: details.filter((d) => d.status === 'duplicate').length,
    errors: details.filter((d) => d.status === 'error').length,
    details,
  };
}

async function findByUrl(db: Db, teamId: string, url: string): Promise<Entry | null> {
  const row = await db.selectFrom('dnc_entries').selectAll().where('team_id', '=', teamId).where('url', '=', url).executeTakeFirst();
  return row ? toEntry(row) : null;
}

/** The team's entries with these (normalized) URLs, by URL: one query. */
async function findByUrls(db: Db, teamId: string, urls: readonly string[]): Promise<Map<string, Entry>> {
  const rows = await db
    .selectFrom('dnc_entries')
    .selectAll()
    .where('team_id', '=', teamId)
    .where(sql<boolean>`url = any(${urls}::text[])`)
    .execute();
  return new Map(rows.map((row) => [row.url, toEntry(row)]));
}

/** The list's sort key, as a cursor holds it: created_at to the microsecond (UTC), then the id. */
type EntryKey = readonly [createdAt: string, id: string];
const isEntryKey = (key: CursorKey): key is EntryKey =>
  key.length === 2 &&
  typeof key[0] === 'string' &&
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(key[0]) &&
  !Number.isNaN(Date.parse(key[0])) &&
  typeof key[1] === 'string' &&
  entryIdPattern.test(key[1]);

/**
 * One page of the team's list, newest first, ties broken by id. By cursor, a keyset query on
 * the (team_id, created_at desc, id desc) index: the same cost at any depth, no count. By offset
 * (the v1.0 way, default 0), the page and the team's total.
 */
export async function listEntries(db: Db, teamId: string, page: PageRequest) {
  const scope: CursorScope = { route: 'entries', teamId };
  const after = page.cursor === undefined ? undefined : decodeCursor(scope, page.cursor, isEntryKey);
  let rows = db
    .selectFrom('dnc_entries')
    .selectAll()
    // created_at has microseconds; a JS Date would lose them, and rows between two in the cursor.
    .select(sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_key'))
    .where('team_id', '=', teamId);
  if (after) rows = rows.where(sql<boolean>`(created_at, id) < (${after[0]}::timestamptz, ${after[1]}::text)`);
  rows = rows
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .offset(after ? 0 : (page.offset ?? 0));
  const [found, total] = await Promise.all([
    rows.execute(),
    after
      ? undefined
      : db
          .selectFrom('dnc_entries')
          .select((eb) => eb.fn.countAll<number>().as('total'))
          .where('team_id', '=', teamId)
          .executeTakeFirstOrThrow()
          .then((count) => Number(count.total)),
  ]);
  const { rows: served, nextCursor } = pageOf(scope, found, page.limit, (row) => [row.created_key, row.id]);
  return { entries: served.map(toEntry), ...pageFields(page, nextCursor, total) };
}

export interface CheckUrlsResult {
  results: { url: string; normalizedUrl: string | null; onList: boolean; entry: Entry | null; error?: string }[];
  onList: number;
  errors: number;
}

/**
 * POST /v1/dnc/check: many URLs at once, answered from and into the same cache as `checkUrl`.
 * Whatever their number: one cache read, at most one query (for the misses) and one cache write.
 * A URL that does not normalize gets its own error; repeats each get their result.
 */
export async function checkUrls(deps: DncDeps, teamId: string, urls: readonly string[]): Promise<CheckUrlsResult> {
  const normalized = urls.map((url) => normalizeLinkedInUrl(url));
  const distinct = [...new Set(normalized.flatMap((result) => (result.ok ? [result.url] : [])))];
  const answers = await lookUpMany(deps, teamId, distinct);
  const results = urls.map((url, index): CheckUrlsResult['results'][number] => {
    const result = normalized[index]!;
    if (!result.ok) return { url, normalizedUrl: null, onList: false, entry: null, error: result.reason };
    const entry = answers.get(result.url) ?? null;
    return { url, normalizedUrl: result.url, onList: entry !== null, entry };
  });
  return {
    results,
    onList: results.filter((result) => result.onList).length,
    errors: results.filter((result) => result.error !== undefined).length,
  };
}

/** The team's entry, or null, for each of these distinct normalized URLs (see `checkUrls`). */
async function lookUpMany(deps: DncDeps, teamId: string, urls: readonly string[]): Promise<Map<string, Entry | null>> {
  if (urls.length === 0) return new Map();
  const cached = await deps.checkCache.readMany(teamId, urls);
  const misses = urls.filter((url) => !cached.entries.has(url));
  if (misses.length === 0) return cached.entries;
  const found = await findByUrls(deps.db, teamId, misses);
  const fresh = new Map<string, Entry | null>(misses.map((url) => [url, found.get(url) ?? null]));
  // Tagged with the generation read before the query, as the single check does.
  await deps.checkCache.writeMany(teamId, cached.generation, fresh);
  return new Map([...cached.entries, ...fresh]);
}

export async function checkUrl(deps: DncDeps, teamId: string, rawUrl: string): Promise<{ onList: boolean; entry: Entry | null }> {
  const url = normalizeOrThrow(rawUrl, 'url');
  const cached = await deps.checkCache.read(teamId, url);
  if (cached.entry !== undefined) return { onList: cached.entry !== null, entry: cached.entry };
  const entry = await findByUrl(deps.db, teamId, url);
  await deps.checkCache.write(teamId, url, cached.generation, entry);
  return { onList: entry !== null, entry };
}

/**
 * DELETE /v1/dnc/{id} in one statement: deletes the row if it is the team's and writes its
 * `dnc.entry.deleted` audit event in the same statement. Bulk batches delete with the
 * `drain_batch` function instead (bulk/drain-batch.ts).
 * Compiled once per process, with the audit columns from `insertAuditEvents`; Kysely compiling the
 * query object on every call cost more CPU than the work itself. An unnamed statement
 * on purpose: named ones break behind PgBouncer in transaction mode.
 * $1 entry id, $2 team, $3 audit id, $4 reason, $5 API key id, $6 request id.
 */
let singleDeletionSql: string | undefined;
function singleDeletionStatement(db: Db): string {
  if (singleDeletionSql !== undefined) return singleDeletionSql;
  const compiled = sql`
    with deleted as (
      delete from dnc_entries where id = $1::text and team_id = $2::text returning id, url
    ), audited as (
      ${insertAuditEvents(
        {
          id: sql.raw('$3::text'),
          teamId: sql.raw('$2::text'),
          action: sql.raw("'dnc.entry.deleted'::text"),
          entryId: sql.ref('deleted.id'),
          url: sql.ref('deleted.url'),
          reason: sql.raw('$4::text'),
          apiKeyId: sql.raw('$5::text'),
          source: sql.raw("'api'::text"),
          jobId: sql.raw('null::text'),
          requestId: sql.raw('$6::text'),
        },
        sql`deleted`,
      )}
    )
    select count(*)::int as deleted from deleted`.compile(db);
  if (compiled.parameters.length > 0) throw new Error('the single deletion statement must take only its own $n parameters');
  singleDeletionSql = compiled.sql;
  return singleDeletionSql;
}

/**
 * DELETE /v1/dnc/{id}: one database round trip, then one cache invalidation. Only a delete that
 * found nothing asks who owns the row (another team: `forbidden`; nobody, or a concurrent delete
 * got there first: `not_found`): asking in the deleting statement cost every successful delete
 * a subquery to plan and run (about a seventh of its Postgres CPU).
 */
export async function deleteEntry(deps: DncDeps, actor: Actor, input: { entryId: string; reason: string | null }): Promise<void> {
  const statement = CompiledQuery.raw(singleDeletionStatement(deps.db), [
    input.entryId,
    actor.teamId,
    newAuditId(),
    input.reason,
    actor.apiKeyId,
    actor.requestId,
  ]);
  const [row] = (await deps.db.executeQuery<{ deleted: number }>(statement)).rows;
  if (!row || row.deleted === 0) {
    const owner = await deps.db.selectFrom('dnc_entries').select('team_id').where('id', '=', input.entryId).executeTakeFirst();
    if (owner && owner.team_id !== actor.teamId) throw new AppError('forbidden', 'This DNC entry belongs to another team');
    throw new AppError('not_found', 'DNC entry not found');
  }
  await deps.checkCache.invalidateTeam(actor.teamId);
}

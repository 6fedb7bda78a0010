// The DNC list itself: add, add many, list, check and delete. Each write records its audit
// event in the same statement as the change, and invalidates the team's check cache after commit.
import { sql } from 'kysely';
import { insertAuditEvents } from './audit-insert.js';
import type { CheckCache } from './check-cache.js';
import type { Db } from './db/database.js';
import type { DncEntryRow } from './db/schema.js';
import { toEntry, type Entry } from './entry-model.js';
import { AppError } from './errors.js';
import { newAuditId, newEntryId } from './ids.js';
import { normalizeLinkedInUrl } from './linkedin-url.js';
import type { AuditSource, DeletionOutcome } from './vocabulary.js';

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
  details: { url: string; status: 'added' | 'duplicate' | 'error'; error?: string }[];
}

export async function addEntries(deps: DncDeps, actor: Actor, urls: string[]): Promise<BatchAddResult> {
  const normalized = urls.map((url) => normalizeLinkedInUrl(url));
  const firstIndexOf = new Map<string, number>();
  normalized.forEach((result, index) => {
    if (result.ok && !firstIndexOf.has(result.url)) firstIndexOf.set(result.url, index);
  });
  const uniqueUrls = [...firstIndexOf.keys()];
  let addedUrls = new Set<string>();
  if (uniqueUrls.length > 0) {
    const ids = uniqueUrls.map(() => newEntryId());
    const auditIds = uniqueUrls.map(() => newAuditId());
    const inserted = await sql<{ url: string }>`
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
      select url from inserted`.execute(deps.db);
    addedUrls = new Set(inserted.rows.map((row) => row.url));
    if (addedUrls.size > 0) await deps.checkCache.invalidateTeam(actor.teamId);
  }
  const details = urls.map((url, index): BatchAddResult['details'][number] => {
    const result = normalized[index]!;
    if (!result.ok) return { url, status: 'error', error: result.reason };
    const isFirst = firstIndexOf.get(result.url) === index;
    return { url, status: isFirst && addedUrls.has(result.url) ? 'added' : 'duplicate' };
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

export async function listEntries(db: Db, teamId: string, page: { limit: number; offset: number }) {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('dnc_entries')
      .selectAll()
      .where('team_id', '=', teamId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('dnc_entries')
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .where('team_id', '=', teamId)
      .executeTakeFirstOrThrow(),
  ]);
  return { entries: rows.map(toEntry), total: Number(count.total), limit: page.limit, offset: page.offset };
}

export async function checkUrl(deps: DncDeps, teamId: string, rawUrl: string): Promise<{ onList: boolean; entry: Entry | null }> {
  const url = normalizeOrThrow(rawUrl, 'url');
  const cached = await deps.checkCache.read(teamId, url);
  if (cached.entry !== undefined) return { onList: cached.entry !== null, entry: cached.entry };
  const entry = await findByUrl(deps.db, teamId, url);
  await deps.checkCache.write(teamId, url, cached.generation, entry);
  return { onList: entry !== null, entry };
}

export interface DeletionRequest {
  entryId: string;
  reason: string | null;
  apiKeyId: string | null;
  requestId: string | null;
  jobId: string | null;
}

/**
 * The one place an entry is deleted, for the synchronous route and the bulk worker alike.
 * In a single statement it locks the requested rows, deletes those that belong to the team,
 * and writes one `dnc.entry.deleted` audit event per deleted row. Rows of another team are
 * left untouched (`forbidden`); missing rows, including ones a concurrent delete removed
 * first, are `not_found`. Entry ids must be unique within one call.
 * The caller invalidates the team's check cache after its transaction commits.
 */
export async function deleteEntries(
  db: Db,
  teamId: string,
  source: AuditSource,
  requests: DeletionRequest[],
): Promise<Map<string, DeletionOutcome>> {
  if (requests.length === 0) return new Map();
  const column = <K extends keyof DeletionRequest>(key: K) => requests.map((request) => request[key]);
  // One audit id per requested entry, used only if that entry is deleted.
  const auditIds = requests.map(() => newAuditId());
  const result = await sql<{ entry_id: string; owner_team_id: string | null; deleted: boolean }>`
    with requested as (
      select * from unnest(
        ${column('entryId')}::text[], ${column('reason')}::text[], ${column('apiKeyId')}::text[],
        ${column('requestId')}::text[], ${column('jobId')}::text[], ${auditIds}::text[]
      ) as requested(entry_id, reason, api_key_id, request_id, job_id, audit_id)
    ), target as (
      select id, team_id, url from dnc_entries
      where id in (select entry_id from requested)
      for update
    ), deleted as (
      delete from dnc_entries entry using target
      where entry.id = target.id and target.team_id = ${teamId}::text
      returning entry.id, entry.url
    ), audited as (
      ${insertAuditEvents(
        {
          id: sql.ref('requested.audit_id'),
          teamId,
          action: 'dnc.entry.deleted',
          entryId: sql.ref('deleted.id'),
          url: sql.ref('deleted.url'),
          reason: sql.ref('requested.reason'),
          apiKeyId: sql.ref('requested.api_key_id'),
          source,
          jobId: sql.ref('requested.job_id'),
          requestId: sql.ref('requested.request_id'),
        },
        sql`deleted join requested on requested.entry_id = deleted.id`,
      )}
    )
    select requested.entry_id, target.team_id as owner_team_id, deleted.id is not null as deleted
    from requested
    left join target on target.id = requested.entry_id
    left join deleted on deleted.id = requested.entry_id`.execute(db);
  const outcomes = new Map<string, DeletionOutcome>();
  for (const row of result.rows) {
    outcomes.set(
      row.entry_id,
      row.deleted ? 'deleted' : row.owner_team_id !== null && row.owner_team_id !== teamId ? 'forbidden' : 'not_found',
    );
  }
  return outcomes;
}

/** DELETE /v1/dnc/{id}: one database round trip, then one cache invalidation. */
export async function deleteEntry(deps: DncDeps, actor: Actor, input: { entryId: string; reason: string | null }): Promise<void> {
  const outcomes = await deleteEntries(deps.db, actor.teamId, 'api', [
    { entryId: input.entryId, reason: input.reason, apiKeyId: actor.apiKeyId, requestId: actor.requestId, jobId: null },
  ]);
  const outcome = outcomes.get(input.entryId);
  if (outcome === 'forbidden') throw new AppError('forbidden', 'This DNC entry belongs to another team');
  if (outcome !== 'deleted') throw new AppError('not_found', 'DNC entry not found');
  await deps.checkCache.invalidateTeam(actor.teamId);
}

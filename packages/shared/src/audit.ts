// The audit trail. Events are rows written in the same transaction as the change they record
// (see entries.ts); the worker relays new rows (queued in audit_outbox) to the log stream.
import { writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import { decodeCursor, isCursorInteger, pageFields, pageOf, type CursorKey, type CursorScope, type PageRequest } from './cursor.js';
import type { Db } from './db/database.js';
import type { AuditEventRow } from './db/schema.js';
import type { Logger } from './logger.js';
import type { AuditAction, AuditSource } from './vocabulary.js';

/** An audit event as the API shows it. */
export interface AuditEvent {
  $id: string;
  teamId: string;
  action: AuditAction;
  entryId: string | null;
  url: string | null;
  reason: string | null;
  apiKeyId: string | null;
  source: AuditSource;
  jobId: string | null;
  requestId: string | null;
  occurredAt: string;
}

export function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    $id: row.id,
    teamId: row.team_id,
    action: row.action,
    entryId: row.entry_id,
    url: row.url,
    reason: row.reason,
    apiKeyId: row.api_key_id,
    source: row.source,
    jobId: row.job_id,
    requestId: row.request_id,
    occurredAt: row.occurred_at.toISOString(),
  };
}

export interface AuditQuery extends PageRequest {
  action?: AuditAction | undefined;
  entryId?: string | undefined;
  jobId?: string | undefined;
}

const isSeqKey = (key: CursorKey): key is readonly [seq: number] => key.length === 1 && isCursorInteger(key[0]);

/**
 * One page of the team's events, newest first (by seq). By cursor, a keyset query on the
 * (team_id, seq desc) index, with no count; by offset (default 0), the page and the total.
 */
export async function listAuditEvents(db: Db, teamId: string, query: AuditQuery) {
  const scope: CursorScope = { route: 'audit', teamId, bound: [query.action, query.entryId, query.jobId] };
  const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor, isSeqKey);
  let filtered = db.selectFrom('audit_events').where('team_id', '=', teamId);
  if (query.action) filtered = filtered.where('action', '=', query.action);
  if (query.entryId) filtered = filtered.where('entry_id', '=', query.entryId);
  if (query.jobId) filtered = filtered.where('job_id', '=', query.jobId);
  const rows = (after ? filtered.where('seq', '<', after[0]) : filtered)
    .selectAll()
    .orderBy('seq', 'desc')
    .limit(query.limit + 1)
    .offset(after ? 0 : (query.offset ?? 0));
  const [found, total] = await Promise.all([
    rows.execute(),
    after
      ? undefined
      : filtered
          .select((eb) => eb.fn.countAll<number>().as('total'))
          .executeTakeFirstOrThrow()
          .then((count) => Number(count.total)),
  ]);
  const { rows: served, nextCursor } = pageOf(scope, found, query.limit, (row) => [row.seq]);
  return { events: served.map(toAuditEvent), ...pageFields(query, nextCursor, total) };
}

/**
 * The advisory lock a relay page takes (transaction-scoped): one relay at a time across workers,
 * and whatever else holds it keeps every relay idle meanwhile (the drain bench, while its floor
 * runs). Any constant works; it only has to be the same in every worker.
 */
export const AUDIT_RELAY_LOCK_KEY = 0x646e6361; // "dnca"

/**
 * Where the relay writes. `write` queues the line of one event, given as the JSON of the event as
 * the API shows it (toAuditEvent; Postgres builds it, relayAuditEvents) and its action; `flush`
 * hands every line queued so far to the OS (resolving once it has). The relay flushes before it
 * takes the events out of the outbox (at least once, never lost).
 */
export interface AuditLogStream {
  write: (eventJson: string, action: string) => void;
  flush: () => void | Promise<void>;
}

/** An audit log stream through a pino logger (`audit: true`, the event, the action as message): for tests and tools. */
export function auditLogStreamOf(logger: Logger): AuditLogStream {
  return {
    write: (eventJson, action) => logger.info({ audit: true, event: JSON.parse(eventJson) as AuditEvent }, action),
    flush: () => undefined,
  };
}

/** The most one write of audit lines holds: PIPE_BUF, so a write to a pipe is never split. */
const AUDIT_WRITE_MAX_BYTES = 4_096;
/** How long a write waits for a full pipe's reader before it tries again. */
const FULL_PIPE_RETRY_MS = 2;
/**
 * How long a page's lines may wait for a reader that takes nothing. The relay writes inside its
 * transaction, holding a connection and the relay lock: a log reader that stopped must fail the
 * page (rolled back, retried at the next interval; lines already written then appear twice, as
 * at-least-once allows) rather than hold both, and a shutdown, for good.
 */
const FULL_PIPE_GIVE_UP_MS = 10_000;

/**
 * The worker's audit log stream: stdout (or `fd`), one line per event in the format of the service
 * logs, as pino writes it (level 30, ISO time, pid, hostname, `name`, `component: 'audit'`,
 * `audit: true`, the event, the action as `msg`; auditLine). The line is built around the event's
 * JSON rather than by pino: in the issue 11 profile of the bulk drain, parsing each event's
 * columns and serializing them again through pino cost the worker about 16 µs per event, 0.4 ms
 * per team of 25. Always info: audit events are records, not diagnostics, and LOG_LEVEL (warn,
 * error, silent) must not drop them while the relay takes them out of the outbox.
 *
 * The lines of a relay page are gathered in memory and flush() writes them in writes of at most
 * 4 KiB of whole lines: one system call for about ten events instead of one each, and each write
 * within PIPE_BUF, so that processes sharing one stdout pipe never split each other's lines. A
 * write that finds the pipe full (EAGAIN: Node keeps stdout pipes non-blocking) waits for its
 * reader off the event loop, a few ms at a time: with sonic-boom's synchronous writes it slept
 * 100 ms at a time in Atomics.wait, and every batch in flight with it (issue 11 profile of the
 * bulk drain). Not fs.write in the thread pool: a hop there and back per 4 KiB cost more CPU than
 * the write. No redaction pass: an audit event's fields are fixed (toAuditEvent) and none holds a
 * secret.
 */
export function createAuditLogStream(name: string, fd = 1, fullPipeGiveUpMs = FULL_PIPE_GIVE_UP_MS): AuditLogStream {
  // Node makes a stdout pipe non-blocking when it first opens process.stdout: opened here, so
  // that a full pipe answers EAGAIN (waited for off the event loop) instead of blocking it.
  if (fd === 1) void process.stdout;
  const fields = auditLineFields(name);
  let queued: string[] = [];
  let timeOfMs = 0;
  let time = '';
  return {
    write(eventJson, action) {
      const now = Date.now();
      if (now !== timeOfMs) {
        timeOfMs = now;
        time = new Date(now).toISOString();
      }
      queued.push(auditLine(fields, time, eventJson, action));
    },
    async flush() {
      const lines = queued;
      queued = [];
      const giveUpAt = Date.now() + fullPipeGiveUpMs;
      for (const chunk of wholeLinesUpTo(lines, AUDIT_WRITE_MAX_BYTES)) await writeFully(fd, chunk, giveUpAt);
    },
  };
}

/** The fields of this process's audit lines that follow the time, up to the event. */
export function auditLineFields(name: string): string {
  return `"pid":${process.pid},"hostname":${JSON.stringify(hostname())},"name":${JSON.stringify(name)},"component":"audit","audit":true`;
}

/** One audit line, field for field what `pino({ name, timestamp: isoTime }).child({ component: 'audit' }).info({ audit: true, event }, action)` writes. */
export function auditLine(fields: string, isoTime: string, eventJson: string, action: string): string {
  return `{"level":30,"time":"${isoTime}",${fields},"event":${eventJson},"msg":${JSON.stringify(action)}}\n`;
}

/** The lines joined into consecutive chunks of at most `maxBytes` (a longer line is a chunk of its own). */
function* wholeLinesUpTo(lines: readonly string[], maxBytes: number): Generator<Buffer> {
  let chunk = '';
  let bytes = 0;
  for (const line of lines) {
    const lineBytes = Buffer.byteLength(line, 'utf8');
    if (bytes > 0 && bytes + lineBytes > maxBytes) {
      yield Buffer.from(chunk, 'utf8');
      chunk = '';
      bytes = 0;
    }
    chunk += line;
    bytes += lineBytes;
  }
  if (bytes > 0) yield Buffer.from(chunk, 'utf8');
}

/**
 * Writes all of `data` to `fd`, resuming after a partial write, and after EAGAIN (a non-blocking
 * pipe that is full) once its reader had a moment, without blocking the event loop meanwhile;
 * fails once `giveUpAt` (epoch ms) has passed with the pipe still full.
 */
async function writeFully(fd: number, data: Buffer, giveUpAt: number): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(fd, data, offset, data.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      if (Date.now() > giveUpAt) throw new Error('the audit log reader took nothing for too long (its pipe stayed full)', { cause: error });
      await new Promise((resolve) => setTimeout(resolve, FULL_PIPE_RETRY_MS));
    }
  }
}

/**
 * Logs up to `batchSize` unrelayed events (those in audit_outbox), oldest first, hands them to the
 * log stream, and commits their removal from the outbox. One relay runs at a time across all
 * workers (a transaction-scoped advisory lock, taken by the same statement that reads the
 * events), so events leave in order. The statement that reads the events also deletes their
 * outbox rows, in the transaction that commits only once the stream has flushed their lines: a
 * failed write or a crash before the commit leaves them in the outbox, to be logged again (at
 * least once, never lost). Returns how many events were relayed.
 *
 * Postgres serializes each event as toAuditEvent shows it (same names, order and ISO time with
 * milliseconds, truncated as a JS Date truncates): the relay reads one text column per event.
 */
export async function relayAuditEvents(db: Db, auditLog: Logger | AuditLogStream, batchSize = 500): Promise<number> {
  // A pino logger has a flush() of its own: told apart by info().
  const stream: AuditLogStream = 'info' in auditLog ? auditLogStreamOf(auditLog) : auditLog;
  return db.transaction().execute(async (tx) => {
    // Index scans only, whatever the tables' sizes: the outbox rows by primary key (= any of an
    // array), then each event by seq (a lateral subquery with a limit is never made a hash join).
    const rows = await sql<{ action: string; event: string }>`
      with relay as (select pg_try_advisory_xact_lock(${AUDIT_RELAY_LOCK_KEY}) as locked),
      taken as (
        delete from audit_outbox
        where seq = any (array(select next.seq from audit_outbox next where (select locked from relay) order by next.seq limit ${batchSize}))
        returning seq
      )
      select relayed.action, relayed.event
      from taken
      cross join lateral (
        select event.action, row_to_json(shown)::text as event
        from audit_events event
        cross join lateral (
          select event.id as "$id", event.team_id as "teamId", event.action as "action", event.entry_id as "entryId",
            event.url as "url", event.reason as "reason", event.api_key_id as "apiKeyId", event.source as "source",
            event.job_id as "jobId", event.request_id as "requestId",
            to_char(event.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "occurredAt"
        ) shown
        where event.seq = taken.seq
        limit 1
      ) relayed
      order by taken.seq`.execute(tx);
    if (rows.rows.length === 0) return 0;
    for (const row of rows.rows) stream.write(row.event, row.action);
    await stream.flush();
    return rows.rows.length;
  });
}

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: they must not depend on today's schema types. */
import { sql, type Kysely } from 'kysely';

// Postgres itself cancels any statement of this database that runs longer than 4 s, so that it
// decides before the client's 5 s query timeout (QUERY_TIMEOUT_MS in database.ts) gives up.
// Without it, a statement still running when the client gave up (say, a DELETE waiting on a row
// lock) went on and could commit after the caller had been told 503; closing the connection did
// not stop it, as the server notices a closed connection only when it answers. A cancelled
// statement rolls back and its caller gets 57014, which is a 503 too, and now one that changed
// nothing.
//
// A database default rather than a connection parameter: PgBouncer in transaction mode does not
// pass a startup `statement_timeout` or `options` on, and a session SET would stay behind on a
// pooled server connection; a database default applies to every server session, through a
// pooler too. It needs the database's owner, as every migration here does. Sessions opened
// before it keep their value until they reconnect.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`do $$ begin execute format('alter database %I set statement_timeout = %L', current_database(), '4s'); end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`do $$ begin execute format('alter database %I reset statement_timeout', current_database()); end $$`.execute(db);
}

import { Kysely, PostgresDialect, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { OutageLog } from '../outage-log.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

// A request that cannot get a connection fails fast (→ 503) instead of hanging.
const CONNECT_TIMEOUT_MS = 1_200;

// int8 (counts, bigserial) as JS numbers: our values stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

/**
 * A query on a connection whose server went silent fails after this long instead of hanging.
 * Postgres cancels a statement after SERVER_STATEMENT_TIMEOUT_MS, before this: a statement the
 * client gives up on has been rolled back, unless it waited in a pooler's queue first.
 */
export const QUERY_TIMEOUT_MS = 5_000;
/** The database's own statement_timeout (migration 2026-11-30T10-00-00_server-statement-timeout). */
export const SERVER_STATEMENT_TIMEOUT_MS = 4_000;

export interface CreateDbOptions {
  maxConnections?: number;
  /** Told when connections are lost or cannot be made, and when one is made again. */
  outageLog?: OutageLog;
}

export function createDb(databaseUrl: string, options: CreateDbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    keepAlive: true,
    idleTimeoutMillis: 30_000,
  });
  const outageLog = options.outageLog;
  let ending = false;
  // A connection that dies (server restart, failover, pg_terminate_backend, PgBouncer restart)
  // emits 'error' on its client. pg-pool listens only while the client is idle, and an 'error'
  // event nobody listens to kills the process: so every client gets a listener for its whole
  // life. A query running on it fails (→ 503, or a retried batch), and pg-pool discards the
  // client when it is released, because it is no longer queryable.
  pool.on('connect', (client) => {
    // A new connection is the evidence that the server is back (an idle one handed out proves
    // nothing: it may be about to learn that its server has gone).
    outageLog?.healthy('pool');
    client.on('error', (error) => {
      if (ending) return;
      outageLog?.failed('pool', error);
      probeServer();
    });
  });
  // Was it the server, or just this connection? A fresh connection says so at once (the pool
  // might hand out an idle client instead, which proves nothing).
  let probing = false;
  const probeServer = () => {
    if (probing || ending) return;
    probing = true;
    const probe = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    probe.on('error', () => undefined);
    probe
      .connect()
      .then(() => outageLog?.healthy('pool'))
      .catch(() => undefined)
      .finally(() => {
        probing = false;
        void probe.end().catch(() => undefined);
      });
  };
  // pg-pool also re-emits an idle client's error on the pool; the client's listener has seen it.
  pool.on('error', () => undefined);

  // Kysely checks connections out through this: a failure to connect tells the outage log.
  const observedPool = {
    async connect(): Promise<PostgresPoolClient> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        if (!ending) outageLog?.failed('pool', error);
        throw error;
      }
      return closedWhenBroken(client);
    },
    async end() {
      ending = true;
      await pool.end();
    },
  };
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: observedPool }) });
}

/**
 * The connection as Kysely uses it, closed instead of reused once a query on it timed out or the
 * server ended its session.
 *
 * pg's query_timeout only stops waiting: the statement it sent stays on the connection. Behind
 * PgBouncer, while Postgres is unreachable, it waits in the pooler's queue, and once Postgres is
 * back PgBouncer runs it: a DELETE answered 503 would then delete, after the caller was told it
 * had not (test/scale/pgbouncer-outage.test.ts showed it). Closing the connection makes PgBouncer
 * drop the queued statement. (A statement that Postgres is already running has been cancelled by
 * the database's statement_timeout by then, unless it spent a second or more in the queue first.)
 *
 * An error of severity FATAL (the backend terminated, the server shutting down) arrives before
 * the socket closes: handed back at once, the connection would look healthy to the pool and fail
 * its next caller too (test/bulk/drain-groups.test.ts showed it).
 */
function closedWhenBroken(client: pg.PoolClient): PostgresPoolClient {
  let broken = false;
  const query = async (sql: string, parameters: ReadonlyArray<unknown>) => {
    try {
      return await client.query(sql, parameters as unknown[]);
    } catch (error) {
      if (error instanceof Error && (error.message === 'Query read timeout' || (error as { severity?: string }).severity === 'FATAL')) {
        broken = true;
      }
      throw error;
    }
  };
  return {
    // Kysely streams rows through a cursor only when the dialect is given one; ours is not.
    query: query as unknown as PostgresPoolClient['query'],
    release: (destroy?: boolean) => client.release(destroy === true || broken),
  };
}

/** A URL for the same server's maintenance database, to create or drop databases from. */
export function maintenanceUrl(databaseUrl: string): { url: string; database: string } {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  url.pathname = '/postgres';
  return { url: url.toString(), database };
}

/** Creates the database named in the URL if it does not exist. Safe when several processes race. */
export async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const { url, database } = maintenanceUrl(databaseUrl);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS * 2 });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount) return;
    try {
      await client.query(`create database ${pg.escapeIdentifier(database)}`);
    } catch (error) {
      // 42P04 duplicate_database, 23505 unique_violation: another process created it first.
      const code = (error as { code?: string }).code;
      if (code !== '42P04' && code !== '23505') throw error;
    }
  } finally {
    await client.end();
  }
}

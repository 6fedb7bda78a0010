// Drainer runs handed over together (drain-step.ts) when a statement of the group fails for a
// transient reason: Postgres rolled it back (a deadlock), or the connection was lost while it ran.
// A team's own failure must fail only that team; a team whose batch committed must keep its
// result and have its check cache invalidated at once.
import { createDb, createLogger, submitBulkDeletion, teamKey } from '@dnc/shared';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrainStep } from '../../apps/worker/src/drain-step.js';
import { seedEntries, sessionsBlockedBy } from '../support/bulk.js';
import { createTestEnvironment, withSessionSettings, type TestEnvironment } from '../support/environment.js';
import { startTcpProxy, viaPort } from '../support/tcp-proxy.js';
import { waitUntil } from '../support/wait.js';

let env: TestEnvironment;
beforeAll(async () => {
  // 10 writes a window, 5 kept for synchronous writes: a run takes at most 5 slots per window.
  env = await createTestEnvironment({ DNC_WRITE_LIMIT: '10', DNC_WRITE_RESERVED_FOR_SYNC: '5' });
  // Deleting a marked entry either raises a deadlock (Postgres rolls the statement back) or
  // terminates the connection it runs on (a lost connection: the client cannot know the outcome).
  await sql`
    create function fault_on_delete() returns trigger language plpgsql as $$
    begin
      if old.url like '%/deadlock-%' then raise exception 'simulated deadlock' using errcode = '40P01'; end if;
      if old.url like '%/lost-%' then perform pg_terminate_backend(pg_backend_pid()); perform pg_sleep(5); end if;
      return old;
    end $$`.execute(env.services.db);
  await sql`create trigger fault_on_delete before delete on dnc_entries for each row execute function fault_on_delete()`.execute(
    env.services.db,
  );
});
afterAll(() => env?.cleanup());

async function submit(teamId: string, tag: string, count: number, urlTag = tag): Promise<void> {
  await env.createKey(teamId);
  const ids = await seedEntries(env.services.db, teamId, urlTag, count);
  if (tag !== urlTag)
    await sql`update dnc_entries set id = replace(id, ${`dnc_${urlTag}`}, ${`dnc_${tag}`}) where team_id = ${teamId}`.execute(
      env.services.db,
    );
  const entryIds = tag === urlTag ? ids : ids.map((id) => id.replace(`dnc_${urlTag}`, `dnc_${tag}`));
  await submitBulkDeletion(env.services.db, { teamId, apiKeyId: null, requestId: null, entryIds, reason: null }, env.services.drainPace);
}

async function itemsByStatus(teamId: string): Promise<Record<string, number>> {
  const rows = await sql<{ status: string; count: number }>`
    select status, count(*)::int as count from bulk_job_items where team_id = ${teamId} group by status`.execute(env.services.db);
  return Object.fromEntries(rows.rows.map((row) => [row.status, row.count]));
}

async function auditedDeletions(teamId: string): Promise<number> {
  const rows = await sql<{ count: number }>`
    select count(*)::int as count from audit_events where team_id = ${teamId} and action = 'dnc.entry.deleted'`.execute(env.services.db);
  return rows.rows[0]!.count;
}

/**
 * A pool for the drain step on which Postgres checks a waiting statement for deadlocks only after
 * 2 s (instead of 1 s; still before the client's 5 s query timeout), and does not cancel it at the
 * database's 4 s: a test then forms its deadlock at leisure once it has seen the statement wait.
 */
function patientDb(url = env.env.DATABASE_URL!) {
  return createDb(withSessionSettings(url, { deadlock_timeout: '2s', statement_timeout: '30s' }));
}

/** Resolves once a statement of another session waits for a lock that the backend `pid` holds. */
async function untilBlockedBy(pid: number, what: string): Promise<void> {
  await waitUntil(async () => (await sessionsBlockedBy(env.services.db, pid)) > 0, { timeoutMs: 10_000, what });
}

const generation = async (teamId: string) =>
  Number((await env.services.redis.get(teamKey(env.env.REDIS_PREFIX!, teamId, 'check-generation'))) ?? 0);

describe('a group of drainer runs whose statement fails for a transient reason', () => {
  it('when one team deadlocks, then the other teams are drained on their slots and only that team fails', async () => {
    await submit('team_dl_a', 'dla', 5);
    await submit('team_dl_b', 'dlb', 5);
    await submit('team_dl_c', 'dlc', 5, 'deadlock-');
    const outcomes = await createDrainStep(env.services)(
      ['team_dl_a', 'team_dl_b', 'team_dl_c'].map((teamId) => ({ teamId, repairCache: false })),
    );

    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: { drained: true } });
    expect(outcomes[1]).toEqual({ status: 'fulfilled', value: { drained: true } });
    expect(outcomes[2]).toMatchObject({ status: 'rejected', reason: { code: '40P01' } });
    expect(await itemsByStatus('team_dl_a')).toEqual({ deleted: 5 });
    expect(await itemsByStatus('team_dl_b')).toEqual({ deleted: 5 });
    expect(await itemsByStatus('team_dl_c')).toEqual({ pending: 5 });
    expect(await auditedDeletions('team_dl_a')).toBe(5);
    expect(await auditedDeletions('team_dl_b')).toBe(5);
    expect(await auditedDeletions('team_dl_c')).toBe(0);
  });

  it('when the group statement deadlocks with another transaction for real, then Postgres rolls it back and every team is drained once, on its own', async () => {
    // A real deadlock, not a raised 40P01: another transaction holds an entry of team_rdl_c, the
    // group's statement deletes team_rdl_a's entries and then waits for that entry; the other
    // transaction then asks for one of team_rdl_a's. The group's session checks for deadlocks 2 s
    // after it began to wait, the other's only after 60 s: Postgres aborts the group's statement.
    await submit('team_rdl_a', 'rdla', 5);
    await submit('team_rdl_b', 'rdlb', 5);
    await submit('team_rdl_c', 'rdlc', 5);
    const logged: Record<string, unknown>[] = [];
    const logger = createLogger(
      { level: 'warn', name: 'worker' },
      { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const drainerDb = patientDb();
    const other = new pg.Client({ connectionString: env.env.DATABASE_URL });
    try {
      await other.connect();
      await other.query("set deadlock_timeout = '60s'");
      await other.query("set statement_timeout = '30s'");
      await other.query('begin');
      await other.query("select 1 from dnc_entries where id = 'dnc_rdlc2' for update");
      const otherPid = (await other.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;

      const drained = createDrainStep({ ...env.services, db: drainerDb, logger })(
        ['team_rdl_a', 'team_rdl_b', 'team_rdl_c'].map((teamId) => ({ teamId, repairCache: false })),
      );
      await untilBlockedBy(otherPid, "the group's statement waiting for the held entry");
      // The cycle: team_rdl_a's entry is locked by the group's uncommitted delete.
      await other.query("select 1 from dnc_entries where id = 'dnc_rdla1' for update");
      await other.query('rollback');

      const outcomes = await drained;
      expect(outcomes).toEqual([0, 1, 2].map(() => ({ status: 'fulfilled', value: { drained: true } })));
      expect(logged).toContainEqual(
        expect.objectContaining({
          msg: "bulk batches failed together; executing each team's batch on its own",
          err: expect.objectContaining({ code: '40P01' }),
        }),
      );
    } finally {
      await other.end();
      await drainerDb.destroy();
    }
    for (const teamId of ['team_rdl_a', 'team_rdl_b', 'team_rdl_c']) {
      expect(await itemsByStatus(teamId)).toEqual({ deleted: 5 });
      expect(await auditedDeletions(teamId)).toBe(5);
    }
  });

  it('when the connection is lost in a later statement, then a team whose statement committed keeps its result and its cache is invalidated', async () => {
    // team_lost_big's 520 items exceed one statement's 500: it runs alone, first; the two small
    // teams share the next statement, whose connection is lost.
    await env.createKey('team_lost_big');
    await sql`insert into team_limits (team_id, class, "limit") values ('team_lost_big', 'dnc-write', 600)`.execute(env.services.db);
    await submit('team_lost_big', 'lbig', 520);
    await submit('team_lost_x', 'lx', 1);
    await submit('team_lost_y', 'ly', 1, 'lost-');
    const generationBefore = await generation('team_lost_big');

    const outcomes = await createDrainStep(env.services)(
      ['team_lost_big', 'team_lost_x', 'team_lost_y'].map((teamId) => ({ teamId, repairCache: false })),
    );

    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: { drained: true } });
    expect(await itemsByStatus('team_lost_big')).toEqual({ deleted: 520 });
    expect(await auditedDeletions('team_lost_big')).toBe(520);
    expect(await generation('team_lost_big')).toBeGreaterThan(generationBefore);
    // The lost statement's teams fail (their jobs retry later, on fresh slots), and nothing of it committed.
    expect(outcomes[1]).toMatchObject({ status: 'rejected' });
    expect(outcomes[2]).toMatchObject({ status: 'rejected' });
    expect(await itemsByStatus('team_lost_x')).toEqual({ pending: 1 });
    expect(await itemsByStatus('team_lost_y')).toEqual({ pending: 1 });
  });

  it('when the group statement commits and its reply is lost, then its teams fail, and their retry finds the items final and deletes nothing twice', async () => {
    // The drain step reaches Postgres through a proxy. Another transaction holds an entry of
    // team_rpl_y, so the group's statement waits inside Postgres; meanwhile the proxy starts
    // dropping what Postgres sends. The lock is released, the statement commits, its reply is
    // lost, and the connection is then reset: the drain step cannot know whether it committed.
    await submit('team_rpl_x', 'rplx', 3);
    await submit('team_rpl_y', 'rply', 3);
    const teams = ['team_rpl_x', 'team_rpl_y'];
    const generationsBefore = await Promise.all(teams.map(generation));
    const databaseUrl = new URL(env.env.DATABASE_URL!);
    const proxy = await startTcpProxy(databaseUrl.hostname, Number(databaseUrl.port || 5432));
    const proxiedDb = patientDb(viaPort(env.env.DATABASE_URL!, proxy.port));
    const other = new pg.Client({ connectionString: env.env.DATABASE_URL });
    try {
      await other.connect();
      await other.query('begin');
      await other.query("select 1 from dnc_entries where id = 'dnc_rply1' for update");
      const otherPid = (await other.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const drained = createDrainStep({ ...env.services, db: proxiedDb })(teams.map((teamId) => ({ teamId, repairCache: false })));
      await untilBlockedBy(otherPid, "the group's statement waiting for the held entry");
      proxy.dropReplies();
      await other.query('rollback');
      // Committed in Postgres, though the drain step has not heard of it.
      await waitUntil(async () => (await itemsByStatus('team_rpl_y')).deleted === 3, { what: "the group's statement committed" });
      await proxy.cut();

      const outcomes = await drained;
      expect(outcomes).toEqual([expect.objectContaining({ status: 'rejected' }), expect.objectContaining({ status: 'rejected' })]);
    } finally {
      await other.end();
      // Reset first: a client still waiting for a dropped reply would hold destroy() up.
      await proxy.close();
      await proxiedDb.destroy();
    }
    // The drainer job retries (a failed run is re-delivered with repairCache): the items are final,
    // nothing is executed or audited again, and the teams' caches are invalidated now.
    const retried = await createDrainStep(env.services)(teams.map((teamId) => ({ teamId, repairCache: true })));
    expect(retried).toEqual(teams.map(() => ({ status: 'fulfilled', value: { drained: true } })));
    for (const [index, teamId] of teams.entries()) {
      expect(await itemsByStatus(teamId)).toEqual({ deleted: 3 });
      expect(await auditedDeletions(teamId)).toBe(3);
      expect(await generation(teamId)).toBeGreaterThan(generationsBefore[index]!);
    }
  });
});

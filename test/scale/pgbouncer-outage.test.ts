// Faults behind and of PgBouncer, as production makes them: the Postgres host goes away behind the
// pooler (its server connections reset, new ones refused) and comes back on the same address; the
// pooler itself is killed and restarted. This file starts a PgBouncer of its own (the shared one on
// 6432 is never touched), configured like scripts/test-topologies.sh's, in front of a TCP proxy to
// the local Postgres that the test cuts and restores. The API and the worker keep running
// throughout: what they answer meanwhile and that they recover by themselves is what is checked.
// Runs in the pgbouncer vitest project (test/scale/pgbouncer-*.test.ts).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jobLedger, seedEntries, waitForJob } from '../support/bulk.js';
import { createTestEnvironment, databaseUrlFor, unlimited, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { closedPort } from '../support/ports.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { currentTopology } from '../support/topology.js';
import { settlesWithin, sleep, waitUntil } from '../support/wait.js';

const PGBOUNCER_BIN = '/usr/sbin/pgbouncer';
/** PgBouncer waits server_login_retry (15 s by default) after a failed login: recovery is given far more. */
const RECOVERY_MS = 60_000;
const TEST_TIMEOUT_MS = 150_000;

/** A PgBouncer process of this file's own, in front of `upstreamPort`. */
class OwnPgbouncer {
  readonly dir = mkdtempSync(join(tmpdir(), 'dnc-pgbouncer-outage-'));
  private process: ChildProcess | undefined;

  constructor(
    readonly port: number,
    upstreamPort: number,
  ) {
    writeFileSync(
      join(this.dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `* = host=127.0.0.1 port=${upstreamPort}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        'admin_users = postgres',
        `auth_file = ${join(this.dir, 'userlist.txt')}`,
        'pool_mode = transaction',
        'max_client_conn = 200',
        'default_pool_size = 10',
        'ignore_startup_parameters = extra_float_digits,options',
        `logfile = ${join(this.dir, 'pgbouncer.log')}`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(this.dir, 'userlist.txt'), '"postgres" ""\n');
  }

  async start(): Promise<void> {
    // PgBouncer refuses to run as root: as root, it runs as postgres (as the topology script does).
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const postgresUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(this.dir, postgresUid, -1);
    }
    const ini = join(this.dir, 'pgbouncer.ini');
    this.process = spawn(PGBOUNCER_BIN, asRoot ? ['-u', 'postgres', ini] : [ini], { stdio: 'ignore' });
    await waitUntil(
      async () => {
        const probe = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${this.port}/pgbouncer` });
        probe.on('error', () => undefined);
        return probe.connect().then(
          () => probe.end().then(() => true),
          () => false,
        );
      },
      { timeoutMs: 20_000, what: `PgBouncer on ${this.port}` },
    );
  }

  /** SIGKILL, as a crashed or OOM-killed pooler: no goodbye to its clients. */
  async kill(): Promise<void> {
    const running = this.process;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    running.kill('SIGKILL');
    await once(running, 'exit');
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let env: TestEnvironment;
let proxy: TcpProxy;
let bouncer: OwnPgbouncer;
let throughOwnPgbouncer: string;

beforeAll(async () => {
  // This file is about PgBouncer: it must never pass without one by accident.
  expect(currentTopology().pgbouncerAddress, 'run in the pgbouncer vitest project').toBeTruthy();
  expect(existsSync(PGBOUNCER_BIN), `${PGBOUNCER_BIN} (apt-get install pgbouncer)`).toBe(true);
  env = await createTestEnvironment({
    ...unlimited,
    // A bulk job paced to last several seconds, so that an outage falls in its middle.
    RATE_LIMIT_WINDOW_MS: '1000',
    DNC_WRITE_LIMIT: '20',
    DNC_WRITE_RESERVED_FOR_SYNC: '5',
    RECONCILE_INTERVAL_MS: '500',
  });
  const postgres = new URL(inject('postgresServerUrl'));
  proxy = await startTcpProxy(postgres.hostname, Number(postgres.port || 5432));
  bouncer = new OwnPgbouncer(await closedPort(), proxy.port);
  await bouncer.start();
  const database = new URL(env.env.DATABASE_URL!).pathname.slice(1);
  const url = new URL(databaseUrlFor(inject('postgresServerUrl'), database));
  url.host = `127.0.0.1:${bouncer.port}`;
  throughOwnPgbouncer = url.toString();
});
afterAll(async () => {
  await env?.cleanup();
  await bouncer?.close();
  await proxy?.close();
});

/** The answer must come rather than hang; the bound only catches a hang. */
const answered = <T>(request: Promise<T>) => settlesWithin(request, 30_000, 'a request during the fault');

/**
 * Sends `send` until it answers 200, accepting only 503 (with Retry-After) meanwhile: a fault is
 * either served or refused as unavailable, never a 500. Returns the statuses seen.
 */
async function untilServed(send: () => Promise<{ status: number; headers: Headers; body: unknown }>): Promise<number[]> {
  const statuses: number[] = [];
  await waitUntil(
    async () => {
      const result = await answered(send());
      statuses.push(result.status);
      if (result.status === 503) {
        expect(result.headers.get('retry-after')).toMatch(/^\d+$/);
        return false;
      }
      expect(result.status, `${JSON.stringify(result.body)} after ${statuses.join(', ')}`).toBe(200);
      return true;
    },
    { timeoutMs: RECOVERY_MS, intervalMs: 250, what: () => `a 200 after the fault (statuses seen: ${statuses.join(', ')})` },
  );
  return statuses;
}

async function auditedDeletions(entryId: string): Promise<number> {
  const rows = await env.services.db
    .selectFrom('audit_events')
    .select('id')
    .where('entry_id', '=', entryId)
    .where('action', '=', 'dnc.entry.deleted')
    .execute();
  return rows.length;
}

/** An API running through this file's PgBouncer, a key of `teamId`, and `count` entries of the team. */
async function apiThroughOwnPgbouncer(teamId: string, tag: string, count: number) {
  const { baseUrl } = await env.startApi({ DATABASE_URL: throughOwnPgbouncer });
  const api = client(baseUrl, (await env.createKey(teamId)).apiKey);
  return { api, ids: await seedEntries(env.services.db, teamId, tag, count) };
}

describe('the API through a PgBouncer whose Postgres goes away', () => {
  it(
    'when Postgres goes away behind PgBouncer, then a DELETE answers 503 and changes nothing; when it comes back, the same process serves it',
    async () => {
      const {
        api,
        ids: [before, during],
      } = await apiThroughOwnPgbouncer('team_pgb_outage', 'pgbout', 2);
      expect((await api.delete(`/v1/dnc/${before}`)).status).toBe(200);

      await proxy.cut();
      try {
        const refused = await answered(api.delete(`/v1/dnc/${during}`));
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
        expect((await answered(api.get('/readyz'))).status).toBe(503);
        // Refused means not done: the entry is still there.
        const still = await env.services.db.selectFrom('dnc_entries').select('id').where('id', '=', during!).executeTakeFirst();
        expect(still?.id).toBe(during);
      } finally {
        await proxy.restore();
      }

      // A 404 here would mean a DELETE answered 503 still ran once Postgres was back (it waited in
      // PgBouncer's queue): the connection of a timed-out query must be closed, not reused.
      await untilServed(() => api.delete(`/v1/dnc/${during}`));
      expect(await auditedDeletions(during!)).toBe(1);
      expect(await auditedDeletions(before!)).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'when PgBouncer itself is killed and started again, then the API answers 503 meanwhile, never 500, and serves again without a restart',
    async () => {
      const {
        api,
        ids: [warm, during, after],
      } = await apiThroughOwnPgbouncer('team_pgb_restart', 'pgbrst', 3);
      // The API's pool holds open connections to the pooler when it dies.
      expect((await api.delete(`/v1/dnc/${warm}`)).status).toBe(200);

      await bouncer.kill();
      const refused = await answered(api.delete(`/v1/dnc/${during}`));
      expect(refused.status).toBe(503);
      await bouncer.start();

      const statuses = await untilServed(() => api.delete(`/v1/dnc/${during}`));
      expect(statuses.at(-1)).toBe(200);
      expect((await api.delete(`/v1/dnc/${after}`)).status).toBe(200);
      for (const id of [warm!, during!, after!]) expect(await auditedDeletions(id)).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('a bulk job through a PgBouncer whose Postgres goes away mid-drain', () => {
  it(
    'when Postgres is gone for a few seconds while the worker drains, then the job still ends with every item final once and one audit event per deletion',
    async () => {
      const { baseUrl } = await env.startApi({ DATABASE_URL: throughOwnPgbouncer });
      await env.startWorker({ DATABASE_URL: throughOwnPgbouncer });
      const { apiKey } = await env.createKey('team_pgb_bulk');
      const api = client(baseUrl, apiKey);
      const ids = await seedEntries(env.services.db, 'team_pgb_bulk', 'pgbbulk', 90);
      const submitted = await api.post('/v1/dnc/bulk-delete', { ids: [...ids, 'dnc_pgbbulkmissing'], reason: 'pgbouncer outage' });
      expect(submitted.status).toBe(202);
      const jobId = submitted.body.data.$id as string;

      // Cut once some items are done and some are not (15 bulk writes a second: about 6 s of work).
      await waitUntil(
        async () => {
          const polled = await api.get(`/v1/dnc/bulk-delete/${jobId}`);
          return polled.status === 200 && polled.body.data.processed >= 15;
        },
        { timeoutMs: 60_000, what: 'the job half-way' },
      );
      await proxy.cut();
      await sleep(3_000);
      await proxy.restore();

      const job = await waitForJob(api, jobId, 120_000, 250);
      expect(job.status).toBe('completed');
      const ledger = await jobLedger(env.services.db, jobId);
      expect(ledger.items).toHaveLength(ids.length + 1);
      expect(ledger.byStatus).toEqual({ deleted: ids.length, not_found: 1 });
      expect(ledger.deletedItems).toEqual([...ids].sort());
      expect(ledger.auditedEntries).toEqual([...ids].sort());
      expect(ledger.distinctAudited).toBe(ids.length);
      const left = await env.services.db.selectFrom('dnc_entries').select('id').where('team_id', '=', 'team_pgb_bulk').execute();
      expect(left).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'when Postgres is gone for a few seconds while two more workers drain three teams, then every job still ends with each item final once and one audit event per deletion',
    async () => {
      const { baseUrl } = await env.startApi({ DATABASE_URL: throughOwnPgbouncer });
      // Two workers of this test's own (in-process, each with its own pools and BullMQ
      // connections, all through the pooler), beside any this file started before.
      const executedBy = [0, 0];
      for (const worker of [0, 1]) {
        await env.startWorker(
          { DATABASE_URL: throughOwnPgbouncer },
          {
            onItemOutcomes: (outcomes) => {
              for (const count of Object.values(outcomes)) executedBy[worker]! += count;
            },
          },
        );
      }
      const teams = ['team_pgb_fleet_a', 'team_pgb_fleet_b', 'team_pgb_fleet_c'];
      const ITEMS = 150;
      const jobs = await Promise.all(
        teams.map(async (teamId, index) => {
          const api = client(baseUrl, (await env.createKey(teamId)).apiKey);
          const ids = await seedEntries(env.services.db, teamId, `pgbfleet${index}x`, ITEMS);
          const submitted = await api.post('/v1/dnc/bulk-delete', { ids, reason: 'pgbouncer outage, several workers' });
          expect(submitted.status).toBe(202);
          return { teamId, api, ids, jobId: submitted.body.data.$id as string };
        }),
      );
      const processedOf = async (jobId: string) =>
        (await env.services.db.selectFrom('bulk_jobs').select('finished_items').where('id', '=', jobId).executeTakeFirstOrThrow())
          .finished_items;

      // Cut while every team is part-way (15 bulk writes a second each: about 10 s of work a team).
      await waitUntil(async () => (await Promise.all(jobs.map(({ jobId }) => processedOf(jobId)))).every((processed) => processed >= 15), {
        timeoutMs: 60_000,
        intervalMs: 100,
        what: 'every job part-way',
      });
      await proxy.cut();
      // Read directly, not through the pooler: no job was finished when Postgres went away.
      for (const { jobId } of jobs) expect(await processedOf(jobId)).toBeLessThan(ITEMS);
      await sleep(3_000);
      await proxy.restore();

      for (const { teamId, api, ids, jobId } of jobs) {
        const job = await waitForJob(api, jobId, 120_000, 250);
        expect(job.status).toBe('completed');
        const ledger = await jobLedger(env.services.db, jobId);
        expect(ledger.byStatus).toEqual({ deleted: ids.length });
        expect(ledger.deletedItems).toEqual([...ids].sort());
        expect(ledger.auditedEntries).toEqual([...ids].sort());
        expect(ledger.distinctAudited).toBe(ids.length);
        const left = await env.services.db.selectFrom('dnc_entries').select('id').where('team_id', '=', teamId).execute();
        expect(left).toEqual([]);
      }
      // Both of this test's workers drained part of it.
      expect(
        executedBy.every((executed) => executed > 0),
        `items executed by each worker: ${executedBy.join(', ')}`,
      ).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});

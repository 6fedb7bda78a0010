// `pnpm bench`: measures the hot paths side by side in one run, against the local Postgres and
// Redis (DATABASE_URL / REDIS_URL), in a throw-away database and Redis prefix.
//
//   1. DELETE /v1/dnc/{id} latency through the real API (the seed promises 150–200 ms).
//   2. GET /v1/dnc/check: cached answer vs. a cache miss that asks Postgres.
//   3. Storing a 10,000-id bulk submission: one INSERT … SELECT unnest vs. a row-per-statement loop.
//   4. Executing 25 bulk items: one drain_batch statement vs. 25 synchronous single deletes.
//   5. The 503 while Postgres or Redis is down (connection refused) or silent (accepts, never answers).
//   6. SIGTERM to exit of an idle API process.
//   7. A 30-item job of team B while team A has 100,000 items pending, through the real worker.
//   8. A 1,000-URL scrub (cold and warm cache), and list pages 1 vs 100,000 rows deep, by offset
//      and by cursor (bench/scrub-and-pages.ts).
// Then, through the COMPILED processes (`pnpm bench` builds first), each against its floor in the
// same run (issue 11):
//   9. DELETE /v1/dnc/{id}: the API vs. a node:http floor doing the same work (bench/sync-delete.ts).
//  10. The bulk drain vs. one delete+audit statement per team, and a 1,000,000-item backlog: RSS
//      and a new team's job (bench/drain.ts).
//  11. The take-over time after a worker is SIGKILLed mid-batch (bench/takeover.ts).
// 5-7 are the timings the tests no longer assert (a busy machine would fail them): the tests check
// the behaviour (a 503 rather than a hang, an exit by itself, B done while A's backlog is there).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  createLogger,
  createServices,
  deleteEntry,
  ensureDatabaseExists,
  executeBatch,
  loadConfig,
  maintenanceUrl,
  migrateToLatest,
  submitBulkDeletion,
} from '@dnc/shared';
import { sql } from 'kysely';
import pg from 'pg';
import { createApp } from '../apps/api/src/app.js';
import { startDrainer } from '../apps/worker/src/drainer.js';
import { drainBenchmarks } from './drain.js';
import { scrubAndPageBenchmarks } from './scrub-and-pages.js';
import { syncDeleteBenchmark } from './sync-delete.js';
import { takeoverBenchmark } from './takeover.js';

const base = loadConfig();
const suffix = randomBytes(4).toString('hex');
const databaseUrl = (() => {
  const url = new URL(maintenanceUrl(base.databaseUrl).url);
  url.pathname = `/dnc_bench_${suffix}`;
  return url.toString();
})();
const configEnv: Record<string, string> = {
  DATABASE_URL: databaseUrl,
  REDIS_URL: base.redisUrl,
  REDIS_PREFIX: `bench_${suffix}`,
  LOG_LEVEL: 'silent',
  DNC_WRITE_LIMIT: '1000000',
  DNC_READ_LIMIT: '1000000',
  DNC_BULK_LIMIT: '1000000',
  JOBS_READ_LIMIT: '1000000',
};
const config = loadConfig(configEnv);

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}
const ms = (value: number) => `${value.toFixed(2)} ms`;

async function time<T>(fn: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function main() {
  await ensureDatabaseExists(databaseUrl);
  const services = createServices(config, { name: 'bench', logger: createLogger({ level: 'silent', name: 'bench' }) });
  await migrateToLatest(services.db);
  const server = createApp(services).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { apiKey } = await services.apiKeys.create({ teamId: 'team_bench', scopes: ['dnc:read', 'dnc:write'] });
  const headers = { authorization: `Bearer ${apiKey}` };
  const seed = async (tag: string, count: number) =>
    (
      await sql<{ id: string }>`
        insert into dnc_entries (id, team_id, url)
        select 'dnc_' || ${tag}::text || n, 'team_bench', 'https://linkedin.com/in/' || ${tag}::text || '-' || n
        from generate_series(1, ${count}::int) n returning id`.execute(services.db)
    ).rows.map((r) => r.id);
  const results: string[] = [];

  try {
    // 1. Synchronous delete through HTTP.
    const deleteIds = await seed('del', 300);
    const deleteTimes: number[] = [];
    for (const id of deleteIds) {
      deleteTimes.push(await time(() => fetch(`${baseUrl}/v1/dnc/${id}`, { method: 'DELETE', headers }).then((r) => r.text())));
    }
    const del = summary(deleteTimes.slice(20));
    results.push(`DELETE /v1/dnc/{id}          p50 ${ms(del.p50)}  p95 ${ms(del.p95)}  (n=${del.n}; seed page: 150–200 ms)`);

    // 2. Check: cache hit vs. miss.
    await seed('chk', 1);
    const hits: number[] = [];
    const misses: number[] = [];
    for (let i = 0; i < 300; i++) {
      // A miss: invalidate the team's cache first (outside the timed call).
      await services.checkCache.invalidateTeam('team_bench');
      misses.push(await time(() => fetch(`${baseUrl}/v1/dnc/check?url=in/chk-1`, { headers }).then((r) => r.text())));
      hits.push(await time(() => fetch(`${baseUrl}/v1/dnc/check?url=in/chk-1`, { headers }).then((r) => r.text())));
    }
    const hit = summary(hits.slice(20));
    const miss = summary(misses.slice(20));
    results.push(
      `GET /v1/dnc/check            hit p50 ${ms(hit.p50)}  miss p50 ${ms(miss.p50)}  miss/hit ${(miss.p50 / hit.p50).toFixed(2)}x`,
    );

    // 3. Storing a 10,000-id submission.
    const ids = Array.from({ length: 10_000 }, (_, i) => `dnc_sub${i}`);
    const pace = services.drainPace;
    const oneStatement = await time(() =>
      submitBulkDeletion(services.db, { teamId: 'team_bench', apiKeyId: null, requestId: null, entryIds: ids, reason: null }, pace),
    );
    const loopJob = await submitBulkDeletion(
      services.db,
      { teamId: 'team_bench', apiKeyId: null, requestId: null, entryIds: ['dnc_x'], reason: null },
      pace,
    );
    const loop = await time(() =>
      services.db.transaction().execute(async (tx) => {
        for (let i = 0; i < ids.length; i++) {
          await tx
            .insertInto('bulk_job_items')
            .values({ job_id: loopJob.job.$id, position: i + 2, team_id: 'team_bench', entry_id: ids[i]! })
            .execute();
        }
      }),
    );
    results.push(
      `store 10,000-id submission   one statement ${ms(oneStatement)}  row-by-row loop ${ms(loop)}  loop/one ${(loop / oneStatement).toFixed(1)}x`,
    );
    await sql`update bulk_job_items set status = 'cancelled' where status = 'pending'`.execute(services.db);

    // 4. Executing 25 items: one drain_batch statement vs. 25 synchronous single deletes (deleteEntry).
    const batchTimes: number[] = [];
    const singleTimes: number[] = [];
    for (let round = 0; round < 10; round++) {
      const forBatch = await seed(`b${round}x`, 25);
      await submitBulkDeletion(
        services.db,
        { teamId: 'team_bench', apiKeyId: null, requestId: null, entryIds: forBatch, reason: null },
        pace,
      );
      batchTimes.push(await time(() => executeBatch(services.db, 'team_bench', 25)));
      const forSingles = await seed(`s${round}x`, 25);
      singleTimes.push(
        await time(async () => {
          for (const id of forSingles) {
            await deleteEntry(services, { teamId: 'team_bench', apiKeyId: null, requestId: null }, { entryId: id, reason: null });
          }
        }),
      );
    }
    const batch = summary(batchTimes);
    const singles = summary(singleTimes);
    results.push(
      `execute 25 bulk items        one batch p50 ${ms(batch.p50)}  25 single deletes p50 ${ms(singles.p50)}  singles/batch ${(singles.p50 / batch.p50).toFixed(1)}x`,
    );

    // 5. The 503 while a dependency is down: an API of its own per case, the key in the real database.
    const silentSockets = new Set<Socket>();
    const silent = createServer((socket) => {
      silentSockets.add(socket);
      socket.on('error', () => undefined);
    }).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const silentPort = (silent.address() as AddressInfo).port;
    const downCases: [string, Record<string, string>, number][] = [
      ['Postgres refused', { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }, 20],
      ['Redis refused', { REDIS_URL: 'redis://127.0.0.1:1' }, 5],
      ['Postgres silent', { DATABASE_URL: `postgres://postgres@127.0.0.1:${silentPort}/none` }, 3],
      ['Redis silent', { REDIS_URL: `redis://127.0.0.1:${silentPort}` }, 3],
    ];
    const downFigures: string[] = [];
    try {
      for (const [name, overrides, n] of downCases) {
        const downServices = createServices(loadConfig({ ...configEnv, ...overrides }), {
          name: 'bench-down',
          logger: createLogger({ level: 'silent', name: 'bench-down' }),
        });
        const downServer = createApp(downServices).listen(0, '127.0.0.1');
        await once(downServer, 'listening');
        const downUrl = `http://127.0.0.1:${(downServer.address() as AddressInfo).port}`;
        const times: number[] = [];
        try {
          for (let i = 0; i < n; i++) {
            let status = 0;
            times.push(
              await time(async () => {
                const response = await fetch(`${downUrl}/v1/dnc/check?url=in/chk-1`, { headers });
                status = response.status;
                await response.text();
              }),
            );
            if (status !== 503) throw new Error(`${name}: answered ${status}, not 503`);
          }
        } finally {
          downServer.closeAllConnections();
          await new Promise((resolve) => downServer.close(resolve));
          await downServices.close();
          // close() QUITs, which a Redis that never answered does not take: stop its reconnecting too.
          downServices.redis.disconnect();
        }
        const down = summary(times);
        downFigures.push(`${name} p50 ${ms(down.p50)} max ${ms(Math.max(...times))} (n=${down.n})`);
      }
    } finally {
      for (const socket of silentSockets) socket.destroy();
      silent.close();
    }
    results.push(`503 with a dependency down   ${downFigures.slice(0, 2).join('  ')}`);
    results.push(`                              ${downFigures.slice(2).join('  ')}`);

    // 6. SIGTERM to exit of an idle API process (after one request, its connection kept alive).
    const exits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const child = spawn(process.execPath, ['--conditions=@dnc/source', '--import', 'tsx', 'apps/api/src/main.ts'], {
        // eslint-disable-next-line no-restricted-properties
        env: { PATH: process.env.PATH ?? '', ...configEnv, PORT: '0', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const port = await new Promise<number>((resolve, reject) => {
        let output = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          output += chunk;
          const listening = /"port":(\d+)[^\n]*"msg":"API listening"|"msg":"API listening"[^\n]*"port":(\d+)/.exec(output);
          if (listening) resolve(Number(listening[1] ?? listening[2]));
        });
        child.once('exit', (code) => reject(new Error(`the API exited (${code}) before listening:\n${output}`)));
      });
      await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.text());
      const exited = once(child, 'exit');
      exits.push(
        await time(async () => {
          child.kill('SIGTERM');
          await exited;
        }),
      );
    }
    const exit = summary(exits);
    results.push(`idle API SIGTERM to exit     p50 ${ms(exit.p50)}  max ${ms(Math.max(...exits))}  (n=${exit.n})`);

    // 7. Fairness: B's 30-item job behind A's 100,000 pending items, at 25 bulk items a window each.
    const fairEnv = { ...configEnv, RATE_LIMIT_WINDOW_MS: '1000', DNC_WRITE_LIMIT: '30', DNC_WRITE_RESERVED_FOR_SYNC: '5' };
    const workerServices = createServices(loadConfig(fairEnv), {
      name: 'bench-worker',
      logger: createLogger({ level: 'silent', name: 'bench-worker' }),
    });
    const drainer = startDrainer(workerServices);
    const keyOf = async (teamId: string) => ({
      authorization: `Bearer ${(await services.apiKeys.create({ teamId, scopes: ['dnc:read', 'dnc:write'] })).apiKey}`,
      'content-type': 'application/json',
    });
    const submitIds = async (teamHeaders: Record<string, string>, ids: string[]) => {
      const response = await fetch(`${baseUrl}/v1/dnc/bulk-delete`, {
        method: 'POST',
        headers: teamHeaders,
        body: JSON.stringify({ ids }),
      });
      if (response.status !== 202) throw new Error(`bulk-delete answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { data: { $id: string } }).data.$id;
    };
    const fairTimes: number[] = [];
    let pendingA = 0;
    try {
      await drainer.waitUntilReady();
      const headersA = await keyOf('team_fair_a');
      for (let chunk = 0; chunk < 10; chunk++) {
        await submitIds(
          headersA,
          Array.from({ length: 10_000 }, (_, i) => `dnc_fairA${chunk}x${i}`),
        );
      }
      for (let round = 0; round < 3; round++) {
        const teamB = `team_fair_b${round}`;
        const headersB = await keyOf(teamB);
        const idsB = (
          await sql<{ id: string }>`
            insert into dnc_entries (id, team_id, url)
            select 'dnc_fairB' || ${round}::int || 'x' || n, ${teamB}::text, 'https://linkedin.com/in/fair-b' || ${round}::int || '-' || n
            from generate_series(1, 30) n returning id`.execute(services.db)
        ).rows.map((r) => r.id);
        fairTimes.push(
          await time(async () => {
            const jobId = await submitIds(headersB, idsB);
            for (;;) {
              const polled = await fetch(`${baseUrl}/v1/dnc/bulk-delete/${jobId}`, { headers: headersB });
              if (((await polled.json()) as { data: { status: string } }).data.status === 'completed') return;
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
          }),
        );
      }
      pendingA = (
        await sql<{
          n: number;
        }>`select count(*)::int as n from bulk_job_items where team_id = 'team_fair_a' and status = 'pending'`.execute(services.db)
      ).rows[0]!.n;
    } finally {
      await drainer.stop();
      await workerServices.close();
    }
    const fair = summary(fairTimes);
    results.push(
      `30 items behind 100,000      p50 ${ms(fair.p50)}  max ${ms(Math.max(...fairTimes))}  (n=${fair.n}; team A still had ${pendingA.toLocaleString('en-US')} pending)`,
    );

    // 8. The scrub and deep pages.
    results.push(...(await scrubAndPageBenchmarks(services, baseUrl)));
  } finally {
    server.closeAllConnections();
    server.close();
    const keys = await services.redis.keys(`${config.redisPrefix}:*`);
    if (keys.length) await services.redis.del(...keys);
    await services.close();
    const admin = new pg.Client({ connectionString: maintenanceUrl(base.databaseUrl).url });
    await admin.connect();
    await admin.query(`drop database if exists ${pg.escapeIdentifier(`dnc_bench_${suffix}`)} with (force)`);
    await admin.end();
  }
  console.log(`DNC service benchmarks (${new Date().toISOString()}, node ${process.version})`);
  for (const line of results) console.log(`  ${line}`);

  // The compiled processes, one section after another (each starts and stops its own).
  console.log('Hot paths vs. their floors, compiled build (issue 11)');
  for (const line of (await syncDeleteBenchmark()).lines) console.log(`  ${line}`);
  for (const line of (await drainBenchmarks()).lines) console.log(`  ${line}`);
  for (const line of (await takeoverBenchmark()).lines) console.log(`  ${line}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

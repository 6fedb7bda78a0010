// `pnpm bench`: measures the hot paths side by side in one run, against the local Postgres and
// Redis (DATABASE_URL / REDIS_URL), in a throw-away database and Redis prefix.
//
//   1. DELETE /v1/dnc/{id} latency through the real API (the seed promises 150–200 ms).
//   2. GET /v1/dnc/check: cached answer vs. a cache miss that asks Postgres.
//   3. Storing a 10,000-id bulk submission: one INSERT … SELECT unnest vs. a row-per-statement loop.
//   4. Executing 25 bulk items: one batch transaction vs. 25 single-item transactions.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  createLogger,
  createServices,
  deleteEntries,
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

const base = loadConfig();
const suffix = randomBytes(4).toString('hex');
const databaseUrl = (() => {
  const url = new URL(maintenanceUrl(base.databaseUrl).url);
  url.pathname = `/dnc_bench_${suffix}`;
  return url.toString();
})();
const config = loadConfig({
  DATABASE_URL: databaseUrl,
  REDIS_URL: base.redisUrl,
  REDIS_PREFIX: `bench_${suffix}`,
  LOG_LEVEL: 'silent',
  DNC_WRITE_LIMIT: '1000000',
  DNC_READ_LIMIT: '1000000',
  DNC_BULK_LIMIT: '1000000',
  JOBS_READ_LIMIT: '1000000',
});

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

    // 4. Executing 25 items: one batch transaction vs. 25 single-item transactions.
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
            await deleteEntries(services.db, 'team_bench', 'bulk', [
              { entryId: id, reason: null, apiKeyId: null, requestId: null, jobId: null },
            ]);
          }
        }),
      );
    }
    const batch = summary(batchTimes);
    const singles = summary(singleTimes);
    results.push(
      `execute 25 bulk items        one batch p50 ${ms(batch.p50)}  25 single deletes p50 ${ms(singles.p50)}  singles/batch ${(singles.p50 / batch.p50).toFixed(1)}x`,
    );
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
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

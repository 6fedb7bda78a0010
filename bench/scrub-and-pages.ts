// `pnpm bench` part 8 (bench/run.ts calls scrubAndPageBenchmarks()): the v1.1 read paths an
// outreach team leans on, through the real API against the bench's Postgres and Redis.
//
//   (a) POST /v1/dnc/check with 1,000 URLs: cold (the team's cache just invalidated: one cache
//       read, one query, one cache write) and warm (every answer cached: one cache read), next to
//       the same 1,000 URLs checked one GET /v1/dnc/check at a time.
//   (b) GET /v1/dnc at page 1 and 100,000 rows deep, by offset and by cursor, on a team with
//       110,000 entries: OFFSET reads and discards every row before the page; a cursor page is a
//       keyset query and costs the same at any depth.
import { performance } from 'node:perf_hooks';
import type { Services } from '@dnc/shared';
import { sql } from 'kysely';

const SCRUB_URLS = 1_000;
const SCRUB_ROUNDS = 30;
const LIST_ROWS = 110_000;
const SEED_CHUNK = 10_000;
const DEPTH = 100_000;
const PAGE = 50;
const LIST_ROUNDS = 40;

const p50 = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
const ms = (value: number) => `${value.toFixed(2)} ms`;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

export async function scrubAndPageBenchmarks(services: Services, baseUrl: string): Promise<string[]> {
  const teamId = 'team_bench_pages';
  const { apiKey } = await services.apiKeys.create({ teamId, scopes: ['dnc:read', 'dnc:write'] });
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const get = async (path: string) => {
    const response = await fetch(`${baseUrl}${path}`, { headers });
    const body = (await response.json()) as { data: Record<string, unknown> };
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${JSON.stringify(body)}`);
    return body.data;
  };
  // One creation time per row, a millisecond apart, newest first; in chunks (each statement must
  // end within the database's 4 s statement_timeout on a busy machine).
  const now = new Date();
  for (let from = 1; from <= LIST_ROWS; from += SEED_CHUNK) {
    await sql`
      insert into dnc_entries (id, team_id, url, created_at, updated_at)
      select 'dnc_pages' || n, ${teamId}::text, 'https://linkedin.com/in/pages-' || n,
        ${now}::timestamptz - n * interval '1 millisecond', ${now}::timestamptz - n * interval '1 millisecond'
      from generate_series(${from}::int, ${Math.min(LIST_ROWS, from + SEED_CHUNK - 1)}::int) n`.execute(services.db);
  }
  await sql`analyze dnc_entries`.execute(services.db);
  const results: string[] = [];

  // (a) A 1,000-URL scrub, one in ten of them listed.
  const urls = Array.from({ length: SCRUB_URLS }, (_, i) =>
    i % 10 === 0 ? `in/pages-${i + 1}` : `https://www.linkedin.com/in/prospect-${i}/`,
  );
  const scrub = async () => {
    const response = await fetch(`${baseUrl}/v1/dnc/check`, { method: 'POST', headers, body: JSON.stringify({ urls }) });
    const body = (await response.json()) as { data: { onList: number } };
    if (response.status !== 200 || body.data.onList !== SCRUB_URLS / 10) throw new Error(`scrub answered ${response.status}`);
  };
  await scrub();
  const cold: number[] = [];
  const warm: number[] = [];
  for (let round = 0; round < SCRUB_ROUNDS; round++) {
    await services.checkCache.invalidateTeam(teamId);
    cold.push(await timed(scrub));
    warm.push(await timed(scrub));
  }
  const singles = await timed(async () => {
    for (const url of urls) await get(`/v1/dnc/check?url=${encodeURIComponent(url)}`);
  });
  results.push(
    `scrub (POST /v1/dnc/check)   1,000 URLs cold p50 ${ms(p50(cold))}  warm p50 ${ms(p50(warm))}  (n=${SCRUB_ROUNDS}; as 1,000 single warm GETs: ${ms(singles)})`,
  );

  // (b) Page 1 vs 100,000 rows deep. The cursors come from the pages just before.
  const firstPage = await get(`/v1/dnc?limit=${PAGE}`);
  const secondCursor = firstPage.nextCursor as string;
  const deepCursor = (await get(`/v1/dnc?limit=${PAGE}&offset=${DEPTH - PAGE}`)).nextCursor as string;
  const deepByCursor = await get(`/v1/dnc?limit=${PAGE}&cursor=${deepCursor}`);
  const deepByOffset = await get(`/v1/dnc?limit=${PAGE}&offset=${DEPTH}`);
  if (JSON.stringify(deepByCursor.entries) !== JSON.stringify(deepByOffset.entries)) throw new Error('cursor and offset pages differ');
  const cases: [string, string][] = [
    ['offset page 1', `/v1/dnc?limit=${PAGE}`],
    ['offset at 100,000', `/v1/dnc?limit=${PAGE}&offset=${DEPTH}`],
    ['cursor page 2', `/v1/dnc?limit=${PAGE}&cursor=${secondCursor}`],
    ['cursor at 100,000', `/v1/dnc?limit=${PAGE}&cursor=${deepCursor}`],
  ];
  const samples = new Map(cases.map(([name]) => [name, [] as number[]]));
  for (let round = 0; round < LIST_ROUNDS; round++) {
    for (const [name, path] of cases) samples.get(name)!.push(await timed(() => get(path)));
  }
  const figure = (name: string) => ms(p50(samples.get(name)!));
  results.push(
    `GET /v1/dnc page 1 vs deep   by offset: page 1 p50 ${figure('offset page 1')}  100,000 rows deep p50 ${figure('offset at 100,000')}`,
    `                              by cursor: page 2 p50 ${figure('cursor page 2')}  100,000 rows deep p50 ${figure('cursor at 100,000')}  (n=${LIST_ROUNDS}; ${LIST_ROWS.toLocaleString('en-US')} rows, limit ${PAGE}; an offset page also counts the list for its total)`,
  );

  return results;
}

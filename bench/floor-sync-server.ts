// NOT PRODUCT CODE. A benchmark floor for `DELETE /v1/dnc/{id}` (issue 11): a plain `node:http`
// server doing the same semantic work as the API and nothing else, to show what this machine can
// do for that work. It skips everything a product needs (validation of the contract's inputs,
// error codes, logs, metrics, outage handling, key revocation); never deploy or import it.
//
// Per request: look the API key up in memory, one sliding-window Lua call (ZREMRANGEBYSCORE,
// ZCARD, ZADD, PEXPIRE), one statement that deletes the row and inserts its audit row, one INCR of
// the team's cache generation, a JSON answer.
//
//   node bench/floor-sync-server.ts <keys.json> <port>
// keys.json: { "<api key>": "<team id>", … }. Reads DATABASE_URL, REDIS_URL, REDIS_PREFIX.
// Prints `listening <port>` on stdout once it accepts requests.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';

/* eslint-disable no-restricted-properties -- a bench process, not the product: it reads its own env. */
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/dnc';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = process.env.REDIS_PREFIX ?? 'dnc';
/* eslint-enable no-restricted-properties */
const [keysFile, portArgument] = process.argv.slice(2);
if (!keysFile) throw new Error('usage: node bench/floor-sync-server.ts <keys.json> [port]');

const WINDOW_MS = 60_000;
const LIMIT = 1_000_000;
const teamOfKey = new Map(Object.entries(JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, string>));

const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
const redis = new Redis(redisUrl);
redis.defineCommand('slidingWindow', {
  numberOfKeys: 1,
  lua: `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
local used = redis.call('ZCARD', KEYS[1])
if used >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`,
});
const slidingWindow = (key: string, member: string) =>
  (redis as unknown as { slidingWindow(...args: (string | number)[]): Promise<number> }).slidingWindow(key, WINDOW_MS, LIMIT, member);

// An unnamed statement, parsed and planned on every call, as the API's (named ones would not
// survive PgBouncer in transaction mode).
const deleteAndAudit = {
  text: `with deleted as (
    delete from dnc_entries where id = $1 and team_id = $2 returning id, url
  ), audited as (
    insert into audit_events (id, team_id, action, entry_id, url, reason, api_key_id, source, request_id)
    select $3, $2, 'dnc.entry.deleted', id, url, $4, null, 'api', $5 from deleted
  )
  select count(*)::int as deleted from deleted`,
};

const ENTRY_PATH = /^\/v1\/dnc\/(dnc_[A-Za-z0-9]+)(?:\?|$)/;

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer((req, res) => {
  const match = req.method === 'DELETE' ? ENTRY_PATH.exec(req.url ?? '') : null;
  const token = req.headers.authorization?.slice('Bearer '.length);
  const teamId = token === undefined ? undefined : teamOfKey.get(token);
  if (!match || !teamId) {
    reply(res, match ? 401 : 404, { error: match ? 'invalid_api_key' : 'not_found', data: null });
    return;
  }
  const requestId = randomBytes(12).toString('base64url');
  void (async () => {
    const admitted = await slidingWindow(`${prefix}:{${teamId}}:ratelimit:dnc-write`, requestId);
    if (!admitted) return reply(res, 429, { error: 'rate_limit_exceeded', data: null });
    const result = await pool.query<{ deleted: number }>({
      ...deleteAndAudit,
      values: [match[1], teamId, `aud_${requestId}`, null, requestId],
    });
    if (result.rows[0]!.deleted === 0) return reply(res, 404, { error: 'not_found', data: null });
    await redis.incr(`${prefix}:{${teamId}}:check-generation`);
    reply(res, 200, { error: null, data: { message: 'DNC entry deleted successfully' } });
  })().catch((error: unknown) => reply(res, 500, { error: 'internal_error', data: null, message: String(error) }));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(portArgument ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void Promise.allSettled([pool.end(), redis.quit()]).then(() => process.exit(0));
});

import { Redis, type RedisOptions } from 'ioredis';
import type { OutageLog } from './outage-log.js';

// Commands fail after this long instead of waiting for a Redis that is gone (→ 503, never a hang).
const COMMAND_TIMEOUT_MS = 1_000;

/** A connection for request paths: fails fast when Redis is unreachable. */
export function createRedis(redisUrl: string, overrides: RedisOptions = {}): Redis {
  return new Redis(redisUrl, {
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: COMMAND_TIMEOUT_MS * 2,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    // Keep trying to reconnect, at most every 2 s.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    lazyConnect: false,
    ...overrides,
  });
}

/**
 * Reports a connection's outages to the process's outage log. ioredis emits 'error' on every failed
 * reconnect (several a second): the log turns them into one line when Redis goes and one when it
 * is back. The listener also keeps an unhandled 'error' from reaching ioredis's console fallback.
 */
export function watchRedis(client: Redis, outageLog: OutageLog, source: string): Redis {
  client.on('error', (error: Error) => outageLog.failed(source, error));
  client.on('ready', () => outageLog.healthy(source));
  return client;
}

/**
 * Every Redis key of the service starts with `<prefix>:` and puts the team in a hash tag, so a
 * team's keys share one Redis Cluster slot and multi-key scripts stay legal there.
 */
export function teamKey(prefix: string, teamId: string, ...parts: string[]): string {
  return [prefix, `{${teamId}}`, ...parts].join(':');
}

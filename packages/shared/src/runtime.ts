// Wiring shared by every process: the connections and the services built on them.
import { sql } from 'kysely';
import { ApiKeyService } from './api-keys.js';
import type { DrainPace } from './bulk/job-view.js';
import { createBulkQueues, type BulkQueues } from './bulk-queue.js';
import { CheckCache } from './check-cache.js';
import type { Config } from './config.js';
import { createDb, QUERY_TIMEOUT_MS, type Db } from './db/database.js';
import { createLogger, type Logger } from './logger.js';
import { RateLimiter } from './rate-limiter.js';
import { TeamLimits } from './team-limits.js';
import { createOutageLogs, type OutageLogs } from './outage-log.js';
import { createRedisClient, describeRedisTarget, lastConnectionError, pingRedis, watchRedis, type RedisClient } from './redis.js';

export interface Services {
  config: Config;
  logger: Logger;
  db: Db;
  /** For request paths: a single Redis or a cluster client (REDIS_CLUSTER_NODES), with a command deadline. */
  redis: RedisClient;
  /** One line when Postgres or Redis goes away, one when it is back. */
  outages: OutageLogs;
  rateLimiter: RateLimiter;
  /** Each team's own rate limits (Postgres), cached per process for at most 5 s. */
  teamLimits: TeamLimits;
  checkCache: CheckCache;
  apiKeys: ApiKeyService;
  /** The drainer queues, one per shard (BULK_QUEUE_SHARDS). */
  bulkQueue: BulkQueues;
  drainPace: DrainPace;
  close(): Promise<void>;
}

export function createServices(config: Config, options: { name: string; logger?: Logger }): Services {
  const logger = options.logger ?? createLogger({ level: config.logLevel, name: options.name });
  const outages = createOutageLogs(logger);
  const db = createDb(config.databaseUrl, { outageLog: outages.postgres });
  const redis = watchRedis(createRedisClient(config, 'requests'), outages.redis, 'main');
  const bulkQueue = createBulkQueues(config, redis);
  // BullMQ re-emits connection errors on the queue and prints unhandled ones with their stack;
  // the connection's own handler above already logs an outage once.
  bulkQueue.on('error', () => undefined);
  const reserve = config.rateLimit.writeReservedForSync;
  const teamLimits = new TeamLimits(db, { defaults: config.rateLimit.limits, writeReservedForSync: reserve });
  return {
    config,
    logger,
    db,
    redis,
    outages,
    rateLimiter: new RateLimiter(redis, { prefix: config.redisPrefix, ...config.rateLimit, teamLimits }),
    teamLimits,
    checkCache: new CheckCache(redis, { prefix: config.redisPrefix, ttlMs: config.checkCacheTtlMs }),
    apiKeys: new ApiKeyService(db, config.apiKeyPepper),
    bulkQueue,
    drainPace: {
      itemsPerWindow: config.rateLimit.limits['dnc-write'] - reserve,
      itemsPerWindowOf: async (teamId) => (await teamLimits.limitOf(teamId, 'dnc-write')) - reserve,
      windowMs: config.rateLimit.windowMs,
    },
    async close() {
      await bulkQueue.close().catch(() => undefined);
      await Promise.allSettled([db.destroy(), redis.quit()]);
    },
  };
}

/** A URL fit for an error message: the password is masked. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export const howToStart = {
  postgres:
    'start it (here: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start; with Docker: docker compose up -d postgres) or set DATABASE_URL',
  redis: 'start it (here: redis-server --daemonize yes; with Docker: docker compose up -d redis) or set REDIS_URL',
  redisCluster:
    'start its nodes (here: scripts/test-topologies.sh start redis-cluster) or fix REDIS_CLUSTER_NODES (any reachable master or replica of the cluster)',
};

/** Fails with one readable line when Postgres or Redis cannot be reached at boot. */
export async function checkDependencies(services: Pick<Services, 'config' | 'db' | 'redis' | 'logger'>): Promise<void> {
  let statementTimeoutMs: number;
  try {
    // pg_settings gives statement_timeout in ms.
    const shown = await sql<{ setting: string }>`select setting from pg_settings where name = 'statement_timeout'`.execute(services.db);
    statementTimeoutMs = Number(shown.rows[0]?.setting ?? 0);
  } catch (error) {
    throw new Error(
      `Cannot reach Postgres at ${displayUrl(services.config.databaseUrl)} (${(error as Error).message}): ${howToStart.postgres}`,
    );
  }
  try {
    await pingRedis(services.redis);
  } catch (error) {
    if (services.config.redisClusterNodes) {
      throw new Error(
        `Cannot reach the Redis Cluster at ${describeRedisTarget(services.config)} (${clusterFailure(error, services.redis)}): ${howToStart.redisCluster}`,
      );
    }
    throw new Error(`Cannot reach Redis at ${displayUrl(services.config.redisUrl)} (${(error as Error).message}): ${howToStart.redis}`);
  }
  warnOfStatementTimeout(services.logger, statementTimeoutMs);
}

/**
 * A warning when Postgres would let a statement run past the client's query timeout: the
 * migration sets the database's statement_timeout below it, but a role-level setting, an
 * `options=-c statement_timeout=…` in DATABASE_URL or a session opened before the migration
 * overrides that, and a write answered 503 could then still commit afterwards. Behind PgBouncer
 * this reads one server session's value.
 */
function warnOfStatementTimeout(logger: Logger, statementTimeoutMs: number): void {
  if (statementTimeoutMs > 0 && statementTimeoutMs < QUERY_TIMEOUT_MS) return;
  logger.warn(
    { statementTimeoutMs, queryTimeoutMs: QUERY_TIMEOUT_MS },
    `Postgres lets a statement of this session run ${statementTimeoutMs === 0 ? 'without limit' : `${statementTimeoutMs} ms`} ` +
      `(statement_timeout), not less than the ${QUERY_TIMEOUT_MS} ms after which the service gives up on it and answers 503: ` +
      'such a write could still commit after its 503. Run pnpm db:migrate (it sets the database default), ' +
      'and look for a role-level or DATABASE_URL statement_timeout that overrides it.',
  );
}

/** Why a cluster client failed: the command's error, and the connection error behind it ("Command timed out" alone says little). */
function clusterFailure(error: unknown, client: RedisClient): string {
  const seen = lastConnectionError(client);
  const cause = seen && ((seen as { lastNodeError?: Error }).lastNodeError ?? seen);
  return [(error as Error).message, seen?.message, cause !== seen ? cause?.message : undefined].filter(Boolean).join(': ');
}

/** True when both stores answer within the deadline (for /readyz). */
export async function dependenciesReady(
  services: Pick<Services, 'db' | 'redis'>,
  timeoutMs = 1_500,
): Promise<{ postgres: boolean; redis: boolean }> {
  const within = <T>(promise: Promise<T>) =>
    Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false))]).catch(() => false);
  const [postgres, redis] = await Promise.all([within(sql`select 1`.execute(services.db)), within(pingRedis(services.redis))]);
  return { postgres, redis };
}

/** What GET /readyz of every process reports: ready when both Postgres and Redis answer. */
export async function readinessReport(
  services: Pick<Services, 'db' | 'redis'>,
): Promise<{ ready: boolean; checks: { postgres: boolean; redis: boolean } }> {
  const checks = await dependenciesReady(services);
  return { ready: checks.postgres && checks.redis, checks };
}

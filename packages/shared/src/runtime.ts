// Wiring shared by every process: the connections and the services built on them.
import { sql } from 'kysely';
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import { ApiKeyService } from './api-keys.js';
import type { DrainPace } from './bulk/job-view.js';
import { createBulkQueue, type DrainJobData } from './bulk-queue.js';
import { CheckCache } from './check-cache.js';
import type { Config } from './config.js';
import { createDb, type Db } from './db/database.js';
import { createLogger, type Logger } from './logger.js';
import { RateLimiter } from './rate-limiter.js';
import { TeamLimits } from './team-limits.js';
import { createOutageLogs, type OutageLogs } from './outage-log.js';
import { createRedis, watchRedis } from './redis.js';

export interface Services {
  config: Config;
  logger: Logger;
  db: Db;
  redis: Redis;
  /** One line when Postgres or Redis goes away, one when it is back. */
  outages: OutageLogs;
  rateLimiter: RateLimiter;
  /** Each team's own rate limits (Postgres), cached per process for at most 5 s. */
  teamLimits: TeamLimits;
  checkCache: CheckCache;
  apiKeys: ApiKeyService;
  bulkQueue: Queue<DrainJobData>;
  drainPace: DrainPace;
  close(): Promise<void>;
}

export function createServices(config: Config, options: { name: string; logger?: Logger }): Services {
  const logger = options.logger ?? createLogger({ level: config.logLevel, name: options.name });
  const outages = createOutageLogs(logger);
  const db = createDb(config.databaseUrl, { outageLog: outages.postgres });
  const redis = watchRedis(createRedis(config.redisUrl), outages.redis, 'main');
  const bulkQueue = createBulkQueue(config, redis);
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
};

/** Fails with one readable line when Postgres or Redis cannot be reached at boot. */
export async function checkDependencies(services: Pick<Services, 'config' | 'db' | 'redis'>): Promise<void> {
  try {
    await sql`select 1`.execute(services.db);
  } catch (error) {
    throw new Error(
      `Cannot reach Postgres at ${displayUrl(services.config.databaseUrl)} (${(error as Error).message}): ${howToStart.postgres}`,
    );
  }
  try {
    await services.redis.ping();
  } catch (error) {
    throw new Error(`Cannot reach Redis at ${displayUrl(services.config.redisUrl)} (${(error as Error).message}): ${howToStart.redis}`);
  }
}

/** True when both stores answer within the deadline (for /readyz). */
export async function dependenciesReady(
  services: Pick<Services, 'db' | 'redis'>,
  timeoutMs = 1_500,
): Promise<{ postgres: boolean; redis: boolean }> {
  const within = <T>(promise: Promise<T>) =>
    Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false))]).catch(() => false);
  const [postgres, redis] = await Promise.all([within(sql`select 1`.execute(services.db)), within(services.redis.ping())]);
  return { postgres, redis };
}

/** What GET /readyz of every process reports: ready when both Postgres and Redis answer. */
export async function readinessReport(
  services: Pick<Services, 'db' | 'redis'>,
): Promise<{ ready: boolean; checks: { postgres: boolean; redis: boolean } }> {
  const checks = await dependenciesReady(services);
  return { ready: checks.postgres && checks.redis, checks };
}

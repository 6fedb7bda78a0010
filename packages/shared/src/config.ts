// The one place that reads process.env. Every process parses its configuration once at boot;
// a bad value stops it with a message naming the variable instead of failing later.
import { z } from 'zod';
import {
  DEFAULT_BULK_MAX_IDS,
  DEFAULT_RATE_LIMIT_WINDOW_MS,
  DEFAULT_RATE_LIMITS,
  DEFAULT_WRITE_RESERVED_FOR_SYNC,
  MAX_BULK_IDS_CEILING,
  type RateLimitClass,
} from './vocabulary.js';

/**
 * Drainer jobs are spread over this many BullMQ queues by default. Each shard lives in its own hash
 * slot, and the slots are chosen evenly over the slot space (bulk-queue.ts), so 6 shards put 2 on
 * each master of the common 3-master cluster (1 each on 6 masters). On a single Redis a shard costs
 * each worker process one idle blocking connection and one stall check a second: nothing measurable.
 */
const DEFAULT_BULK_QUEUE_SHARDS = 6;
const MAX_BULK_QUEUE_SHARDS = 256;

const DEV_PEPPER = 'dev-only-pepper-do-not-use-in-production-0000';

const integer = (defaultValue: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(defaultValue);

const postgresUrl = z
  .string()
  .url()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must start with postgres:// or postgresql://');
const redisUrl = z
  .string()
  .url()
  .refine((value) => /^rediss?:\/\//.test(value), 'must start with redis:// or rediss://');

/** `host:port` (a name, an IPv4 address, or an IPv6 address in brackets). */
const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/;
/** Seed nodes of a Redis Cluster: `host:port,host:port,…` (any one reachable node is enough). */
const clusterNodes = z.string().transform((value, ctx) => {
  const nodes: { host: string; port: number }[] = [];
  for (const entry of value.split(',').map((part) => part.trim())) {
    const match = HOST_PORT.exec(entry);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) {
      // An entry with credentials in it is not echoed: the message goes to logs.
      const shown = entry.includes('@') ? 'an entry with credentials' : `"${entry}"`;
      ctx.addIssue({
        code: 'custom',
        message: `${shown} is not host:port; expected a comma-separated list of seed nodes such as 10.0.0.1:7000,10.0.0.2:7000`,
      });
      return z.NEVER;
    }
    nodes.push({ host: match[1] ?? match[2]!, port });
  }
  return nodes;
});
/** Shard numbers: `0,2,5`, each below BULK_QUEUE_SHARDS (checked below). */
const shardList = z.string().transform((value, ctx) => {
  const shards = value.split(',').map((part) => part.trim());
  if (!shards.every((shard) => /^\d{1,4}$/.test(shard))) {
    ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of shard numbers, e.g. 0,2' });
    return z.NEVER;
  }
  return [...new Set(shards.map(Number))].sort((a, b) => a - b);
});

/** Where clients reach the API (scheme, host and optional path prefix; no query, fragment or trailing slash kept). */
const publicBaseUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//.test(value), 'must start with http:// or https://')
  .refine((value) => !/[?#]/.test(value), 'must not have a query string or fragment')
  .transform((value) => value.replace(/\/+$/, ''));

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: integer(3000, 0, 65535),
    DATABASE_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/dnc'),
    REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
    REDIS_CLUSTER_NODES: clusterNodes.optional(),
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." or "-" (1-64 chars)')
      .default('dnc'),
    RATE_LIMIT_WINDOW_MS: integer(DEFAULT_RATE_LIMIT_WINDOW_MS, 100),
    DNC_WRITE_LIMIT: integer(DEFAULT_RATE_LIMITS['dnc-write'], 1),
    DNC_BULK_LIMIT: integer(DEFAULT_RATE_LIMITS['dnc-bulk'], 1),
    DNC_READ_LIMIT: integer(DEFAULT_RATE_LIMITS['dnc-read'], 1),
    JOBS_READ_LIMIT: integer(DEFAULT_RATE_LIMITS['jobs-read'], 1),
    DNC_WRITE_RESERVED_FOR_SYNC: integer(DEFAULT_WRITE_RESERVED_FOR_SYNC, 0),
    CHECK_CACHE_TTL_MS: integer(300_000, 1),
    BULK_MAX_IDS: integer(DEFAULT_BULK_MAX_IDS, 1, MAX_BULK_IDS_CEILING),
    WORKER_CONCURRENCY: integer(4, 1, 256),
    BULK_QUEUE_SHARDS: integer(DEFAULT_BULK_QUEUE_SHARDS, 1, MAX_BULK_QUEUE_SHARDS),
    WORKER_QUEUE_SHARDS: shardList.optional(),
    RECONCILE_INTERVAL_MS: integer(30_000, 100),
    WORKER_LOCK_DURATION_MS: integer(30_000, 1_000),
    AUDIT_RELAY_INTERVAL_MS: integer(1_000, 10),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    API_KEY_PEPPER: z.string().min(32, 'must be at least 32 characters').optional(),
    WORKER_METRICS_PORT: integer(9464, 0, 65535),
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    PUBLIC_BASE_URL: publicBaseUrl.optional(),
  })
  .superRefine((env, ctx) => {
    if (env.DNC_WRITE_RESERVED_FOR_SYNC >= env.DNC_WRITE_LIMIT) {
      ctx.addIssue({
        code: 'custom',
        path: ['DNC_WRITE_RESERVED_FOR_SYNC'],
        message: `must be below DNC_WRITE_LIMIT (${env.DNC_WRITE_LIMIT}), or bulk jobs could never run`,
      });
    }
    const outOfRange = env.WORKER_QUEUE_SHARDS?.filter((shard) => shard >= env.BULK_QUEUE_SHARDS) ?? [];
    if (outOfRange.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['WORKER_QUEUE_SHARDS'],
        message: `shards are numbered 0 to ${env.BULK_QUEUE_SHARDS - 1} (BULK_QUEUE_SHARDS=${env.BULK_QUEUE_SHARDS}); ${outOfRange.join(', ')} do not exist`,
      });
    }
    if (env.NODE_ENV === 'production' && !env.API_KEY_PEPPER) {
      ctx.addIssue({ code: 'custom', path: ['API_KEY_PEPPER'], message: 'is required when NODE_ENV=production' });
    }
  });

export interface Config {
  nodeEnv: 'development' | 'test' | 'production';
  port: number;
  databaseUrl: string;
  /** The single Redis; not used when `redisClusterNodes` is set. */
  redisUrl: string;
  /** Seed nodes of a Redis Cluster: when set, every Redis client is a cluster client. */
  redisClusterNodes: { host: string; port: number }[] | undefined;
  redisPrefix: string;
  rateLimit: {
    windowMs: number;
    limits: Record<RateLimitClass, number>;
    /** Slots of each dnc-write window that bulk jobs never take. */
    writeReservedForSync: number;
  };
  checkCacheTtlMs: number;
  bulkMaxIds: number;
  workerConcurrency: number;
  /** How many BullMQ queues (each in its own hash slot) the drainer jobs are spread over. */
  bulkQueueShards: number;
  /** The shards this process's worker consumes: every one unless WORKER_QUEUE_SHARDS lists some. */
  workerQueueShards: number[];
  reconcileIntervalMs: number;
  /** How long a dead worker's job stays locked before another worker takes it over. */
  workerLockDurationMs: number;
  auditRelayIntervalMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  apiKeyPepper: string;
  /** The worker's HTTP port for /metrics, /healthz and /readyz (0: any free port). */
  workerMetricsPort: number;
  /** Bearer token of /admin/queues; the dashboard is not mounted when unset. */
  adminToken: string | undefined;
  /** The API's public base URL, as the OpenAPI document's `servers` entry gives it to clients. */
  publicBaseUrl: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment (process.env unless given) or throws a ConfigError naming each bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "not set", as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration — ${problems.join('; ')}`);
  }
  const env = parsed.data;
  return {
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    redisClusterNodes: env.REDIS_CLUSTER_NODES,
    redisPrefix: env.REDIS_PREFIX,
    rateLimit: {
      windowMs: env.RATE_LIMIT_WINDOW_MS,
      limits: {
        'dnc-write': env.DNC_WRITE_LIMIT,
        'dnc-bulk': env.DNC_BULK_LIMIT,
        'dnc-read': env.DNC_READ_LIMIT,
        'jobs-read': env.JOBS_READ_LIMIT,
      },
      writeReservedForSync: env.DNC_WRITE_RESERVED_FOR_SYNC,
    },
    checkCacheTtlMs: env.CHECK_CACHE_TTL_MS,
    bulkMaxIds: env.BULK_MAX_IDS,
    workerConcurrency: env.WORKER_CONCURRENCY,
    bulkQueueShards: env.BULK_QUEUE_SHARDS,
    workerQueueShards: env.WORKER_QUEUE_SHARDS ?? Array.from({ length: env.BULK_QUEUE_SHARDS }, (_, shard) => shard),
    reconcileIntervalMs: env.RECONCILE_INTERVAL_MS,
    workerLockDurationMs: env.WORKER_LOCK_DURATION_MS,
    auditRelayIntervalMs: env.AUDIT_RELAY_INTERVAL_MS,
    logLevel: env.LOG_LEVEL,
    apiKeyPepper: env.API_KEY_PEPPER ?? DEV_PEPPER,
    workerMetricsPort: env.WORKER_METRICS_PORT,
    adminToken: env.ADMIN_TOKEN,
    publicBaseUrl: env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`,
  };
}

/** For entry points: parse or print one line and exit, never a stack trace. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

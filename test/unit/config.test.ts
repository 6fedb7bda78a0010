// loadConfig(env): defaults as documented in the README's configuration table, and every bad
// value stops the process with a ConfigError that names the variable.
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from '@dnc/shared';
import { describe, expect, it } from 'vitest';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const CONFIG_SOURCE = readFileSync(new URL('../../packages/shared/src/config.ts', import.meta.url), 'utf8');

/** Where each environment variable lands in the parsed Config. */
const readers: Record<string, (config: Config) => unknown> = {
  PORT: (c) => c.port,
  DATABASE_URL: (c) => c.databaseUrl,
  REDIS_URL: (c) => c.redisUrl,
  REDIS_CLUSTER_NODES: (c) => c.redisClusterNodes,
  REDIS_PREFIX: (c) => c.redisPrefix,
  RATE_LIMIT_WINDOW_MS: (c) => c.rateLimit.windowMs,
  DNC_WRITE_LIMIT: (c) => c.rateLimit.limits['dnc-write'],
  DNC_BULK_LIMIT: (c) => c.rateLimit.limits['dnc-bulk'],
  DNC_READ_LIMIT: (c) => c.rateLimit.limits['dnc-read'],
  JOBS_READ_LIMIT: (c) => c.rateLimit.limits['jobs-read'],
  DNC_WRITE_RESERVED_FOR_SYNC: (c) => c.rateLimit.writeReservedForSync,
  CHECK_CACHE_TTL_MS: (c) => c.checkCacheTtlMs,
  BULK_MAX_IDS: (c) => c.bulkMaxIds,
  WORKER_CONCURRENCY: (c) => c.workerConcurrency,
  BULK_QUEUE_SHARDS: (c) => c.bulkQueueShards,
  WORKER_QUEUE_SHARDS: (c) => c.workerQueueShards,
  RECONCILE_INTERVAL_MS: (c) => c.reconcileIntervalMs,
  WORKER_LOCK_DURATION_MS: (c) => c.workerLockDurationMs,
  WORKER_METRICS_PORT: (c) => c.workerMetricsPort,
  ADMIN_TOKEN: (c) => c.adminToken,
  PUBLIC_BASE_URL: (c) => c.publicBaseUrl,
  AUDIT_RELAY_INTERVAL_MS: (c) => c.auditRelayIntervalMs,
  LOG_LEVEL: (c) => c.logLevel,
  API_KEY_PEPPER: (c) => c.apiKeyPepper,
  NODE_ENV: (c) => c.nodeEnv,
};

/** The README configuration table: variable → default cell (backticks stripped when present). */
function readmeTable(): Map<string, { default: string; literal: boolean }> {
  const rows = new Map<string, { default: string; literal: boolean }>();
  for (const match of README.matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|\s*([^|]*?)\s*\|/gm)) {
    const cell = match[2]!;
    const literal = /^`[^`]*`$/.test(cell);
    rows.set(match[1]!, { default: literal ? cell.slice(1, -1) : cell, literal });
  }
  return rows;
}

/** The variables config.ts's schema reads. */
function schemaVariables(): string[] {
  const schema = /const envSchema = z\s*\.object\(\{([\s\S]*?)\n {2}\}\)/.exec(CONFIG_SOURCE);
  if (!schema) throw new Error('envSchema not found in config.ts');
  return [...schema[1]!.matchAll(/^\s{4}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
}

const PEPPER = 'a-production-pepper-0123456789abcdef0123';

/** Runs loadConfig and returns the ConfigError it throws (fails the test if it does not throw one). */
function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('when no variable is set, then every default in the README table is the parsed value', () => {
    const table = readmeTable();
    expect(table.size).toBeGreaterThanOrEqual(18);
    const config = loadConfig({});
    for (const [variable, documented] of table) {
      const reader = readers[variable];
      expect(reader, `no reader for README variable ${variable}`).toBeDefined();
      if (!documented.literal) continue; // API_KEY_PEPPER: "development-only value"
      expect(String(reader!(config)), variable).toBe(documented.default);
    }
  });

  it('when config.ts reads a variable, then the README configuration table documents it', () => {
    const documented = [...readmeTable().keys()].sort();
    expect(schemaVariables().length).toBeGreaterThanOrEqual(18);
    for (const variable of schemaVariables()) expect(documented, `README lacks ${variable}`).toContain(variable);
  });

  it('when no variable is set, then the config holds the README defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/dnc',
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: 'dnc',
      rateLimit: {
        windowMs: 60_000,
        limits: { 'dnc-write': 30, 'dnc-bulk': 10, 'dnc-read': 60, 'jobs-read': 120 },
        writeReservedForSync: 5,
      },
      checkCacheTtlMs: 300_000,
      bulkMaxIds: 10_000,
      workerConcurrency: 4,
      reconcileIntervalMs: 30_000,
      auditRelayIntervalMs: 1_000,
      logLevel: 'info',
      apiKeyPepper: expect.any(String),
    });
    expect(config.nodeEnv).toBe('development');
    // The development-only pepper still satisfies the documented minimum length.
    expect(config.apiKeyPepper.length).toBeGreaterThanOrEqual(32);
  });

  it('when a variable is set to the empty string, then it counts as unset and takes its default', () => {
    const config = loadConfig({ PORT: '', REDIS_PREFIX: '', DNC_WRITE_LIMIT: '', LOG_LEVEL: '', NODE_ENV: '' });
    expect(config.port).toBe(3000);
    expect(config.redisPrefix).toBe('dnc');
    expect(config.rateLimit.limits['dnc-write']).toBe(30);
    expect(config.logLevel).toBe('info');
    expect(config.nodeEnv).toBe('development');
  });

  it('when only the given object is passed, then process.env is not consulted', () => {
    // PORT is not 3000 in the object, whatever process.env says.
    expect(loadConfig({ PORT: '4321' }).port).toBe(4321);
    expect(loadConfig({}).port).toBe(3000);
  });
});

describe('loadConfig valid overrides', () => {
  it('when every variable is set to a valid value, then each one is parsed into the config', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      DATABASE_URL: 'postgresql://app:pw@db.internal:5433/dnc_prod',
      REDIS_URL: 'rediss://cache.internal:6380',
      REDIS_PREFIX: 'dnc-prod_1.a',
      RATE_LIMIT_WINDOW_MS: '30000',
      DNC_WRITE_LIMIT: '100',
      DNC_BULK_LIMIT: '20',
      DNC_READ_LIMIT: '200',
      JOBS_READ_LIMIT: '300',
      DNC_WRITE_RESERVED_FOR_SYNC: '10',
      CHECK_CACHE_TTL_MS: '1000',
      BULK_MAX_IDS: '500',
      WORKER_CONCURRENCY: '8',
      RECONCILE_INTERVAL_MS: '5000',
      AUDIT_RELAY_INTERVAL_MS: '250',
      LOG_LEVEL: 'debug',
      API_KEY_PEPPER: PEPPER,
    });
    expect(config).toMatchObject({
      nodeEnv: 'production',
      port: 8080,
      databaseUrl: 'postgresql://app:pw@db.internal:5433/dnc_prod',
      redisUrl: 'rediss://cache.internal:6380',
      redisPrefix: 'dnc-prod_1.a',
      rateLimit: {
        windowMs: 30_000,
        limits: { 'dnc-write': 100, 'dnc-bulk': 20, 'dnc-read': 200, 'jobs-read': 300 },
        writeReservedForSync: 10,
      },
      checkCacheTtlMs: 1000,
      bulkMaxIds: 500,
      workerConcurrency: 8,
      reconcileIntervalMs: 5000,
      auditRelayIntervalMs: 250,
      logLevel: 'debug',
      apiKeyPepper: PEPPER,
    });
  });

  it('when DNC_WRITE_RESERVED_FOR_SYNC is one below DNC_WRITE_LIMIT, then it is accepted', () => {
    const config = loadConfig({ DNC_WRITE_LIMIT: '6', DNC_WRITE_RESERVED_FOR_SYNC: '5' });
    expect(config.rateLimit.limits['dnc-write']).toBe(6);
    expect(config.rateLimit.writeReservedForSync).toBe(5);
  });

  it('when DNC_WRITE_RESERVED_FOR_SYNC is 0, then it is accepted', () => {
    expect(loadConfig({ DNC_WRITE_LIMIT: '1', DNC_WRITE_RESERVED_FOR_SYNC: '0' }).rateLimit.writeReservedForSync).toBe(0);
  });

  it('when NODE_ENV=production comes with a pepper of 32 characters or more, then it is accepted and used', () => {
    const pepper = 'p'.repeat(32);
    expect(loadConfig({ NODE_ENV: 'production', API_KEY_PEPPER: pepper }).apiKeyPepper).toBe(pepper);
  });
});

describe('Redis Cluster and queue shards', () => {
  it('when REDIS_CLUSTER_NODES is not set, then there is no cluster, and the queue has 6 shards, all consumed', () => {
    const config = loadConfig({});
    expect(config.redisClusterNodes).toBeUndefined();
    expect(config.bulkQueueShards).toBe(6);
    expect(config.workerQueueShards).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('when REDIS_CLUSTER_NODES lists seeds (names, IPv4, bracketed IPv6, spaces), then each is parsed', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: 'redis-0.internal:7000, 10.0.0.2:7001,[::1]:7002', REDIS_URL: 'redis://unused:1' });
    expect(config.redisClusterNodes).toEqual([
      { host: 'redis-0.internal', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
  });

  it('when WORKER_QUEUE_SHARDS lists shards, then the worker consumes those only, sorted and once each', () => {
    const config = loadConfig({ BULK_QUEUE_SHARDS: '4', WORKER_QUEUE_SHARDS: '2, 0,2' });
    expect(config.bulkQueueShards).toBe(4);
    expect(config.workerQueueShards).toEqual([0, 2]);
    expect(loadConfig({ BULK_QUEUE_SHARDS: '3' }).workerQueueShards).toEqual([0, 1, 2]);
  });

  it.each([
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: '127.0.0.1' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: '127.0.0.1:7000,' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'host:0' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'host:70000' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'redis://host:7000' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'a b:7000' }],
    ['BULK_QUEUE_SHARDS', { BULK_QUEUE_SHARDS: '0' }],
    ['BULK_QUEUE_SHARDS', { BULK_QUEUE_SHARDS: '257' }],
    ['BULK_QUEUE_SHARDS', { BULK_QUEUE_SHARDS: 'four' }],
    ['WORKER_QUEUE_SHARDS', { WORKER_QUEUE_SHARDS: 'first' }],
    ['WORKER_QUEUE_SHARDS', { WORKER_QUEUE_SHARDS: '0,-1' }],
    ['WORKER_QUEUE_SHARDS', { WORKER_QUEUE_SHARDS: '6' }],
    ['WORKER_QUEUE_SHARDS', { BULK_QUEUE_SHARDS: '2', WORKER_QUEUE_SHARDS: '0,2' }],
  ])('when %s is bad (%j), then one line names the variable', (variable, env) => {
    const error = configErrorOf(env);
    expect(error.message).toMatch(new RegExp(`\\b${variable}\\b`));
    expect(error.message).not.toContain('\n');
  });

  it('when a REDIS_CLUSTER_NODES entry holds credentials and is invalid, then the message does not echo them', () => {
    const error = configErrorOf({ REDIS_CLUSTER_NODES: 'default:hunter2@10.0.0.1:7000' });
    expect(error.message).toMatch(/\bREDIS_CLUSTER_NODES\b/);
    expect(error.message).not.toContain('hunter2');
  });
});

describe('PUBLIC_BASE_URL', () => {
  it('when it is not set, then it is http://localhost:<PORT>', () => {
    expect(loadConfig({}).publicBaseUrl).toBe('http://localhost:3000');
    expect(loadConfig({ PORT: '8080' }).publicBaseUrl).toBe('http://localhost:8080');
  });

  it('when it is set, then it is used as given, without a trailing slash, and a path prefix is kept', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://dnc.example.com' }).publicBaseUrl).toBe('https://dnc.example.com');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://dnc.example.com/' }).publicBaseUrl).toBe('https://dnc.example.com');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://example.com/dnc/', PORT: '8080' }).publicBaseUrl).toBe('https://example.com/dnc');
  });
});

describe('loadConfig bad values', () => {
  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '-1' }],
    ['PORT', { PORT: '3.5' }],
    ['DNC_WRITE_LIMIT', { DNC_WRITE_LIMIT: '0' }],
    ['DNC_BULK_LIMIT', { DNC_BULK_LIMIT: '0' }],
    ['DNC_READ_LIMIT', { DNC_READ_LIMIT: '-5' }],
    ['JOBS_READ_LIMIT', { JOBS_READ_LIMIT: 'many' }],
    ['RATE_LIMIT_WINDOW_MS', { RATE_LIMIT_WINDOW_MS: '1min' }],
    ['CHECK_CACHE_TTL_MS', { CHECK_CACHE_TTL_MS: '0' }],
    ['REDIS_URL', { REDIS_URL: 'http://x' }],
    ['REDIS_URL', { REDIS_URL: 'not a url' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['DATABASE_URL', { DATABASE_URL: 'postgres' }],
    ['REDIS_PREFIX', { REDIS_PREFIX: 'has:colon' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['DNC_WRITE_RESERVED_FOR_SYNC', { DNC_WRITE_LIMIT: '5', DNC_WRITE_RESERVED_FOR_SYNC: '5' }],
    ['DNC_WRITE_RESERVED_FOR_SYNC', { DNC_WRITE_LIMIT: '5', DNC_WRITE_RESERVED_FOR_SYNC: '6' }],
    // The default reserve (5) must stay below a small limit too.
    ['DNC_WRITE_RESERVED_FOR_SYNC', { DNC_WRITE_LIMIT: '3' }],
    ['API_KEY_PEPPER', { NODE_ENV: 'production' }],
    ['API_KEY_PEPPER', { NODE_ENV: 'production', API_KEY_PEPPER: '' }],
    ['API_KEY_PEPPER', { NODE_ENV: 'production', API_KEY_PEPPER: 'short' }],
    ['API_KEY_PEPPER', { API_KEY_PEPPER: 'p'.repeat(31) }],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'api.example.com' }],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'ftp://api.example.com' }],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'https://api.example.com/?env=prod' }],
  ])('when %s is bad (%j), then a ConfigError names the variable', (variable, env) => {
    const error = configErrorOf(env);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toMatch(new RegExp(`\\b${variable}\\b`));
  });

  it('when several variables are bad, then one ConfigError names each of them', () => {
    const error = configErrorOf({ PORT: 'abc', REDIS_URL: 'http://x', DATABASE_URL: 'mysql://x' });
    expect(error.message).toMatch(/\bPORT\b/);
    expect(error.message).toMatch(/\bREDIS_URL\b/);
    expect(error.message).toMatch(/\bDATABASE_URL\b/);
  });

  it('when a URL variable holds a password and is invalid, then the message names the variable but not the password', () => {
    const error = configErrorOf({ DATABASE_URL: 'mysql://user:hunter2@db/dnc' });
    expect(error.message).toMatch(/\bDATABASE_URL\b/);
    expect(error.message).not.toContain('hunter2');
  });
});

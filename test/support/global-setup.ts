// Finds Postgres and Redis for the test run: the ones named by DATABASE_URL / REDIS_URL (or the
// defaults) when they answer, otherwise containers started with testcontainers where Docker
// exists. Migrates one template database that every test file clones.
import { randomBytes } from 'node:crypto';
import { createDb, ensureDatabaseExists, loadConfig, maintenanceUrl, migrateToLatest } from '@dnc/shared';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresServerUrl: string;
    templateDatabase: string;
    redisUrl: string;
  }
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export default async function setup(project: TestProject) {
  const config = loadConfig();
  const stops: (() => Promise<unknown>)[] = [];

  let postgresServerUrl = maintenanceUrl(config.databaseUrl).url;
  if (!(await postgresAnswers(postgresServerUrl))) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    stops.push(() => container.stop());
    postgresServerUrl = maintenanceUrl(container.getConnectionUri()).url;
  }
  let redisUrl = config.redisUrl;
  if (!(await redisAnswers(redisUrl))) {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    stops.push(() => container.stop());
    redisUrl = container.getConnectionUrl();
  }

  const templateDatabase = `dnc_test_template_${randomBytes(4).toString('hex')}`;
  const templateUrl = new URL(postgresServerUrl);
  templateUrl.pathname = `/${templateDatabase}`;
  await ensureDatabaseExists(templateUrl.toString());
  const db = createDb(templateUrl.toString(), { maxConnections: 1 });
  await migrateToLatest(db);
  await db.destroy();

  project.provide('postgresServerUrl', postgresServerUrl);
  project.provide('templateDatabase', templateDatabase);
  project.provide('redisUrl', redisUrl);

  return async () => {
    const admin = new pg.Client({ connectionString: postgresServerUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${pg.escapeIdentifier(templateDatabase)} with (force)`);
    await admin.end();
    for (const stop of stops.reverse()) await stop();
  };
}

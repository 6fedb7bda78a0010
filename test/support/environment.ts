// Per-test-file infrastructure: a database cloned from the migrated template, a Redis key prefix
// of its own, and helpers to run the real API in-process or as child processes.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import {
  createLogger,
  createServices,
  deleteKeysMatching,
  loadConfig,
  scopes as allScopes,
  type Config,
  type CreatedApiKey,
  type Scope,
  type Services,
} from '@dnc/shared';
import pg from 'pg';
import { inject } from 'vitest';
import { createApp } from '../../apps/api/src/app.js';
import { attachClientErrorHandler } from '../../apps/api/src/http/client-error.js';
import { startDrainer, type DrainerOptions } from '../../apps/worker/src/drainer.js';
import { topologyEnv } from './topology.js';
import { sleep } from './wait.js';

/**
 * Rate limits far above any test's traffic, for files that do not test the limits: spread it
 * first, then set the limits a file does test (`{ ...unlimited, DNC_WRITE_LIMIT: '6' }`).
 * DNC_WRITE_RESERVED_FOR_SYNC keeps its default (5).
 */
export const unlimited: Record<string, string> = {
  DNC_WRITE_LIMIT: '1000000',
  DNC_READ_LIMIT: '1000000',
  DNC_BULK_LIMIT: '1000000',
  JOBS_READ_LIMIT: '1000000',
};

export interface TestEnvironment {
  /** Environment variables that point a process at this file's database and Redis prefix. */
  env: Record<string, string>;
  config: Config;
  services: Services;
  createKey(teamId: string, scopes?: Scope[]): Promise<CreatedApiKey>;
  /** Runs the real API in this process, with optional config overrides; closed on cleanup. */
  startApi(overrides?: Record<string, string>): Promise<RunningApi>;
  /** Runs the real bulk-deletion worker (drainer + reconciler) in this process; stopped on cleanup. */
  startWorker(overrides?: Record<string, string>, drainerOptions?: DrainerOptions): Promise<RunningWorker>;
  cleanup(): Promise<void>;
}

export interface RunningWorker {
  services: Services;
  drainer: ReturnType<typeof startDrainer>;
  stop(): Promise<void>;
}

export interface RunningApi {
  baseUrl: string;
  services: Services;
  close(): Promise<void>;
}

async function cloneTemplate(serverUrl: string, template: string, database: string) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    // Concurrent clones of one template can collide ("being accessed by other users"): retry.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`create database ${pg.escapeIdentifier(database)} template ${pg.escapeIdentifier(template)}`);
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
        await sleep(50 + Math.random() * 150);
      }
    }
    // CREATE DATABASE … TEMPLATE copies the data, not the database's own settings (ALTER DATABASE …
    // SET, as a migration makes them): copied too, so that the clone is what a migrated database is.
    const settings = await admin.query<{ setting: string }>(
      `select unnest(setting.setconfig) as setting from pg_db_role_setting setting
       join pg_database db on db.oid = setting.setdatabase where db.datname = $1 and setting.setrole = 0`,
      [template],
    );
    for (const { setting } of settings.rows) {
      const separator = setting.indexOf('=');
      const [name, value] = [setting.slice(0, separator), setting.slice(separator + 1)];
      await admin.query(`alter database ${pg.escapeIdentifier(database)} set ${pg.escapeIdentifier(name)} = ${admin.escapeLiteral(value)}`);
    }
  } finally {
    await admin.end();
  }
}

export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * The same database URL, its sessions started with these settings (`options=-c name=value …`, as
 * an operator's DATABASE_URL would set them), e.g. `{ statement_timeout: '0' }`.
 */
export function withSessionSettings(databaseUrl: string, settings: Record<string, string>): string {
  const url = new URL(databaseUrl);
  url.searchParams.set(
    'options',
    Object.entries(settings)
      .map(([name, value]) => `-c ${name}=${value}`)
      .join(' '),
  );
  return url.toString();
}

/**
 * A client of the server's maintenance database (`postgres`), for a test that terminates the
 * connections to its file's database: it is never one of them.
 */
export async function maintenanceClient(databaseUrl: string): Promise<pg.Client> {
  const admin = new pg.Client({ connectionString: databaseUrlFor(databaseUrl, 'postgres') });
  await admin.connect();
  return admin;
}

export async function createTestEnvironment(overrides: Record<string, string> = {}): Promise<TestEnvironment> {
  const serverUrl = inject('postgresServerUrl');
  const suffix = randomBytes(5).toString('hex');
  const database = `dnc_test_${suffix}`;
  await cloneTemplate(serverUrl, inject('templateDatabase'), database);

  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrlFor(serverUrl, database),
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: `test_${suffix}`,
    LOG_LEVEL: 'silent',
    // Several workers may run at once: each takes a free port for its metrics server.
    WORKER_METRICS_PORT: '0',
    API_KEY_PEPPER: 'test-pepper-0123456789abcdef0123456789abcdef',
    // The vitest project's topology: REDIS_CLUSTER_NODES, or DATABASE_URL through PgBouncer.
    ...topologyEnv(databaseUrlFor(serverUrl, database)),
    ...overrides,
  };
  const config = loadConfig(env);
  const services = createServices(config, { name: 'test', logger: createLogger({ level: 'silent', name: 'test' }) });
  const closers: (() => Promise<void>)[] = [];

  return {
    env,
    config,
    services,
    createKey: (teamId, scopes = [...allScopes]) => services.apiKeys.create({ teamId, scopes }),
    async startApi(apiOverrides = {}) {
      const apiConfig = loadConfig({ ...env, ...apiOverrides });
      const apiServices = createServices(apiConfig, { name: 'api', logger: createLogger({ level: 'silent', name: 'api' }) });
      const server = createApp(apiServices).listen(0, '127.0.0.1');
      attachClientErrorHandler(server, apiServices.logger);
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      let closed = false;
      const close = async () => {
        if (closed) return;
        closed = true;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await apiServices.close();
      };
      closers.push(close);
      return { baseUrl: `http://127.0.0.1:${port}`, services: apiServices, close };
    },
    async startWorker(workerOverrides = {}, drainerOptions = {}) {
      const workerConfig = loadConfig({ ...env, ...workerOverrides });
      const workerServices = createServices(workerConfig, { name: 'worker', logger: createLogger({ level: 'silent', name: 'worker' }) });
      const drainer = startDrainer(workerServices, { lockDurationMs: workerConfig.workerLockDurationMs, ...drainerOptions });
      await drainer.waitUntilReady();
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        await drainer.stop();
        await workerServices.close();
      };
      closers.push(stop);
      return { services: workerServices, drainer, stop };
    },
    async cleanup() {
      for (const close of closers.reverse()) await close();
      // Every master's keys on a cluster, not only those of the node a KEYS would reach.
      await deleteKeysMatching(services.redis, `${env.REDIS_PREFIX}:*`);
      await services.close();
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`drop database if exists ${pg.escapeIdentifier(database)} with (force)`);
      await admin.end();
    },
  };
}

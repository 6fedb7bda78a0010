// A throw-away database and Redis prefix for one bench, on the local services (DATABASE_URL /
// REDIS_URL), and the environment of the compiled processes a bench starts on them.
import { randomBytes } from 'node:crypto';
import { ensureDatabaseExists, loadConfig, maintenanceUrl } from '@dnc/shared';
import { Redis } from 'ioredis';
import pg from 'pg';

/** Rate limits far above any bench's load, so no window binds unless a bench sets its own. */
export const RAISED_LIMITS = {
  DNC_WRITE_LIMIT: '1000000',
  DNC_READ_LIMIT: '1000000',
  DNC_BULK_LIMIT: '1000000',
  JOBS_READ_LIMIT: '1000000',
} as const;

export interface ThrowAway {
  database: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** PATH, the database, Redis and prefix, LOG_LEVEL info, then `extra` over them (add RAISED_LIMITS there). */
  childEnv: (extra?: Record<string, string>) => Record<string, string>;
  /** Deletes every Redis key that starts with the prefix (the service's and e.g. a floor's `<prefix>_floor`), and drops the database. */
  drop: () => Promise<void>;
}

/** Creates the database (empty: migrate it) named `dnc_<tag>_<random>`, and the prefix `<tag>_<random>`. */
export async function createThrowAway(tag: string): Promise<ThrowAway> {
  const base = loadConfig();
  const suffix = randomBytes(4).toString('hex');
  const database = `dnc_${tag}_${suffix}`;
  const url = new URL(maintenanceUrl(base.databaseUrl).url);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const redisPrefix = `${tag}_${suffix}`;
  await ensureDatabaseExists(databaseUrl);
  return {
    database,
    databaseUrl,
    redisUrl: base.redisUrl,
    redisPrefix,
    childEnv: (extra = {}) => ({
      // eslint-disable-next-line no-restricted-properties -- the children need a PATH, nothing else of ours
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      DATABASE_URL: databaseUrl,
      REDIS_URL: base.redisUrl,
      REDIS_PREFIX: redisPrefix,
      LOG_LEVEL: 'info',
      ...extra,
    }),
    drop: async () => {
      const redis = new Redis(base.redisUrl);
      try {
        for await (const keys of redis.scanStream({ match: `${redisPrefix}*`, count: 1000 })) {
          if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
        }
      } finally {
        redis.disconnect();
      }
      const admin = new pg.Client({ connectionString: maintenanceUrl(databaseUrl).url });
      await admin.connect();
      try {
        await admin.query(`drop database if exists ${pg.escapeIdentifier(database)} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

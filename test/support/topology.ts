// The deployment a vitest project runs on (vitest.config.ts provides it): the single Redis and a
// direct Postgres connection (default), a Redis Cluster, or PgBouncer in transaction mode. Test
// files build their environment the same way on each; only these variables change.
import { inject } from 'vitest';

export type TopologyName = 'default' | 'redis-cluster' | 'pgbouncer';

export interface Topology {
  name: TopologyName;
  /** REDIS_CLUSTER_NODES of the cluster (redis-cluster). */
  redisClusterNodes?: string;
  /** host:port of PgBouncer, which every process's DATABASE_URL goes through (pgbouncer). */
  pgbouncerAddress?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    topology: Topology;
  }
}

export function currentTopology(): Topology {
  return inject('topology') ?? { name: 'default' };
}

/**
 * The environment variables that put a process on this project's topology, for a file whose
 * database is `databaseUrl` (direct). Databases are still created, cloned and dropped directly:
 * only the service's own connections go through PgBouncer.
 */
export function topologyEnv(databaseUrl: string): Record<string, string> {
  const topology = currentTopology();
  const env: Record<string, string> = {};
  if (topology.redisClusterNodes) env.REDIS_CLUSTER_NODES = topology.redisClusterNodes;
  if (topology.pgbouncerAddress) env.DATABASE_URL = throughPgbouncer(databaseUrl, topology.pgbouncerAddress);
  return env;
}

/** The same database and user, reached through PgBouncer at `address` (host:port). */
export function throughPgbouncer(databaseUrl: string, address: string): string {
  const url = new URL(databaseUrl);
  url.host = address;
  return url.toString();
}

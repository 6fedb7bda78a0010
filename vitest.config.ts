import { defineConfig, type TestProjectInlineConfiguration, type ViteUserConfig } from 'vitest/config';
import { PGBOUNCER_ADDRESS, REDIS_CLUSTER_NODES, REDIS_CLUSTER_PORTS, allListening } from './test/support/topology-ports.js';

// The suite runs once on the default deployment (single Redis, direct Postgres), then its API,
// limiter, cache, bulk and reliability files again on each topology of issue 12. Those files do
// not change: test/support/environment.ts takes the topology's variables from the project. The
// list is kept short: vitest runs one file at a time on a 2-core machine, so every file here adds
// its whole duration to pnpm test twice (reliability alone takes about 4 minutes).
const onEveryTopology = [
  'test/api/smoke.test.ts',
  'test/api/entries.test.ts',
  'test/api/delete.test.ts',
  'test/api/rate-limit.test.ts',
  'test/api/cache.test.ts',
  'test/bulk/bulk-api.test.ts',
  'test/bulk/bulk-delete.test.ts',
  'test/bulk/reliability.test.ts',
];
// Killed connections are where a transaction pooler differs from a direct connection.
// (Not worker-takeover.test.ts: its lock-holding test client reads pg_backend_pid() outside a
// transaction, an identity a transaction pooler does not keep from one statement to the next.)
const pgbouncerOnly = ['test/bulk/killed-connections.test.ts'];

const startHint = 'start it with scripts/test-topologies.sh start (.ci/run does)';

async function topologyProjects(): Promise<TestProjectInlineConfiguration[]> {
  const projects: TestProjectInlineConfiguration[] = [];
  const clusterAddresses = REDIS_CLUSTER_PORTS.map((port) => `127.0.0.1:${port}`);
  if (await allListening(clusterAddresses)) {
    projects.push({
      extends: true,
      test: {
        name: 'redis-cluster',
        include: [...onEveryTopology, 'test/scale/cluster-*.test.ts'],
        provide: { topology: { name: 'redis-cluster', redisClusterNodes: REDIS_CLUSTER_NODES } },
      },
    });
  } else {
    console.warn(`[vitest] project redis-cluster SKIPPED: no Redis Cluster on ${clusterAddresses.join(', ')}; ${startHint}`);
  }
  if (await allListening([PGBOUNCER_ADDRESS])) {
    projects.push({
      extends: true,
      test: {
        name: 'pgbouncer',
        include: [...onEveryTopology, ...pgbouncerOnly, 'test/scale/pgbouncer-*.test.ts'],
        provide: { topology: { name: 'pgbouncer', pgbouncerAddress: PGBOUNCER_ADDRESS } },
      },
    });
  } else {
    console.warn(`[vitest] project pgbouncer SKIPPED: no PgBouncer on ${PGBOUNCER_ADDRESS}; ${startHint}`);
  }
  return projects;
}

export default defineConfig(async (): Promise<ViteUserConfig> => ({
  plugins: [
    {
      // Workspace packages export their compiled dist/ to Node and their TypeScript sources under
      // the "@dnc/source" condition. Added to every Vite environment (test files, global setup), it
      // runs the tests on the sources, with no build.
      name: 'dnc-source-condition',
      configEnvironment: () => ({ resolve: { conditions: ['@dnc/source'] } }),
    },
  ],
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    // Each file gets its own database and Redis prefix, so files run in parallel safely.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: ['test/**/*.test.ts'],
          // test/scale needs the topologies: it runs in their projects.
          exclude: ['test/scale/**', '**/node_modules/**'],
          provide: { topology: { name: 'default' } },
        },
      },
      ...(await topologyProjects()),
    ],
  },
}));

// Redis Cluster: one master stops answering while the others go on (SIGSTOP: what a hung host, a
// long fork or a partition that drops packets looks like to a client; the connections stay open,
// nothing answers). This file starts a 3-master cluster of its own (the shared one on 7201-7203
// is never paused) and runs the API on it. A team's keys share one slot (its hash tag), so a team
// lives on one master: the teams of the paused master get a 503, never a hang and never a
// deletion they were told did not happen; the other teams are served throughout; and once the
// master answers again, the same process serves its teams again. Runs in the redis-cluster vitest
// project (test/scale/cluster-*.test.ts).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { keySlot, teamKey } from '@dnc/shared';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEntries } from '../support/bulk.js';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';
import { closedPort } from '../support/ports.js';
import { currentTopology } from '../support/topology.js';
import { settlesWithin, waitUntil } from '../support/wait.js';

const run = promisify(execFile);
const TEST_TIMEOUT_MS = 120_000;

interface ClusterNode {
  port: number;
  process: ChildProcess;
}

const dir = mkdtempSync(join(tmpdir(), 'dnc-cluster-pause-'));
const nodes: ClusterNode[] = [];
let env: TestEnvironment;
let pausedNode: ClusterNode | undefined;

async function clusterStateOk(port: number): Promise<boolean> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.cluster('INFO')).includes('cluster_state:ok');
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** The port of the master serving `slot`, from CLUSTER SLOTS. */
async function masterOf(slot: number): Promise<number> {
  const redis = new Redis({ port: nodes[0]!.port, host: '127.0.0.1' });
  try {
    // Each range: [first slot, last slot, [host, port, id, …] of its master, …its replicas].
    const range = (await redis.cluster('SLOTS')).find(([from, to]) => slot >= from && slot <= to);
    const master = range?.[2];
    if (!master) throw new Error(`no master serves slot ${slot}`);
    return master[1];
  } finally {
    redis.disconnect();
  }
}

beforeAll(async () => {
  // This file runs where the service is deployed on a cluster (the redis-cluster project).
  expect(currentTopology().redisClusterNodes, 'run in the redis-cluster vitest project').toBeTruthy();
  for (let i = 0; i < 3; i++) {
    const port = await closedPort();
    const process = spawn(
      'redis-server',
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        // Longer than the pause: the other masters must not declare it failed (with no replica
        // to promote, the whole cluster would then refuse every command, which is another test).
        '--cluster-node-timeout',
        '30000',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    nodes.push({ port, process });
  }
  await waitUntil(
    async () =>
      (
        await Promise.all(
          nodes.map((node) =>
            run('redis-cli', ['-p', String(node.port), 'ping']).then(
              ({ stdout }) => stdout.includes('PONG'),
              () => false,
            ),
          ),
        )
      ).every(Boolean),
    { what: 'three redis-server processes' },
  );
  await run('redis-cli', [
    '--cluster',
    'create',
    ...nodes.map((node) => `127.0.0.1:${node.port}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ]);
  await waitUntil(async () => (await Promise.all(nodes.map((node) => clusterStateOk(node.port)))).every(Boolean), {
    what: 'cluster_state:ok on every node',
  });
  env = await createTestEnvironment({ ...unlimited, REDIS_CLUSTER_NODES: nodes.map((node) => `127.0.0.1:${node.port}`).join(',') });
});
afterAll(async () => {
  if (pausedNode) pausedNode.process.kill('SIGCONT');
  await env?.cleanup();
  for (const node of nodes) {
    node.process.kill('SIGKILL');
    if (node.process.exitCode === null && node.process.signalCode === null) await once(node.process, 'exit');
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Two teams: one whose keys live on the master to pause, one on another master. */
async function teamsOnTwoMasters(prefix: string): Promise<{ onPaused: string; elsewhere: string; pausedPort: number }> {
  const pausedPort = await masterOf(keySlot(teamKey(prefix, 'team_pause_0')));
  for (let i = 1; i < 100; i++) {
    const team = `team_pause_${i}`;
    if ((await masterOf(keySlot(teamKey(prefix, team)))) !== pausedPort) return { onPaused: 'team_pause_0', elsewhere: team, pausedPort };
  }
  throw new Error('every team hashed to one master');
}

describe('the API on a Redis Cluster with one master paused', () => {
  it(
    'when one master stops answering, then its teams get 503 and keep their entries, other teams are served, and its teams are served again once it answers',
    async () => {
      const { baseUrl } = await env.startApi();
      const { onPaused, elsewhere, pausedPort } = await teamsOnTwoMasters(env.env.REDIS_PREFIX!);
      const pausedApi = client(baseUrl, (await env.createKey(onPaused)).apiKey);
      const otherApi = client(baseUrl, (await env.createKey(elsewhere)).apiKey);
      const [pausedWarm, pausedDuring] = await seedEntries(env.services.db, onPaused, 'paused', 2);
      const [otherWarm, otherDuring] = await seedEntries(env.services.db, elsewhere, 'other', 2);
      expect((await pausedApi.delete(`/v1/dnc/${pausedWarm}`)).status).toBe(200);
      expect((await otherApi.delete(`/v1/dnc/${otherWarm}`)).status).toBe(200);

      pausedNode = nodes.find((node) => node.port === pausedPort)!;
      pausedNode.process.kill('SIGSTOP');
      try {
        const refused = await settlesWithin(pausedApi.delete(`/v1/dnc/${pausedDuring}`), 15_000, 'a request of the paused master');
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
        const kept = await env.services.db.selectFrom('dnc_entries').select('id').where('id', '=', pausedDuring!).executeTakeFirst();
        expect(kept?.id).toBe(pausedDuring);

        // The other master's team: its writes and its checks go on.
        const served = await settlesWithin(otherApi.delete(`/v1/dnc/${otherDuring}`), 15_000, 'a request of another master');
        expect(served.status).toBe(200);
        const check = await settlesWithin(otherApi.get(`/v1/dnc/check?url=in/other-1`), 15_000, 'a check of another master');
        expect(check.status).toBe(200);
      } finally {
        pausedNode.process.kill('SIGCONT');
        pausedNode = undefined;
      }

      await waitUntil(
        async () => {
          const answer = await pausedApi.delete(`/v1/dnc/${pausedDuring}`);
          if (answer.status === 503) return false;
          expect(answer.status, JSON.stringify(answer.body)).toBe(200);
          return true;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: 'the paused master’s team served again' },
      );
      const audits = await env.services.db
        .selectFrom('audit_events')
        .select('entry_id')
        .where('action', '=', 'dnc.entry.deleted')
        .where('entry_id', 'in', [pausedWarm!, pausedDuring!, otherWarm!, otherDuring!])
        .execute();
      expect(audits.map((audit) => audit.entry_id).sort()).toEqual([pausedWarm!, pausedDuring!, otherWarm!, otherDuring!].sort());
    },
    TEST_TIMEOUT_MS,
  );
});

// One factory for every Redis client of the service, for either topology: a single Redis
// (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES). Callers say what the client is for;
// the options that follow from that (deadlines, retries) are decided here, once.
import { Cluster, Redis, type ClusterOptions, type Command, type RedisOptions } from 'ioredis';
import type { Config } from './config.js';
import type { OutageLog } from './outage-log.js';

/** A client of either topology. Both expose the same commands; a Cluster routes each by its key's slot. */
export type RedisClient = Redis | Cluster;

export interface RedisNode {
  host: string;
  port: number;
}

/** Where Redis is: the seed nodes of a cluster when REDIS_CLUSTER_NODES is set, else REDIS_URL. */
export type RedisTarget = Pick<Config, 'redisUrl' | 'redisClusterNodes'>;

/**
 * - `requests`: request paths (API, limiter, cache, queue producers): a command fails after
 *   COMMAND_TIMEOUT_MS instead of waiting for a Redis that is gone (→ 503, never a hang).
 * - `blocking`: BullMQ workers, whose connection blocks (BZPOPMIN) and must retry forever, as
 *   BullMQ requires (maxRetriesPerRequest null, no command deadline).
 */
export type RedisRole = 'requests' | 'blocking';

// Commands fail after this long instead of waiting for a Redis that is gone (→ 503, never a hang).
const COMMAND_TIMEOUT_MS = 1_000;
// Keep trying to reconnect, at most every 2 s.
const reconnectDelay = (attempt: number) => Math.min(attempt * 100, 2_000);

/**
 * A cluster client whose commands carry their deadline from the moment they are issued. ioredis
 * applies `commandTimeout` only once a command reaches a node's connection; a command issued while
 * the cluster client has no slot map (booting, every node lost, refreshing) waits in the client's
 * own offline queue with no deadline at all. Starting the timer here bounds the whole trip: the
 * offline queue, MOVED/ASK redirections and the node itself.
 */
class DeadlineCluster extends Cluster {
  constructor(
    nodes: RedisNode[],
    options: ClusterOptions,
    private readonly deadlineMs: number,
  ) {
    super(nodes, options);
  }

  override sendCommand(command: Command, stream?: Parameters<Cluster['sendCommand']>[1], node?: unknown): unknown {
    command.setTimeout(this.deadlineMs);
    return super.sendCommand(command, stream, node);
  }
}

/** A client for `role` on the configured topology. */
export function createRedisClient(target: RedisTarget, role: RedisRole): RedisClient {
  if (target.redisClusterNodes) return createClusterClient(target.redisClusterNodes, role);
  if (role === 'blocking') return new Redis(target.redisUrl, { maxRetriesPerRequest: null, retryStrategy: reconnectDelay });
  return new Redis(target.redisUrl, requestOptions);
}

const requestOptions: RedisOptions = {
  commandTimeout: COMMAND_TIMEOUT_MS,
  connectTimeout: COMMAND_TIMEOUT_MS * 2,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: true,
  retryStrategy: reconnectDelay,
  lazyConnect: false,
};

function createClusterClient(nodes: RedisNode[], role: RedisRole): Cluster {
  const common: ClusterOptions = {
    // Reconnect to the seeds forever (every ≤ 2 s) when every node is lost.
    clusterRetryStrategy: reconnectDelay,
    enableOfflineQueue: true,
    // Every command goes to the slot's master: the limiter must read its own writes.
    scaleReads: 'master',
    slotsRefreshTimeout: COMMAND_TIMEOUT_MS * 2,
    // A failover or resharding answers MOVED/CLUSTERDOWN/TRYAGAIN for a moment: retry soon.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
  };
  if (role === 'blocking') {
    return new Cluster(nodes, { ...common, redisOptions: { maxRetriesPerRequest: null, connectTimeout: COMMAND_TIMEOUT_MS * 2 } });
  }
  const { retryStrategy: _nodesDoNotReconnect, lazyConnect: _clusterConnects, ...nodeOptions } = requestOptions;
  const cluster = new DeadlineCluster(nodes, { ...common, redisOptions: nodeOptions }, COMMAND_TIMEOUT_MS);
  const remember = (error: Error) => lastErrors.set(cluster, error);
  cluster.on('error', remember);
  cluster.on('node error', remember);
  return cluster;
}

const lastErrors = new WeakMap<RedisClient, Error>();

/**
 * The last connection error a cluster client saw. A command that waited for an unreachable
 * cluster fails with "Command timed out"; this says why (refused, not a cluster node, …).
 */
export function lastConnectionError(client: RedisClient): Error | undefined {
  return lastErrors.get(client);
}

/** `host:port, …` of the seeds, or the URL (password masked), for messages. */
export function describeRedisTarget(target: RedisTarget): string {
  if (target.redisClusterNodes) return `REDIS_CLUSTER_NODES=${target.redisClusterNodes.map(nodeAddress).join(',')}`;
  try {
    const parsed = new URL(target.redisUrl);
    if (parsed.password) parsed.password = '***';
    return `REDIS_URL=${parsed.toString()}`;
  } catch {
    return 'REDIS_URL=(unparseable URL)';
  }
}

const nodeAddress = (node: RedisNode) => (node.host.includes(':') ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`);

/**
 * Answers when Redis serves every key: one PING on a single Redis; on a cluster, the client has
 * its slot map and every master answers (a master that is gone takes its slots' teams with it).
 */
export async function pingRedis(client: RedisClient): Promise<void> {
  if (!(client instanceof Cluster)) {
    await client.ping();
    return;
  }
  // Through the client's own queue: waits (within the deadline) for the slot map.
  await client.ping();
  const masters = client.nodes('master');
  if (masters.length === 0) throw new Error('the cluster client knows no master');
  await Promise.all(masters.map((master) => master.ping()));
}

/**
 * Every key matching `pattern` (SCAN, never KEYS), on every master of a cluster: KEYS or SCAN sent
 * through a cluster client reach one node only. For tests, benchmarks and operators, not request paths.
 */
export async function scanKeys(client: RedisClient, pattern: string): Promise<string[]> {
  const nodes = client instanceof Cluster ? await mastersOf(client) : [client];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
  }
  return keys;
}

/** Deletes every key matching `pattern` on every master; returns how many were deleted. */
export async function deleteKeysMatching(client: RedisClient, pattern: string): Promise<number> {
  const keys = await scanKeys(client, pattern);
  // One key per DEL: keys of different slots cannot share a command on a cluster.
  const deleted = await Promise.all(keys.map((key) => client.del(key)));
  return deleted.reduce((sum, count) => sum + count, 0);
}

async function mastersOf(cluster: Cluster): Promise<Redis[]> {
  await cluster.ping();
  return cluster.nodes('master');
}

/**
 * Reports a client's outages to the process's outage log. ioredis emits 'error' on every failed
 * reconnect (several a second): the log turns them into one line when Redis goes and one when it
 * is back. The listener also keeps an unhandled 'error' from reaching ioredis's console fallback.
 * A cluster client reports each node under its own source (`<source>@host:port`), so Redis counts
 * as back only when every node that failed answers again.
 */
export function watchRedis<T extends RedisClient>(client: T, outageLog: OutageLog, source: string): T {
  client.on('error', (error: Error) => outageLog.failed(source, error));
  client.on('ready', () => outageLog.healthy(source));
  if (client instanceof Cluster) {
    client.on('node error', (error: Error, address: string) => outageLog.failed(`${source}@${address}`, error));
    client.on('+node', (node: Redis) => {
      const address = `${node.options.host}:${node.options.port}`;
      node.on('ready', () => outageLog.healthy(`${source}@${address}`));
    });
  }
  return client;
}

/**
 * Every Redis key of the service starts with `<prefix>:` and puts the team in a hash tag, so a
 * team's keys share one Redis Cluster slot and multi-key scripts stay legal there.
 */
export function teamKey(prefix: string, teamId: string, ...parts: string[]): string {
  // Concatenated, not an array joined: it is built for every Redis call of every request.
  let key = `${prefix}:{${teamId}}`;
  for (const part of parts) key += `:${part}`;
  return key;
}

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

export const CLUSTER_SLOTS = 16_384;

/**
 * The Redis Cluster slot of a key (CRC16/XMODEM of the key, or of its first non-empty `{…}` hash
 * tag, modulo 16384), as CLUSTER KEYSLOT computes it.
 */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(key, 'utf8')) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc % CLUSTER_SLOTS;
}

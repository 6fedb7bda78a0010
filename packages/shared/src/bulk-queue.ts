// The BullMQ side of bulk deletion: at most one drainer job per team, spread over
// BULK_QUEUE_SHARDS queues. Payloads carry the team id only — never entry ids, URLs or other
// personal data.
//
// Terms:
// - shard: one BullMQ queue (`bulk-delete-<k>`) whose keys all share one hash tag, so BullMQ's
//   multi-key scripts stay in one Redis Cluster slot; different shards sit in different slots.
// - layout: the set of shards for one shard count N. A team's shard is a stable hash of its id
//   modulo N, so scheduling a team always lands on the same queue while N stays.
// - leftover: a shard of a layout other than the current one (N was changed, or the service ran
//   before queues were sharded). Nobody consumes it; the reconciler moves its jobs (see
//   BulkQueues.sweepLeftovers).
import { Queue, type DefaultJobOptions, type Job, type JobType } from 'bullmq';
import type { Config } from './config.js';
import { CLUSTER_SLOTS, keySlot, type RedisClient } from './redis.js';

export const BULK_QUEUE_NAME = 'bulk-delete';

export interface DrainJobData {
  teamId: string;
}

/** The drainer's job id: one per team, so scheduling a team twice is a no-op. */
export function drainerJobId(teamId: string): string {
  return `drain-${teamId}`;
}

/** The shard of a team under N shards: FNV-1a of its id, modulo N. Stable across processes and versions. */
export function shardOfTeam(teamId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(teamId, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % shards;
}

/**
 * The hash tag of shard k of N. Sequential tags (`queue-0`, `queue-1`, …) hash into a lumpy
 * pattern (on an evenly split 3-master cluster, 3 of them land on 2 masters); instead each
 * shard's tag is the first `bulk-<k>of<N>[.<i>]` whose slot falls in the k-th N-th of the slot
 * space. Masters created by `redis-cli --cluster create` hold equal slot ranges, so N shards
 * spread over M masters as evenly as N/M allows (N = 6: 2 per master on 3 masters, 1 on 6).
 */
export function shardTag(shard: number, shards: number): string {
  const low = Math.floor((shard * CLUSTER_SLOTS) / shards);
  const high = Math.floor(((shard + 1) * CLUSTER_SLOTS) / shards);
  for (let attempt = 0; ; attempt++) {
    const tag = attempt === 0 ? `bulk-${shard}of${shards}` : `bulk-${shard}of${shards}.${attempt}`;
    const slot = keySlot(tag);
    if (slot >= low && slot < high) return tag;
  }
}

/** Where a shard's keys live: `<REDIS_PREFIX>:{<tag>}:bulk-delete-<k>:…` (one slot per shard). */
export function shardQueue(config: Pick<Config, 'redisPrefix'>, shard: number, shards: number): { name: string; prefix: string } {
  return { name: `${BULK_QUEUE_NAME}-${shard}`, prefix: `${config.redisPrefix}:{${shardTag(shard, shards)}}` };
}

/** The single queue of versions before sharding: a leftover layout like any other. */
function unshardedQueue(config: Pick<Config, 'redisPrefix'>): { name: string; prefix: string } {
  return { name: BULK_QUEUE_NAME, prefix: `${config.redisPrefix}:{queue}` };
}

/**
 * One drainer job lives as long as its team's backlog, and BullMQ counts over that whole life: a
 * re-delay after a batch is not an attempt, but every failed run is one, and every worker death
 * that hits the job is a stall. Stalls never fail it (the worker sets no stall limit); running out
 * of attempts fails and removes it, and the worker then schedules a fresh one for the team at once.
 */
export const drainJobOptions: DefaultJobOptions = {
  // Postgres gone or a batch failing: retry with backoff (1 s, 2 s, 4 s … ~8.5 min in all).
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
  // Postgres keeps the history; finished drainer jobs are removed so the id is free again.
  removeOnComplete: true,
  removeOnFail: true,
};

/** Job states that a leftover job can be moved out of (an active one is locked by the worker running it). */
const movableStates: JobType[] = ['waiting', 'delayed', 'prioritized', 'waiting-children'];
const LEFTOVER_PAGE = 500;

/**
 * The queues of the current layout, and the way to the leftover ones. The producer side
 * (scheduling, counts, the dashboard); workers open their own Worker per shard (apps/worker).
 */
export class BulkQueues {
  /** Index = shard number. */
  readonly queues: readonly Queue<DrainJobData>[];
  private readonly leftoverLayouts = new Map<string, Queue<DrainJobData>[]>();
  private registered: Promise<unknown> | undefined;
  private readonly errorListeners: ((error: Error) => void)[] = [];

  constructor(
    private readonly config: Pick<Config, 'redisPrefix' | 'bulkQueueShards'>,
    private readonly connection: RedisClient,
  ) {
    this.queues = Array.from({ length: config.bulkQueueShards }, (_, shard) =>
      this.open(shardQueue(config, shard, config.bulkQueueShards)),
    );
  }

  get shards(): number {
    return this.config.bulkQueueShards;
  }

  /** Where the layouts in use are recorded: one small set per REDIS_PREFIX, never pruned. */
  private get registryKey(): string {
    return `${this.config.redisPrefix}:bulk-queue-layouts`;
  }

  shardOf(teamId: string): number {
    return shardOfTeam(teamId, this.shards);
  }

  queueOf(teamId: string): Queue<DrainJobData> {
    return this.queues[this.shardOf(teamId)]!;
  }

  /**
   * Records this layout once per process, before its first job: a process that runs with another
   * BULK_QUEUE_SHARDS later knows which queues may hold leftovers. (A failure is retried next time.)
   */
  register(): Promise<unknown> {
    this.registered ??= this.connection.sadd(this.registryKey, String(this.shards)).catch((error: unknown) => {
      this.registered = undefined;
      throw error;
    });
    return this.registered;
  }

  /** A drainer job by id, in whichever shard of the current layout holds it. */
  async getJob(jobId: string): Promise<Job<DrainJobData> | undefined> {
    const found = await Promise.all(this.queues.map((queue) => queue.getJob(jobId)));
    return found.find((job) => job !== undefined);
  }

  /** Job counts per state, summed over the shards of the current layout. */
  async getJobCounts(...states: JobType[]): Promise<Record<string, number>> {
    const perShard = await this.getJobCountsByShard(...states);
    const total: Record<string, number> = Object.fromEntries(states.map((state) => [state, 0]));
    for (const counts of perShard) for (const [state, count] of Object.entries(counts)) total[state] = (total[state] ?? 0) + count;
    return total;
  }

  /** Job counts per state of each shard of the current layout (index = shard). */
  getJobCountsByShard(...states: JobType[]): Promise<Record<string, number>[]> {
    return Promise.all(this.queues.map((queue) => queue.getJobCounts(...states)));
  }

  on(event: 'error', listener: (error: Error) => void): this {
    this.errorListeners.push(listener);
    for (const queue of this.allOpenQueues()) queue.on('error', listener);
    return this;
  }

  /**
   * Moves the jobs of every leftover layout to the current one: for each waiting or delayed
   * drainer there, the team's drainer is scheduled on its current shard first, then the old job
   * is removed, so the team always has one. An old job that is running (locked) is left alone: it
   * finishes its batch and either completes (the worker then re-checks the team on its current
   * shard) or re-delays itself into its old queue, where the next sweep moves it. Until then the
   * team may run in both, which is harmless: the limiter counts per team, whatever queue the
   * caller came from, and items are claimed FOR UPDATE SKIP LOCKED. Returns how many jobs moved.
   */
  async sweepLeftovers(): Promise<number> {
    await this.register();
    const recorded = await this.connection.smembers(this.registryKey);
    const layouts = recorded.map(Number).filter((shards) => Number.isInteger(shards) && shards > 0 && shards !== this.shards);
    let moved = 0;
    for (const queue of [...layouts.flatMap((shards) => this.leftoverQueues(shards)), ...this.leftoverQueues('unsharded')]) {
      const counts = await queue.getJobCounts(...movableStates);
      if (Object.values(counts).every((count) => count === 0)) continue;
      for (;;) {
        const jobs = (await queue.getJobs(movableStates, 0, LEFTOVER_PAGE - 1)).filter((job): job is Job<DrainJobData> => Boolean(job));
        let removed = 0;
        for (const job of jobs) {
          await scheduleDrain(this, job.data.teamId);
          // Locked (it became active meanwhile) or already gone: the next sweep looks again.
          if (
            await job.remove().then(
              () => true,
              () => false,
            )
          )
            removed++;
        }
        moved += removed;
        if (jobs.length < LEFTOVER_PAGE || removed === 0) break;
      }
    }
    return moved;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.allOpenQueues().map((queue) => queue.close()));
  }

  private leftoverQueues(shards: number | 'unsharded'): Queue<DrainJobData>[] {
    const key = String(shards);
    let queues = this.leftoverLayouts.get(key);
    if (!queues) {
      queues =
        shards === 'unsharded'
          ? [this.open(unshardedQueue(this.config))]
          : Array.from({ length: shards }, (_, shard) => this.open(shardQueue(this.config, shard, shards)));
      this.leftoverLayouts.set(key, queues);
    }
    return queues;
  }

  private allOpenQueues(): Queue<DrainJobData>[] {
    return [...this.queues, ...[...this.leftoverLayouts.values()].flat()];
  }

  private open({ name, prefix }: { name: string; prefix: string }): Queue<DrainJobData> {
    const queue = new Queue<DrainJobData>(name, { connection: this.connection, prefix, defaultJobOptions: drainJobOptions });
    for (const listener of this.errorListeners) queue.on('error', listener);
    return queue;
  }
}

export function createBulkQueues(config: Pick<Config, 'redisPrefix' | 'bulkQueueShards'>, connection: RedisClient): BulkQueues {
  return new BulkQueues(config, connection);
}

/** Makes sure the team has a drainer on its shard: adds one unless a job with its id already waits or runs there. */
export async function scheduleDrain(queues: BulkQueues, teamId: string): Promise<void> {
  await queues.register();
  await queues.queueOf(teamId).add('drain', { teamId }, { jobId: drainerJobId(teamId) });
}

// The BullMQ side of bulk deletion: one queue, at most one drainer job per team.
// Payloads carry the team id only — never entry ids, URLs or other personal data.
import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';
import type { Config } from './config.js';

export const BULK_QUEUE_NAME = 'bulk-delete';

export interface DrainJobData {
  teamId: string;
}

/**
 * All queue keys live under `<REDIS_PREFIX>:{queue}`: inside the service's prefix, and in one
 * Redis Cluster hash slot, as BullMQ's multi-key scripts need.
 */
export function queuePrefix(config: Pick<Config, 'redisPrefix'>): string {
  return `${config.redisPrefix}:{queue}`;
}

/** The drainer's job id: one per team, so scheduling a team twice is a no-op. */
export function drainerJobId(teamId: string): string {
  return `drain-${teamId}`;
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

export function createBulkQueue(config: Config, connection: ConnectionOptions): Queue<DrainJobData> {
  return new Queue<DrainJobData>(BULK_QUEUE_NAME, {
    connection,
    prefix: queuePrefix(config),
    defaultJobOptions: drainJobOptions,
  });
}

/** Makes sure the team has a drainer: adds one unless a job with its id already waits or runs. */
export async function scheduleDrain(queue: Queue<DrainJobData>, teamId: string): Promise<void> {
  await queue.add('drain', { teamId }, { jobId: drainerJobId(teamId) });
}

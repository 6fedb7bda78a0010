// The per-team drainer's BullMQ wiring: at most one job per team (`drain-<teamId>`) on the team's
// queue shard; each run executes one batch of its team (drain-step.ts; runs that wait are
// executed together, in groups) and then re-delays the job to the instant the next slot frees. Queue operations grow with teams × windows, not with items, and
// one team's backlog never holds a worker slot while it waits. The reconciler (reconciler.ts) is
// the backstop.
import { hostname } from 'node:os';
import { createRedisClient, isDependencyUnavailable, shardQueue, watchRedis, type DrainJobData, type Services } from '@dnc/shared';
import { DelayedError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { createDrainStep, type DrainRun, type DrainRunOutcome, type DrainStepOptions, type DrainStepResult } from './drain-step.js';
import { createDrainedTeamRechecks, startReconciler } from './reconciler.js';

export interface DrainerOptions extends DrainStepOptions {
  /** Lock of an active job; a worker that dies loses its job to another after this long. */
  lockDurationMs?: number;
  /**
   * Awaited when a run found the team drained, before its job completes: the window in which a
   * new submission's schedule is a no-op. Tests use it to submit work exactly then.
   */
  beforeDrainedRunEnds?: (teamId: string) => Promise<void>;
}

/**
 * The process's drainer runs, at most `limit` groups at once, each of at most `maxTeams` teams.
 * A run that arrives while a group slot is free starts at once, alone; runs that arrive while
 * every slot is taken wait, and the next free slot takes all of them (up to `maxTeams`) together:
 * their teams share the group's round trips (drain-step.ts). One limit for every shard's
 * BullMQ Worker of the process, so WORKER_CONCURRENCY bounds the groups one process runs at once
 * (and its Postgres connections), however many shards it consumes.
 */
class DrainGroups {
  private running = 0;
  private readonly waiting: { run: DrainRun; settle: (result: Promise<DrainStepResult>) => void }[] = [];

  constructor(
    private readonly limit: number,
    private readonly maxTeams: number,
    private readonly runGroup: (runs: readonly DrainRun[]) => Promise<DrainRunOutcome[]>,
  ) {}

  run(run: DrainRun): Promise<DrainStepResult> {
    return new Promise<DrainStepResult>((resolve) => {
      this.waiting.push({ run, settle: resolve });
      this.startGroups();
    });
  }

  /**
   * The oldest waiting runs, up to maxTeams of distinct teams. A team's second run (its job
   * re-delivered while the first run still waits here) is left out of this group; it may run in
   * another group at the same time, as a re-delivered job could before groups existed.
   */
  private takeGroup(): typeof this.waiting {
    const teams = new Set<string>();
    const group: typeof this.waiting = [];
    for (let index = 0; index < this.waiting.length && group.length < this.maxTeams;) {
      const member = this.waiting[index]!;
      if (teams.has(member.run.teamId)) {
        index++;
        continue;
      }
      teams.add(member.run.teamId);
      group.push(member);
      this.waiting.splice(index, 1);
    }
    return group;
  }

  private startGroups(): void {
    while (this.running < this.limit && this.waiting.length > 0) {
      const group = this.takeGroup();
      this.running++;
      const results = this.runGroup(group.map((member) => member.run));
      // Each run gets its own outcome: a team whose batch failed fails alone.
      group.forEach((member, index) =>
        member.settle(
          results.then((all) => {
            const outcome = all[index]!;
            if (outcome.status === 'rejected') throw outcome.reason;
            return outcome.value;
          }),
        ),
      );
      void results
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.startGroups();
        });
    }
  }
}

/**
 * Teams one group of drainer runs may hold. BullMQ hands each shard's Worker this many times
 * WORKER_CONCURRENCY jobs at once, so that runs wait here (holding only their job's lock, for
 * the milliseconds the groups ahead take) and can be gathered.
 */
const MAX_TEAMS_PER_GROUP = 16;

export function startDrainer(services: Services, options: DrainerOptions = {}) {
  const { config } = services;
  const groups = new DrainGroups(config.workerConcurrency, MAX_TEAMS_PER_GROUP, createDrainStep(services, options));

  async function drain(job: Job<DrainJobData>, token?: string): Promise<string> {
    const { teamId } = job.data;
    // Re-delivered after a stall, or retrying after a failure: the previous run may have died
    // between its commit and its cache invalidation.
    const repairCache = job.attemptsMade > 0 || job.stalledCounter > 0;
    const step = await groups.run({ teamId, repairCache });
    if (step.drained) {
      await options.beforeDrainedRunEnds?.(teamId);
      return 'drained';
    }
    await job.moveToDelayed(step.runAt, token);
    throw new DelayedError();
  }

  // Workers block on Redis: they need their own connection that retries forever (a single Redis
  // or a cluster client, as configured). BullMQ gives each Worker a duplicate of it for its
  // blocking reads; it does not close a connection it was given, so stop() does.
  const workerConnection = watchRedis(createRedisClient(config, 'blocking'), services.outages.redis, 'worker');
  const rechecks = createDrainedTeamRechecks(services);
  const workers = config.workerQueueShards.map((shard) =>
    startShardWorker(services, shard, workerConnection, drain, (teamId) => rechecks.add(teamId), options),
  );

  const reconciler = startReconciler(services, config.reconcileIntervalMs);

  return {
    /** One BullMQ Worker per consumed shard (WORKER_QUEUE_SHARDS, every shard by default). */
    workers,
    reconcile: reconciler.reconcile,
    /** Resolves once every shard's Worker is connected. */
    async waitUntilReady() {
      await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    },
    /** Lets the current batches commit and the current reconcile end, then stops. */
    async stop() {
      await Promise.all([reconciler.stop(), ...workers.map((worker) => worker.close())]);
      await rechecks.flush();
      await workerConnection.quit().catch(() => undefined);
    },
  };
}

function startShardWorker(
  services: Services,
  shard: number,
  connection: ConnectionOptions,
  drain: (job: Job<DrainJobData>, token?: string) => Promise<string>,
  recheckDrainedTeam: (teamId: string) => void,
  options: DrainerOptions,
): Worker<DrainJobData, string> {
  const { config, logger } = services;
  const lockDuration = options.lockDurationMs ?? 30_000;
  const { name, prefix } = shardQueue(config, shard, config.bulkQueueShards);
  const worker = new Worker<DrainJobData, string>(name, drain, {
    connection,
    prefix,
    // The process holds about WORKER_CONCURRENCY full groups' worth of jobs, spread over the
    // shards it consumes (never fewer than WORKER_CONCURRENCY per shard): enough for runs to
    // gather, and no more, so that other processes get the rest of the teams and a stopping or
    // stuck process holds few. The shared DrainGroups above keeps the total at WORKER_CONCURRENCY
    // groups. A job waiting there holds no Postgres connection, only its lock, for as long as
    // the groups ahead of it take (milliseconds).
    concurrency: Math.max(
      config.workerConcurrency,
      Math.ceil((config.workerConcurrency * MAX_TEAMS_PER_GROUP) / config.workerQueueShards.length),
    ),
    // Stored on each job it takes (`processedBy`): the queue dashboard shows which process runs a team.
    name: `${hostname()}:${process.pid}`,
    // Take-over of a dead worker's drainer (BullMQ 6, moveStalledJobsToWait): each stall check
    // re-delivers the active jobs that the previous check saw and whose lock is gone now, then
    // marks the active ones for the next check (a live worker's lock renewal unmarks its own). At
    // most one check runs per interval across all workers (a shared key that expires after one).
    // A killed worker's lock expires at most lockDuration after the kill. While checks come at
    // most 2 intervals apart (2 × interval < lockDuration here), the job is marked before then,
    // and the first check after the expiry re-delivers it: one interval after it, or two after the
    // dead worker's own last check (before the kill) if that one was the latest. So the job is
    // waiting again within lockDuration + interval (+ a Redis round trip and timer lag) of the
    // kill, and a live worker, woken by the queue's marker, runs its next batch at once: within
    // lockDuration + 1 s plus the batch, unless the dead batch's slots keep the team's window full
    // (then when the window admits, as it would have anyway). A check is cheap (one EXISTS while
    // another worker's check is recent; else two reads of the few active ids) and never takes a
    // job whose lock is held, so a short interval re-delivers nothing early.
    lockDuration,
    stalledInterval: Math.min(1_000, Math.floor(lockDuration / 4)),
    // A team's drainer is one job for the team's whole backlog, and BullMQ counts its stalls over
    // that life, never resetting them: with the default (1), the second worker death that hit a
    // team failed its drainer, which then waited for the reconciler. Re-delivery is harmless (items
    // leave 'pending' in their batch's transaction) and the reconciler would revive a failed
    // drainer anyway, so a limit would only add a pause: no limit.
    maxStalledCount: Number.MAX_SAFE_INTEGER,
  });

  // The drainer saw no pending item and was removed. Items submitted in between found the job
  // still there (their schedule was a no-op): look again now that it is gone.
  worker.on('completed', (job) => recheckDrainedTeam(job.data.teamId));
  worker.on('failed', (job, error) => {
    // A batch that failed because a store is gone retries; the outage log has already said so.
    logger[isDependencyUnavailable(error) ? 'debug' : 'warn'](
      { err: error, teamId: job?.data.teamId, attempts: job?.attemptsMade },
      'bulk batch failed',
    );
    // Out of attempts: the job is failed and removed (removeOnFail), with items still pending.
    // Attempts count over the drainer's whole life, so a long backlog can run out of them through
    // rare transient failures hours apart: schedule a fresh drainer now rather than leave the team
    // paused until the reconciler's next pass. (A failure with attempts left is a no-op here: the
    // job still exists, waiting for its backoff.)
    if (job?.finishedOn !== undefined) {
      recheckDrainedTeam(job.data.teamId);
    }
  });
  // This worker's stall check found a drainer whose worker stopped renewing its lock (killed, or
  // frozen for longer than the lock) and put it back to wait: a live worker runs it next. The batch
  // it was executing either committed or rolled back; running the team again is harmless.
  worker.on('stalled', (jobId) => logger.warn({ jobId, shard }, 'bulk drainer stalled; re-delivered to a live worker'));
  // BullMQ re-emits its connections' errors here, once per retry: while the outage log already
  // reports Redis as gone, they say nothing new.
  worker.on('error', (error) => {
    if (isDependencyUnavailable(error) && services.outages.redis.isDown) return;
    logger.warn({ err: error, shard }, 'bulk worker error');
  });
  return worker;
}

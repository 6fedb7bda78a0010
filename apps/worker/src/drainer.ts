// The per-team drainer: each run executes one batch — as many of the team's pending items as
// its dnc-write window allows, minus the slots reserved for synchronous writes — then re-delays
// itself to the instant the next slot frees. Queue operations grow with teams × windows, not
// with items, and one team's backlog never holds a worker slot while it waits.
import { hostname } from 'node:os';
import {
  BULK_QUEUE_NAME,
  completeDrainedJobs,
  countPendingItems,
  executeBatch,
  failOldestPendingItem,
  isDependencyUnavailable,
  watchRedis,
  markTeamThrottled,
  queuePrefix,
  scheduleDrain,
  teamsWithPendingItems,
  type DeletionMetricOutcome,
  type DrainJobData,
  type Services,
} from '@dnc/shared';
import { DelayedError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';

// Postgres errors worth retrying as they are: serialization failure, deadlock, lock or statement
// timeout, out of memory or disk.
const RETRYABLE_PG_CODES = new Set(['40001', '40P01', '55P03', '57014', '53100', '53200']);

/** Errors that say nothing about the items: retry the batch later (BullMQ backoff). */
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return isDependencyUnavailable(error) || (typeof code === 'string' && RETRYABLE_PG_CODES.has(code));
}

export const ITEM_FAILED_REASON = 'internal_error: the deletion failed; the service logs have the details';

export interface DrainerOptions {
  /** Lock of an active job; a worker that dies loses its job to another after this long. */
  lockDurationMs?: number;
  /** Told how many items ended how, after each commit (for metrics). */
  onItemOutcomes?: (outcomes: Partial<Record<DeletionMetricOutcome, number>>) => void;
  /**
   * Awaited when a run found the team drained, before its job completes: the window in which a
   * new submission's schedule is a no-op. Tests use it to submit work exactly then.
   */
  beforeDrainedRunEnds?: (teamId: string) => Promise<void>;
}

export function startDrainer(services: Services, options: DrainerOptions = {}) {
  const { config, db, rateLimiter, checkCache, logger, bulkQueue } = services;
  const reserve = config.rateLimit.writeReservedForSync;
  const batchSize = config.rateLimit.limits['dnc-write'] - reserve;
  const report = (outcomes: Partial<Record<DeletionMetricOutcome, number>>) => {
    try {
      options.onItemOutcomes?.(outcomes);
    } catch (error) {
      logger.warn({ err: error }, 'could not record bulk item outcomes');
    }
  };

  async function drain(job: Job<DrainJobData>, token?: string): Promise<string> {
    const { teamId } = job.data;
    // A worker that died between a batch's commit and its cache invalidation left answers that
    // may be stale: one INCR per run makes sure the next run repairs that.
    await checkCache.invalidateTeam(teamId);
    const wanted = await countPendingItems(db, teamId, batchSize);
    if (wanted === 0) {
      await options.beforeDrainedRunEnds?.(teamId);
      return 'drained';
    }

    const decision = await rateLimiter.acquire(teamId, 'dnc-write', { wanted, reserve });
    if (decision.granted > 0) {
      const batch = await executeBatchIsolatingFailures(teamId, decision.granted);
      // After commit: the very next check must not answer from a stale cache.
      if (batch.deleted > 0) await checkCache.invalidateTeam(teamId);
      logger.debug({ teamId, granted: decision.granted, ...batch }, 'bulk batch executed');
      if (batch.remaining === 0) {
        await options.beforeDrainedRunEnds?.(teamId);
        return 'drained';
      }
    }

    // More to do: run again when the team's window next admits a bulk write.
    const runAt = Math.max(decision.nextAdmitAt, Date.now());
    if (decision.nextAdmitAt > decision.now) await markTeamThrottled(db, teamId, new Date(decision.nextAdmitAt));
    await job.moveToDelayed(runAt, token);
    throw new DelayedError();
  }

  /**
   * One transaction for the whole batch. If it fails for a reason that is not transient, the
   * same slots are spent one item at a time, and an item whose own deletion fails is marked
   * `failed` — one bad item must not block the team's queue forever.
   */
  async function executeBatchIsolatingFailures(teamId: string, slots: number): Promise<{ deleted: number; remaining: number }> {
    try {
      const batch = await executeBatch(db, teamId, slots);
      report(batch.outcomes);
      return { deleted: batch.outcomes.deleted, remaining: batch.remaining };
    } catch (error) {
      if (isRetryable(error)) throw error;
      logger.error({ err: error, teamId }, 'bulk batch failed; executing its items one by one');
    }
    let deleted = 0;
    let remaining = 0;
    for (let slot = 0; slot < slots; slot++) {
      try {
        const single = await executeBatch(db, teamId, 1);
        report(single.outcomes);
        deleted += single.outcomes.deleted;
        remaining = single.remaining;
      } catch (error) {
        if (isRetryable(error)) throw error;
        const failed = await failOldestPendingItem(db, teamId, ITEM_FAILED_REASON);
        logger.error({ err: error, teamId, ...failed }, 'bulk item failed');
        if (failed) report({ failed: 1 });
        remaining = await countPendingItems(db, teamId, 1);
      }
      if (remaining === 0) break;
    }
    return { deleted, remaining };
  }

  // Workers block on Redis: they need their own connection that retries forever. BullMQ does not
  // close a connection it was given, so stop() does.
  const workerConnection = watchRedis(new Redis(config.redisUrl, { maxRetriesPerRequest: null }), services.outages.redis, 'worker');
  const lockDuration = options.lockDurationMs ?? 30_000;
  const worker = new Worker<DrainJobData, string>(BULK_QUEUE_NAME, drain, {
    connection: workerConnection,
    prefix: queuePrefix(config),
    concurrency: config.workerConcurrency,
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
  worker.on('completed', (job) => {
    rescheduleIfPending(job.data.teamId).catch((error: unknown) =>
      logger.warn({ err: error, teamId: job.data.teamId }, 'could not re-check the team after its drainer finished; the reconciler will'),
    );
  });
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
      rescheduleIfPending(job.data.teamId).catch((rescheduleError: unknown) =>
        logger.warn(
          { err: rescheduleError, teamId: job.data.teamId },
          'could not re-schedule the team after its drainer failed; the reconciler will',
        ),
      );
    }
  });
  // This worker's stall check found a drainer whose worker stopped renewing its lock (killed, or
  // frozen for longer than the lock) and put it back to wait: a live worker runs it next. The batch
  // it was executing either committed or rolled back; running the team again is harmless.
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'bulk drainer stalled; re-delivered to a live worker'));
  // BullMQ re-emits its connections' errors here, once per retry: while the outage log already
  // reports Redis as gone, they say nothing new.
  worker.on('error', (error) => {
    if (isDependencyUnavailable(error) && services.outages.redis.isDown) return;
    logger.warn({ err: error }, 'bulk worker error');
  });

  async function rescheduleIfPending(teamId: string) {
    if ((await countPendingItems(db, teamId, 1)) > 0) await scheduleDrain(bulkQueue, teamId);
  }

  /** Backstop for lost Redis state: every team with pending items in Postgres gets a drainer. */
  async function reconcile(): Promise<number> {
    const completed = await completeDrainedJobs(db);
    if (completed > 0) logger.warn({ completed }, 'completed jobs that had no pending item left');
    const teams = await teamsWithPendingItems(db);
    for (const teamId of teams) await scheduleDrain(bulkQueue, teamId);
    if (teams.length > 0) logger.debug({ teams: teams.length }, 'reconciled pending bulk work');
    return teams.length;
  }

  let reconcileTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const reconcileLoop = () => {
    reconcile()
      // An outage is reported once by the outage log; anything else is worth a warning each time.
      .catch((error: unknown) => logger[isDependencyUnavailable(error) ? 'debug' : 'warn']({ err: error }, 'reconcile failed; will retry'))
      .finally(() => {
        if (!stopped) reconcileTimer = setTimeout(reconcileLoop, config.reconcileIntervalMs);
      });
  };
  reconcileLoop();

  return {
    worker,
    reconcile,
    /** Lets the current batch commit, then stops. */
    async stop() {
      stopped = true;
      clearTimeout(reconcileTimer);
      await worker.close();
      await workerConnection.quit().catch(() => undefined);
    },
  };
}

// One run of a team's drainer, with no queue in it: take as many of the team's dnc-write slots
// as its window allows (never the ones reserved for synchronous writes), execute that many of
// its oldest pending items in one transaction, and say when to run again. drainer.ts wires this
// to BullMQ (re-delaying the job to `runAt`).
import {
  classifyError,
  countPendingItems,
  drainRunOutlook,
  executeBatch,
  failOldestPendingItem,
  markTeamThrottled,
  RateLimiter,
  type DeletionMetricOutcome,
  type Services,
} from '@dnc/shared';

export const ITEM_FAILED_REASON = 'internal_error: the deletion failed; the service logs have the details';

/** The team has no pending item left, or the next run is due at `runAt` (epoch ms). */
export type DrainStepResult = { drained: true } | { drained: false; runAt: number };

export interface DrainStepOptions {
  /** Told how many items ended how, after each commit (for metrics). */
  onItemOutcomes?: (outcomes: Partial<Record<DeletionMetricOutcome, number>>) => void;
}

/** Errors that say nothing about the items: retry the batch later (the queue's backoff). */
const isRetryable = (error: unknown) => classifyError(error) !== 'permanent';

export interface DrainRun {
  /**
   * This run may follow one that died or failed between its commit and its cache invalidation
   * (the drainer job was re-delivered after a stall, or is retrying): invalidate first.
   */
  repairCache: boolean;
}

export function createDrainStep(
  services: Pick<Services, 'config' | 'db' | 'redis' | 'teamLimits' | 'checkCache' | 'logger'>,
  options: DrainStepOptions = {},
): (teamId: string, run?: DrainRun) => Promise<DrainStepResult> {
  const { config, db, checkCache, logger } = services;
  const reserve = config.rateLimit.writeReservedForSync;
  // The run reads the team's dnc-write limit in the same query as its pending count; the limiter
  // is handed that value (the sliding window and its key are the shared limiter's, so the count
  // stays exact across processes). Any other class, or a team not in a run, reads as usual.
  const limitsInRun = new Map<string, number>();
  const rateLimiter = new RateLimiter(services.redis, {
    prefix: config.redisPrefix,
    windowMs: config.rateLimit.windowMs,
    limits: config.rateLimit.limits,
    teamLimits: {
      limitOf: (teamId, rateLimitClass) => {
        const limit = rateLimitClass === 'dnc-write' ? limitsInRun.get(teamId) : undefined;
        return limit !== undefined ? Promise.resolve(limit) : services.teamLimits.limitOf(teamId, rateLimitClass);
      },
    },
  });
  const report = (outcomes: Partial<Record<DeletionMetricOutcome, number>>) => {
    try {
      options.onItemOutcomes?.(outcomes);
    } catch (error) {
      logger.warn({ err: error }, 'could not record bulk item outcomes');
    }
  };

  /**
   * One statement for the whole batch (see executeBatch). If it fails for a reason that is not
   * transient, the same slots are spent one item at a time, and an item whose own deletion fails
   * is marked `failed` — one bad item must not block the team's queue forever.
   */
  async function executeBatchIsolatingFailures(
    teamId: string,
    slots: number,
    throttleUntil: Date | null,
  ): Promise<{ deleted: number; remaining: number }> {
    try {
      const batch = await executeBatch(db, teamId, slots, { throttleUntil });
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
    if (remaining > 0 && throttleUntil) await markTeamThrottled(db, teamId, throttleUntil);
    return { deleted, remaining };
  }

  return async function drainStep(teamId: string, run: DrainRun = { repairCache: true }): Promise<DrainStepResult> {
    // A worker that died (or failed) between a batch's commit and its cache invalidation left
    // answers that may be stale: the run that takes over its job invalidates first.
    if (run.repairCache) await checkCache.invalidateTeam(teamId);
    // The team's own dnc-write limit, read on every run, and its pending items up to that limit
    // minus the slots kept for synchronous writes: one round trip.
    const outlook = await drainRunOutlook(db, teamId, { defaultLimit: config.rateLimit.limits['dnc-write'], reserve });
    const wanted = outlook.pending;
    if (wanted === 0) return { drained: true };

    limitsInRun.set(teamId, outlook.limit);
    const decision = await rateLimiter.acquire(teamId, 'dnc-write', { wanted, reserve }).finally(() => limitsInRun.delete(teamId));
    // The window is full after this batch: its jobs show throttled until the next slot frees,
    // written by the batch's own statement (or here, when this run got no slot at all).
    const throttleUntil = decision.nextAdmitAt > decision.now ? new Date(decision.nextAdmitAt) : null;
    if (decision.granted > 0) {
      const batch = await executeBatchIsolatingFailures(teamId, decision.granted, throttleUntil);
      // After commit: the very next check must not answer from a stale cache.
      if (batch.deleted > 0) await checkCache.invalidateTeam(teamId);
      logger.debug({ teamId, granted: decision.granted, ...batch }, 'bulk batch executed');
      if (batch.remaining === 0) return { drained: true };
    } else if (throttleUntil) {
      await markTeamThrottled(db, teamId, throttleUntil);
    }

    // More to do: run again when the team's window next admits a bulk write.
    return { drained: false, runAt: Math.max(decision.nextAdmitAt, Date.now()) };
  };
}

// One run of a team's drainer, with no queue in it: take as many of the team's dnc-write slots
// as its window allows (never the ones reserved for synchronous writes), execute that many of
// its oldest pending items in one transaction, and say when to run again. drainer.ts wires this
// to BullMQ (re-delaying the job to `runAt`).
import {
  classifyError,
  countPendingItems,
  executeBatch,
  failOldestPendingItem,
  markTeamThrottled,
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

export function createDrainStep(
  services: Pick<Services, 'config' | 'db' | 'rateLimiter' | 'checkCache' | 'logger'>,
  options: DrainStepOptions = {},
): (teamId: string) => Promise<DrainStepResult> {
  const { config, db, rateLimiter, checkCache, logger } = services;
  const reserve = config.rateLimit.writeReservedForSync;
  const report = (outcomes: Partial<Record<DeletionMetricOutcome, number>>) => {
    try {
      options.onItemOutcomes?.(outcomes);
    } catch (error) {
      logger.warn({ err: error }, 'could not record bulk item outcomes');
    }
  };

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

  return async function drainStep(teamId: string): Promise<DrainStepResult> {
    // A worker that died between a batch's commit and its cache invalidation left answers that
    // may be stale: one INCR per run makes sure the next run repairs that.
    await checkCache.invalidateTeam(teamId);
    // The team's own dnc-write limit (cached ≤ 5 s), minus the slots kept for synchronous writes.
    const batchSize = (await rateLimiter.teamLimitOf(teamId, 'dnc-write')) - reserve;
    const wanted = await countPendingItems(db, teamId, batchSize);
    if (wanted === 0) return { drained: true };

    const decision = await rateLimiter.acquire(teamId, 'dnc-write', { wanted, reserve });
    if (decision.granted > 0) {
      const batch = await executeBatchIsolatingFailures(teamId, decision.granted);
      // After commit: the very next check must not answer from a stale cache.
      if (batch.deleted > 0) await checkCache.invalidateTeam(teamId);
      logger.debug({ teamId, granted: decision.granted, ...batch }, 'bulk batch executed');
      if (batch.remaining === 0) return { drained: true };
    }

    // More to do: run again when the team's window next admits a bulk write.
    const runAt = Math.max(decision.nextAdmitAt, Date.now());
    if (decision.nextAdmitAt > decision.now) await markTeamThrottled(db, teamId, new Date(decision.nextAdmitAt));
    return { drained: false, runAt };
  };
}

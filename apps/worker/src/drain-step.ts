// Runs of teams' drainers, with no queue in them: each team takes as many of its dnc-write slots
// as its window allows (never the ones reserved for synchronous writes), executes that many of
// its oldest pending items in one transaction, and is told when to run again. The runs handed
// over together (drainer.ts gathers those that wait for a Postgres connection) share their round
// trips: one query reads every team's outlook, one statement executes every granted batch.
// drainer.ts wires this to BullMQ (re-delaying each team's job to its `runAt`).
import {
  classifyError,
  countPendingItems,
  drainRunOutlooks,
  executeBatch,
  executeBatches,
  failOldestPendingItem,
  markTeamThrottled,
  RateLimiter,
  type DeletionMetricOutcome,
  type RateLimitDecision,
  type Services,
  type TeamBatch,
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
  teamId: string;
  /**
   * This run may follow one that died or failed between its commit and its cache invalidation
   * (the drainer job was re-delivered after a stall, or is retrying): invalidate first.
   */
  repairCache: boolean;
}

/**
 * At most this many items in one statement of several teams' batches; more are split over
 * statements (a single team's batch is never split: it is one transaction, as it always was).
 * Keeps a statement of many teams far below the query timeout.
 */
const MAX_ITEMS_PER_STATEMENT = 500;

export function createDrainStep(
  services: Pick<Services, 'config' | 'db' | 'redis' | 'teamLimits' | 'checkCache' | 'logger'>,
  options: DrainStepOptions = {},
): (runs: readonly DrainRun[]) => Promise<DrainStepResult[]> {
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

  /**
   * The granted batches of several teams, as few statements as MAX_ITEMS_PER_STATEMENT allows. If
   * a statement fails for a reason that is not transient, each of its teams runs on its own
   * (executeBatchIsolatingFailures): one team's bad item must not hold the others back.
   */
  async function executeGrantedBatches(granted: readonly TeamBatch[]): Promise<Map<string, { deleted: number; remaining: number }>> {
    const executed = new Map<string, { deleted: number; remaining: number }>();
    for (const statement of splitByItems(granted, MAX_ITEMS_PER_STATEMENT)) {
      if (statement.length === 1) {
        const { teamId, slots, throttleUntil } = statement[0]!;
        executed.set(teamId, await executeBatchIsolatingFailures(teamId, slots, throttleUntil));
        continue;
      }
      let results: Awaited<ReturnType<typeof executeBatches>> | undefined;
      try {
        results = await executeBatches(db, statement);
      } catch (error) {
        if (isRetryable(error)) throw error;
        logger.error({ err: error, teams: statement.length }, "bulk batches failed together; executing each team's batch on its own");
      }
      for (const { teamId, slots, throttleUntil } of statement) {
        const batch = results?.get(teamId);
        if (batch) {
          report(batch.outcomes);
          executed.set(teamId, { deleted: batch.outcomes.deleted, remaining: batch.remaining });
        } else {
          executed.set(teamId, await executeBatchIsolatingFailures(teamId, slots, throttleUntil));
        }
      }
    }
    return executed;
  }

  async function acquireSlots(teamId: string, limit: number, wanted: number): Promise<RateLimitDecision> {
    limitsInRun.set(teamId, limit);
    try {
      return await rateLimiter.acquire(teamId, 'dnc-write', { wanted, reserve });
    } finally {
      limitsInRun.delete(teamId);
    }
  }

  /** Runs of distinct teams; the results in the same order. */
  return async function drainSteps(runs: readonly DrainRun[]): Promise<DrainStepResult[]> {
    // A worker that died (or failed) between a batch's commit and its cache invalidation left
    // answers that may be stale: the run that takes over its job invalidates first.
    await Promise.all(runs.filter((run) => run.repairCache).map((run) => checkCache.invalidateTeam(run.teamId)));
    // Each team's own dnc-write limit, read on every run, and its pending items up to that limit
    // minus the slots kept for synchronous writes: one round trip for all the teams.
    const outlooks = await drainRunOutlooks(
      db,
      runs.map((run) => run.teamId),
      { defaultLimit: config.rateLimit.limits['dnc-write'], reserve },
    );
    const decisions = await Promise.all(
      runs.map((run) => {
        const outlook = outlooks.get(run.teamId);
        return outlook && outlook.pending > 0 ? acquireSlots(run.teamId, outlook.limit, outlook.pending) : Promise.resolve(undefined);
      }),
    );
    // A window that is full after this batch: the team's jobs show throttled until its next slot
    // frees, written by the batch's own statement (or below, when the team got no slot at all).
    const throttleUntil = (decision: RateLimitDecision) => (decision.nextAdmitAt > decision.now ? new Date(decision.nextAdmitAt) : null);
    const granted: TeamBatch[] = [];
    runs.forEach((run, index) => {
      const decision = decisions[index];
      if (decision && decision.granted > 0)
        granted.push({ teamId: run.teamId, slots: decision.granted, throttleUntil: throttleUntil(decision) });
    });
    const executed = granted.length > 0 ? await executeGrantedBatches(granted) : new Map<string, { deleted: number; remaining: number }>();
    // After commit: the very next check must not answer from a stale cache.
    await Promise.all([...executed].filter(([, batch]) => batch.deleted > 0).map(([teamId]) => checkCache.invalidateTeam(teamId)));
    await Promise.all(
      runs.map((run, index) => {
        const decision = decisions[index];
        const until = decision && decision.granted === 0 ? throttleUntil(decision) : null;
        return until ? markTeamThrottled(db, run.teamId, until) : Promise.resolve();
      }),
    );

    return runs.map((run, index): DrainStepResult => {
      const decision = decisions[index];
      if (!decision) return { drained: true };
      const batch = executed.get(run.teamId);
      if (batch) logger.debug({ teamId: run.teamId, granted: decision.granted, ...batch }, 'bulk batch executed');
      if (batch?.remaining === 0) return { drained: true };
      // More to do: run again when the team's window next admits a bulk write.
      return { drained: false, runAt: Math.max(decision.nextAdmitAt, Date.now()) };
    });
  };
}

/** Consecutive groups of batches of at most `maxItems` items each (a larger batch alone in its group). */
function splitByItems(batches: readonly TeamBatch[], maxItems: number): TeamBatch[][] {
  const groups: TeamBatch[][] = [];
  let items = Number.POSITIVE_INFINITY;
  for (const batch of batches) {
    if (items + batch.slots > maxItems) {
      groups.push([]);
      items = 0;
    }
    groups.at(-1)!.push(batch);
    items += batch.slots;
  }
  return groups;
}

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
  rolledBackByPostgres,
  type DeletionMetricOutcome,
  type RateLimitDecision,
  type Services,
  type TeamBatch,
} from '@dnc/shared';

export const ITEM_FAILED_REASON = 'internal_error: the deletion failed; the service logs have the details';

/** The team has no pending item left, or the next run is due at `runAt` (epoch ms). */
export type DrainStepResult = { drained: true } | { drained: false; runAt: number };

/** One run of a group: its result, or the error of its own batch (only its job fails). */
export type DrainRunOutcome = PromiseSettledResult<DrainStepResult>;

/** What a team's batch did. */
interface BatchDone {
  deleted: number;
  remaining: number;
}

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
): (runs: readonly DrainRun[]) => Promise<DrainRunOutcome[]> {
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
  async function executeBatchIsolatingFailures(teamId: string, slots: number, throttleUntil: Date | null): Promise<BatchDone> {
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
   * The granted batches of several teams, as few statements as MAX_ITEMS_PER_STATEMENT allows;
   * each team's check cache is invalidated as soon as its batch has committed. A statement of
   * several teams that fails is re-run team by team on the same slots when it surely committed
   * nothing: for a reason that is not transient (one team's bad item must not hold the others
   * back), or because Postgres rolled it back (a deadlock must not cost every team its window).
   * After a lost connection or a timeout it may still commit, so its teams fail (their jobs retry
   * on fresh slots). A team's own failure fails only that team.
   */
  async function executeGrantedBatches(granted: readonly TeamBatch[]): Promise<Map<string, PromiseSettledResult<BatchDone>>> {
    const executed = new Map<string, PromiseSettledResult<BatchDone>>();
    const committed = async (teamId: string, done: BatchDone) => {
      executed.set(teamId, { status: 'fulfilled', value: done });
      // After commit: the very next check must not answer from a stale cache.
      if (done.deleted > 0) await checkCache.invalidateTeam(teamId);
    };
    const executeAlone = async ({ teamId, slots, throttleUntil }: TeamBatch) => {
      try {
        await committed(teamId, await executeBatchIsolatingFailures(teamId, slots, throttleUntil));
      } catch (error) {
        executed.set(teamId, { status: 'rejected', reason: error });
      }
    };
    for (const statement of splitByItems(granted, MAX_ITEMS_PER_STATEMENT)) {
      if (statement.length === 1) {
        await executeAlone(statement[0]!);
        continue;
      }
      let results: Awaited<ReturnType<typeof executeBatches>>;
      try {
        results = await executeBatches(db, statement);
      } catch (error) {
        if (isRetryable(error) && !rolledBackByPostgres(error)) {
          for (const { teamId } of statement) executed.set(teamId, { status: 'rejected', reason: error });
          continue;
        }
        logger.warn({ err: error, teams: statement.length }, "bulk batches failed together; executing each team's batch on its own");
        for (const batch of statement) await executeAlone(batch);
        continue;
      }
      // The statement's teams committed together: their caches are invalidated together.
      await Promise.all(
        statement.map(async ({ teamId }) => {
          // drain_batches answers one row per team it was given.
          const batch = results.get(teamId);
          if (!batch) throw new Error(`drain_batches returned no row for ${teamId}`);
          report(batch.outcomes);
          await committed(teamId, { deleted: batch.outcomes.deleted, remaining: batch.remaining });
        }),
      );
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

  /**
   * Runs of distinct teams; their outcomes in the same order. Rejects as a whole only when the
   * group failed before any batch ran (the outlook query, the limiter).
   */
  return async function drainSteps(runs: readonly DrainRun[]): Promise<DrainRunOutcome[]> {
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
    const nextSlotIfFull = (decision: RateLimitDecision) => (decision.nextAdmitAt > decision.now ? new Date(decision.nextAdmitAt) : null);
    const granted: TeamBatch[] = [];
    runs.forEach((run, index) => {
      const decision = decisions[index];
      if (decision && decision.granted > 0)
        granted.push({ teamId: run.teamId, slots: decision.granted, throttleUntil: nextSlotIfFull(decision) });
    });
    const executed = granted.length > 0 ? await executeGrantedBatches(granted) : new Map<string, PromiseSettledResult<BatchDone>>();
    // One at a time: the group holds one Postgres connection, not one per team.
    for (const [index, run] of runs.entries()) {
      const decision = decisions[index];
      const until = decision && decision.granted === 0 ? nextSlotIfFull(decision) : null;
      if (until) await markTeamThrottled(db, run.teamId, until);
    }

    return runs.map((run, index): DrainRunOutcome => {
      const decision = decisions[index];
      if (!decision) return { status: 'fulfilled', value: { drained: true } };
      const batch = executed.get(run.teamId);
      if (batch?.status === 'rejected') return batch;
      if (batch) logger.debug({ teamId: run.teamId, granted: decision.granted, ...batch.value }, 'bulk batch executed');
      if (batch?.value.remaining === 0) return { status: 'fulfilled', value: { drained: true } };
      // More to do: run again when the team's window next admits a bulk write.
      return { status: 'fulfilled', value: { drained: false, runAt: Math.max(decision.nextAdmitAt, Date.now()) } };
    });
  };
}

/** Consecutive groups of batches of at most `maxItems` items each (a larger batch alone in its group). */
function splitByItems(batches: readonly TeamBatch[], maxItems: number): TeamBatch[][] {
  const groups: TeamBatch[][] = [];
  // Infinity: the first batch always opens a group.
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

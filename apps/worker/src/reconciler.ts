// The backstop for lost Redis state: Postgres says which teams have pending items, and each of
// them gets a drainer on its current queue shard (scheduling a team that has one is a no-op),
// whatever shards this worker consumes. Then the jobs still sitting in the queues of another
// shard count (BULK_QUEUE_SHARDS was changed) are moved to their team's current shard. Runs at
// worker start and every RECONCILE_INTERVAL_MS.
import { completeDrainedJobs, scheduleDrain, teamsWithPendingItems, teamsWithPendingItemsAmong, type Services } from '@dnc/shared';
import { startPeriodic } from './periodic.js';

type ReconcilerServices = Pick<Services, 'db' | 'bulkQueue' | 'logger'>;

/**
 * The re-checks of teams whose drainer just ended (completed, or failed out of attempts), gathered while one query runs: under load
 * many drainers finish at once, and one query answers for all of them. A team with pending items
 * gets its drainer again.
 */
export function createDrainedTeamRechecks(services: ReconcilerServices) {
  const waiting = new Set<string>();
  let running: Promise<void> | undefined;

  async function recheck(teamIds: string[]): Promise<void> {
    try {
      for (const teamId of await teamsWithPendingItemsAmong(services.db, teamIds)) await scheduleDrain(services.bulkQueue, teamId);
    } catch (error) {
      services.logger.warn(
        { err: error, teams: teamIds.length },
        'could not re-check teams after their drainer finished; the reconciler will',
      );
    }
  }

  function next(): void {
    if (running || waiting.size === 0) return;
    const teamIds = [...waiting];
    waiting.clear();
    running = recheck(teamIds).finally(() => {
      running = undefined;
      next();
    });
  }

  return {
    add(teamId: string): void {
      waiting.add(teamId);
      next();
    },
    /** Resolves once every re-check asked for so far has run. */
    async flush(): Promise<void> {
      while (running) await running;
    },
  };
}

/** Every team with pending items in Postgres gets a drainer. Returns how many teams have pending items. */
export async function reconcile(services: ReconcilerServices): Promise<number> {
  const { db, bulkQueue, logger } = services;
  const completed = await completeDrainedJobs(db);
  if (completed > 0) logger.warn({ completed }, 'completed jobs that had no pending item left');
  const teams = await teamsWithPendingItems(db);
  for (const teamId of teams) await scheduleDrain(bulkQueue, teamId);
  if (teams.length > 0) logger.debug({ teams: teams.length }, 'reconciled pending bulk work');
  const moved = await bulkQueue.sweepLeftovers();
  if (moved > 0) logger.info({ moved, shards: bulkQueue.shards }, 'moved drainers left in the queues of another BULK_QUEUE_SHARDS');
  return teams.length;
}

export function startReconciler(services: ReconcilerServices, intervalMs: number) {
  const loop = startPeriodic({
    intervalMs,
    logger: services.logger,
    failureMessage: 'reconcile failed; will retry',
    run: () => reconcile(services),
  });
  return { reconcile: () => reconcile(services), stop: () => loop.stop() };
}

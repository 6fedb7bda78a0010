// Prometheus metrics of one worker, served on its own HTTP port (see http-server.ts). A Registry
// of its own, not prom-client's global one.
import { BULK_QUEUE_NAME, type Services } from '@dnc/shared';
import { sql } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ItemOutcome } from './drainer';

const itemOutcomes: readonly ItemOutcome[] = ['deleted', 'not_found', 'forbidden', 'failed'];

export interface WorkerMetrics {
  registry: Registry;
  deletions: Counter<'source' | 'outcome'>;
  /** For the drainer's `onItemOutcomes`: counts executed bulk items by final status. */
  countBulkOutcomes(outcomes: Partial<Record<ItemOutcome, number>>): void;
}

/**
 * Gauges read from Postgres and Redis when scraped: bulk items pending, the bulk queue's job
 * counts, and how far the audit relay is behind. A store that does not answer turns its gauges
 * into NaN (unknown) for that scrape, so /metrics keeps answering during an outage.
 * The API registers the same gauges (apps/api/src/metrics.ts); keep them in step.
 */
function registerBacklogGauges(registry: Registry, services: Pick<Services, 'db' | 'bulkQueue' | 'logger'>): void {
  const { db, bulkQueue, logger } = services;
  const unknown = (gauge: Gauge<string>, what: string, error: unknown) => {
    logger.warn({ err: error }, `metrics: could not read ${what}`);
    gauge.set(Number.NaN);
  };

  new Gauge({
    name: 'dnc_bulk_items_pending',
    help: 'Bulk-deletion items waiting to be executed (all teams), read from Postgres when scraped',
    registers: [registry],
    async collect() {
      try {
        const result = await sql<{ count: number }>`select count(*)::int as count from bulk_job_items where status = 'pending'`.execute(db);
        this.set(result.rows[0]?.count ?? 0);
      } catch (error) {
        unknown(this, 'pending bulk items', error);
      }
    },
  });

  const states = ['waiting', 'delayed', 'active'] as const;
  new Gauge({
    name: 'dnc_queue_jobs',
    help: 'BullMQ jobs of a queue by state, read from Redis when scraped',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      try {
        const counts = await bulkQueue.getJobCounts(...states);
        for (const state of states) this.set({ queue: BULK_QUEUE_NAME, state }, counts[state] ?? 0);
      } catch (error) {
        logger.warn({ err: error }, 'metrics: could not read the queue job counts');
        for (const state of states) this.set({ queue: BULK_QUEUE_NAME, state }, Number.NaN);
      }
    },
  });

  new Gauge({
    name: 'dnc_audit_relay_lag_seconds',
    help: 'Age of the oldest audit event not yet relayed to the log stream (0 when none waits)',
    registers: [registry],
    async collect() {
      try {
        const result = await sql<{ lag: number | null }>`
          select extract(epoch from now() - occurred_at)::float8 as lag from audit_events
          where relayed_at is null order by seq limit 1`.execute(db);
        this.set(Math.max(0, result.rows[0]?.lag ?? 0));
      } catch (error) {
        unknown(this, 'the audit relay lag', error);
      }
    },
  });

  new Gauge({
    name: 'dnc_audit_unrelayed_events',
    help: 'Audit events not yet relayed to the log stream',
    registers: [registry],
    async collect() {
      try {
        const result = await sql<{ count: number }>`select count(*)::int as count from audit_events where relayed_at is null`.execute(db);
        this.set(result.rows[0]?.count ?? 0);
      } catch (error) {
        unknown(this, 'the unrelayed audit events', error);
      }
    },
  });
}

export function createWorkerMetrics(services: Pick<Services, 'db' | 'bulkQueue' | 'logger'>): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const deletions = new Counter({
    name: 'dnc_deletions_total',
    help: 'DNC entry deletions by source (api: DELETE /v1/dnc/{id}; bulk: the worker) and outcome',
    labelNames: ['source', 'outcome'] as const,
    registers: [registry],
  });
  // Every series exists from the start, so rate() sees the first increment.
  for (const outcome of itemOutcomes) deletions.inc({ source: 'bulk', outcome }, 0);
  registerBacklogGauges(registry, services);
  return {
    registry,
    deletions,
    countBulkOutcomes(outcomes) {
      for (const outcome of itemOutcomes) {
        const count = outcomes[outcome] ?? 0;
        if (count > 0) deletions.inc({ source: 'bulk', outcome }, count);
      }
    },
  };
}

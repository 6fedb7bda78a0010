// Prometheus metrics that the API and the worker both serve: default process metrics, the
// bulk-deletion backlog gauges and the deletions counter. Each process builds its own Registry
// (not prom-client's global one): tests run several apps in one process.
import { sql } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { BULK_QUEUE_NAME } from './bulk-queue.js';
import type { Services } from './runtime.js';
import { executedItemStatuses, type AuditSource, type ExecutedItemStatus } from './vocabulary.js';

/** How a deletion ended: the domain outcomes, or `failed` for an error. */
export type DeletionMetricOutcome = ExecutedItemStatus;
const deletionMetricOutcomes = executedItemStatuses;

export interface ServiceMetrics {
  registry: Registry;
  /** Counts deletions of this process's source (api: the synchronous route; bulk: the worker). */
  countDeletions(outcomes: Partial<Record<DeletionMetricOutcome, number>>): void;
}

export function createServiceMetrics(services: Pick<Services, 'db' | 'bulkQueue' | 'logger'>, source: AuditSource): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const deletions = new Counter({
    name: 'dnc_deletions_total',
    help: 'DNC entry deletions by source (api: DELETE /v1/dnc/{id}; bulk: the worker) and outcome',
    labelNames: ['source', 'outcome'] as const,
    registers: [registry],
  });
  // Every series exists from the start, so rate() sees the first increment.
  for (const outcome of deletionMetricOutcomes) deletions.inc({ source, outcome }, 0);
  registerBacklogGauges(registry, services);
  return {
    registry,
    countDeletions(outcomes) {
      for (const outcome of deletionMetricOutcomes) {
        const count = outcomes[outcome] ?? 0;
        if (count > 0) deletions.inc({ source, outcome }, count);
      }
    },
  };
}

/**
 * Gauges read from Postgres and Redis when scraped: bulk items pending, the bulk queue's job
 * counts, and how far the audit relay is behind. A store that does not answer turns its gauges
 * into NaN (unknown) for that scrape, so /metrics keeps answering during an outage.
 * The API and the worker both register them, so the backlog stays visible while either is down.
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
    help: 'BullMQ jobs of a queue by state (all shards of the bulk-delete queue together), read from Redis when scraped',
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

  // Per shard: a shard whose jobs pile up while the others drain has lost its workers (a
  // partitioned fleet, WORKER_QUEUE_SHARDS) or sits on a master in trouble.
  new Gauge({
    name: 'dnc_queue_shard_jobs',
    help: 'BullMQ jobs of each bulk-delete queue shard (BULK_QUEUE_SHARDS) by state, read from Redis when scraped',
    labelNames: ['shard', 'state'] as const,
    registers: [registry],
    async collect() {
      try {
        const perShard = await bulkQueue.getJobCountsByShard(...states);
        perShard.forEach((counts, shard) => {
          for (const state of states) this.set({ shard: String(shard), state }, counts[state] ?? 0);
        });
      } catch (error) {
        logger.warn({ err: error }, 'metrics: could not read the queue shard job counts');
        for (let shard = 0; shard < bulkQueue.shards; shard++)
          for (const state of states) this.set({ shard: String(shard), state }, Number.NaN);
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
          select extract(epoch from now() - event.occurred_at)::float8 as lag
          from audit_events event where event.seq = (select min(outbox.seq) from audit_outbox outbox)`.execute(db);
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
        const result = await sql<{ count: number }>`select count(*)::int as count from audit_outbox`.execute(db);
        this.set(result.rows[0]?.count ?? 0);
      } catch (error) {
        unknown(this, 'the unrelayed audit events', error);
      }
    },
  });
}

// Prometheus metrics of one worker, served on its own HTTP port (see http-server.ts). A Registry
// of its own, not prom-client's global one.
import { registerBacklogGauges, type Services } from '@dnc/shared';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import type { ItemOutcome } from './drainer';

const itemOutcomes: readonly ItemOutcome[] = ['deleted', 'not_found', 'forbidden', 'failed'];

export interface WorkerMetrics {
  registry: Registry;
  deletions: Counter<'source' | 'outcome'>;
  /** For the drainer's `onItemOutcomes`: counts executed bulk items by final status. */
  countBulkOutcomes(outcomes: Partial<Record<ItemOutcome, number>>): void;
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

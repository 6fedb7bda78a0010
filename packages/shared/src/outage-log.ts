import type { Logger } from './logger.js';

export type Dependency = 'postgres' | 'redis';

/**
 * One warning when a dependency goes away and one line when it is back, however many
 * connections see the outage and however often they retry. A process has several connections
 * to each store (a pool, BullMQ's blocking connection…): each reports as its own `source`, and the
 * dependency counts as back once every source that saw it fail is healthy again.
 */
export class OutageLog {
  private readonly failing = new Set<string>();
  private downSince: number | undefined;

  constructor(
    private readonly logger: Logger,
    readonly dependency: Dependency,
  ) {}

  get isDown(): boolean {
    return this.downSince !== undefined;
  }

  /** A connection of this dependency failed (lost, refused, timed out). */
  failed(source: string, error: unknown): void {
    this.failing.add(source);
    if (this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.logger.warn({ dependency: this.dependency, source, err: error }, `${this.dependency} unavailable`);
  }

  /** A connection of this dependency works (connected, answered). */
  healthy(source: string): void {
    if (!this.failing.delete(source) || this.failing.size > 0 || this.downSince === undefined) return;
    const downForMs = Date.now() - this.downSince;
    this.downSince = undefined;
    this.logger.info({ dependency: this.dependency, downForMs }, `${this.dependency} available again after ${downForMs} ms`);
  }
}

export interface OutageLogs {
  postgres: OutageLog;
  redis: OutageLog;
}

export function createOutageLogs(logger: Logger): OutageLogs {
  return { postgres: new OutageLog(logger, 'postgres'), redis: new OutageLog(logger, 'redis') };
}

// Per-team rate limits. Postgres is the source of truth (table team_limits: one row per class an
// operator set; the others use the configured defaults). Every API and worker process reads a
// team's limits at most once per `cacheTtlMs` (5 s): the bound on how long a change takes to apply
// everywhere. The limiter script receives the limit as an argument, so admissions stay exact
// across processes; during those 5 s two processes may simply judge against different limits.
import { sql } from 'kysely';
import type { Db } from './db/database.js';
import { AppError, type ValidationDetail } from './errors.js';
import { teamIdPattern } from './ids.js';
import { rateLimitClasses, type RateLimitClass } from './vocabulary.js';

export type TeamLimitValues = Record<RateLimitClass, number>;

/** Where a limit comes from: the team's own row, or the configuration's default. */
export interface TeamLimitReport {
  teamId: string;
  limits: Record<RateLimitClass, { limit: number; source: 'team' | 'default'; updatedAt: string | null }>;
}

export interface TeamLimitsOptions {
  /** DNC_WRITE_LIMIT, DNC_BULK_LIMIT, … of the configuration. */
  defaults: TeamLimitValues;
  /** DNC_WRITE_RESERVED_FOR_SYNC: a dnc-write limit must stay above it, or bulk work could never run. */
  writeReservedForSync: number;
  /** How long a team's limits are trusted without re-reading them (default 5 s). */
  cacheTtlMs?: number;
}

interface CachedLimits {
  limits: TeamLimitValues;
  expiresAt: number;
}

const MAX_CACHED_TEAMS = 10_000;

export class TeamLimits {
  private readonly cache = new Map<string, CachedLimits>();
  /** One read per team at a time: a burst of requests of one team costs one query. */
  private readonly reading = new Map<string, Promise<TeamLimitValues>>();
  private readonly cacheTtlMs: number;

  constructor(
    private readonly db: Db,
    private readonly options: TeamLimitsOptions,
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? 5_000;
  }

  get defaults(): TeamLimitValues {
    return this.options.defaults;
  }

  get writeReservedForSync(): number {
    return this.options.writeReservedForSync;
  }

  /** The team's limit of one class, as this process applies it (cached for at most `cacheTtlMs`). */
  async limitOf(teamId: string, rateLimitClass: RateLimitClass): Promise<number> {
    return (await this.limitsOf(teamId))[rateLimitClass];
  }

  /**
   * The team's limit of one class when this process holds it fresh, at once (no promise on the
   * request path); undefined when it must be read (`limitOf`).
   */
  cachedLimitOf(teamId: string, rateLimitClass: RateLimitClass): number | undefined {
    return this.fresh(teamId)?.[rateLimitClass];
  }

  /** The cached limits while fresh. Past half their age, every cached team is re-read in one background query. */
  private fresh(teamId: string): TeamLimitValues | undefined {
    const cached = this.cache.get(teamId);
    if (!cached) return undefined;
    const now = Date.now();
    if (cached.expiresAt <= now) return undefined;
    if (cached.expiresAt - now < this.cacheTtlMs / 2) this.refreshInBackground();
    return cached.limits;
  }

  /** The team's limits of every class, as this process applies them. */
  async limitsOf(teamId: string): Promise<TeamLimitValues> {
    const fresh = this.fresh(teamId);
    if (fresh) return fresh;
    const stale = this.cache.get(teamId);
    const inFlight = this.reading.get(teamId);
    if (inFlight) return inFlight;
    const read = this.read(teamId)
      .then((limits) => {
        if (this.cache.size >= MAX_CACHED_TEAMS) this.cache.clear();
        this.cache.set(teamId, { limits, expiresAt: Date.now() + this.cacheTtlMs });
        return limits;
      })
      .catch((error: unknown) => {
        // Postgres briefly away: the last known limits are better than refusing the request.
        if (stale) return stale.limits;
        throw error;
      })
      .finally(() => this.reading.delete(teamId));
    this.reading.set(teamId, read);
    return read;
  }

  /** What the operator CLI shows: each class's limit and whether it is the team's own or the default. */
  async show(teamId: string): Promise<TeamLimitReport> {
    assertTeamId(teamId);
    const rows = await this.rowsOf(teamId);
    const limits = {} as TeamLimitReport['limits'];
    for (const rateLimitClass of rateLimitClasses) {
      const row = rows.find((candidate) => candidate.class === rateLimitClass);
      limits[rateLimitClass] = row
        ? { limit: row.limit, source: 'team', updatedAt: row.updated_at.toISOString() }
        : { limit: this.options.defaults[rateLimitClass], source: 'default', updatedAt: null };
    }
    return { teamId, limits };
  }

  /**
   * Sets the given classes' limits of the team (creating the team if needed); the other classes
   * keep theirs. Refuses (validation_error, nothing written) a limit below 1, or a dnc-write limit
   * at or below the reserve.
   */
  async set(teamId: string, changes: Partial<TeamLimitValues>): Promise<TeamLimitReport> {
    assertTeamId(teamId);
    const entries = rateLimitClasses.flatMap((rateLimitClass) => {
      const limit = changes[rateLimitClass];
      return limit === undefined ? [] : [{ rateLimitClass, limit }];
    });
    const problems: ValidationDetail[] = [];
    for (const { rateLimitClass, limit } of entries) {
      if (!Number.isSafeInteger(limit) || limit < 1) {
        problems.push({ path: rateLimitClass, message: `must be a whole number of at least 1 (got ${limit})` });
      } else if (rateLimitClass === 'dnc-write' && limit <= this.options.writeReservedForSync) {
        problems.push({
          path: rateLimitClass,
          message: `must be above DNC_WRITE_RESERVED_FOR_SYNC (${this.options.writeReservedForSync}): bulk deletions never take the reserved slots, so they could never run (got ${limit})`,
        });
      }
    }
    if (entries.length === 0) problems.push({ path: 'limits', message: 'give at least one class to change' });
    if (problems.length > 0) throw AppError.validation(problems, 'Invalid limits');

    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('teams')
        .values({ id: teamId })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      await tx
        .insertInto('team_limits')
        .values(entries.map(({ rateLimitClass, limit }) => ({ team_id: teamId, class: rateLimitClass, limit })))
        .onConflict((oc) => oc.columns(['team_id', 'class']).doUpdateSet({ limit: sql.ref('excluded.limit'), updated_at: sql`now()` }))
        .execute();
    });
    this.cache.delete(teamId);
    return this.show(teamId);
  }

  /** Back to the configured defaults for every class. */
  async reset(teamId: string): Promise<TeamLimitReport> {
    assertTeamId(teamId);
    await this.db.deleteFrom('team_limits').where('team_id', '=', teamId).execute();
    this.cache.delete(teamId);
    return this.show(teamId);
  }

  private rowsOf(teamId: string) {
    return this.db.selectFrom('team_limits').select(['class', 'limit', 'updated_at']).where('team_id', '=', teamId).execute();
  }

  private refreshing: Promise<void> | undefined;

  /**
   * Re-reads the limits of every cached team in one query, off the request path: a busy process
   * costs one query per couple of seconds rather than one per team every 5 s on its requests.
   * Each team's limits count their age from when the query started, so a change still applies
   * within `cacheTtlMs`; if the query fails, the entries expire and are read again as before.
   */
  private refreshInBackground(): void {
    if (this.refreshing) return;
    const startedAt = Date.now();
    const teamIds = [...this.cache.keys()];
    this.refreshing = this.db
      .selectFrom('team_limits')
      .select(['team_id', 'class', 'limit'])
      .where('team_id', 'in', teamIds)
      .execute()
      .then((rows) => {
        const rowsOfTeam = new Map<string, typeof rows>();
        for (const row of rows) rowsOfTeam.set(row.team_id, [...(rowsOfTeam.get(row.team_id) ?? []), row]);
        for (const teamId of teamIds) {
          const current = this.cache.get(teamId);
          // Gone (set() or reset() dropped it: the read may predate the change) or read since.
          if (!current || current.expiresAt >= startedAt + this.cacheTtlMs) continue;
          const limits = this.limitsFrom(rowsOfTeam.get(teamId) ?? []);
          this.cache.set(teamId, { limits, expiresAt: startedAt + this.cacheTtlMs });
        }
      })
      .catch(() => undefined)
      .finally(() => {
        this.refreshing = undefined;
      });
  }

  private async read(teamId: string): Promise<TeamLimitValues> {
    return this.limitsFrom(await this.rowsOf(teamId));
  }

  private limitsFrom(rows: readonly { class: RateLimitClass; limit: number }[]): TeamLimitValues {
    const limits = { ...this.options.defaults };
    for (const row of rows) {
      if (!(rateLimitClasses as readonly string[]).includes(row.class)) continue;
      limits[row.class] = row.limit;
    }
    // A row written under a smaller DNC_WRITE_RESERVED_FOR_SYNC must not stop the team's bulk work:
    // the drainer always has at least one slot per window.
    limits['dnc-write'] = Math.max(limits['dnc-write'], this.options.writeReservedForSync + 1);
    return limits;
  }
}

function assertTeamId(teamId: string): void {
  if (!teamIdPattern.test(teamId)) {
    throw AppError.validation([{ path: 'team', message: 'must look like team_<letters, digits, "_" or "-">' }]);
  }
}

// Per-team sliding-window log (see ../../../README.md#rate-limits). One sorted set per team and
// class holds the admission times of the last window; one Lua script, on Redis server time, trims
// it, counts, and adds only what it admits — so the limit is exact across any number of API and
// worker processes, and a refused request leaves nothing behind.
import { randomBytes } from 'node:crypto';
import { teamKey, type RedisClient } from './redis.js';
import { RedisScript } from './redis-script.js';
import type { RateLimitClass } from './vocabulary.js';

const slidingWindowScript = new RedisScript(`
local key = KEYS[1]
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local reserve = tonumber(ARGV[4])
local member = ARGV[5]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local used = redis.call('ZCARD', key)
local usable = limit - reserve
local granted = math.max(0, math.min(wanted, usable - used))
-- One ZADD per 500 slots, not one per slot: a bulk batch takes dozens at once, and each call from
-- Lua costs Redis more than a member added to a call (unpack() is also bounded by Lua's stack).
local slotsPerZadd = 500
local scored = {}
for i = 1, granted do
  scored[#scored + 1] = now
  scored[#scored + 1] = member .. ':' .. i
  if #scored == 2 * slotsPerZadd or i == granted then
    redis.call('ZADD', key, unpack(scored))
    scored = {}
  end
end
if granted > 0 then
  redis.call('PEXPIRE', key, window)
end
used = used + granted
-- When the oldest admission leaves the window (the next time "remaining" grows).
local oldestFreesAt = now
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
if oldest[2] then oldestFreesAt = tonumber(oldest[2]) + window end
-- When this caller (with its reserve) could next be admitted.
local nextAdmitAt = now
if used >= usable then
  local index = used - usable
  local blocking = redis.call('ZRANGE', key, index, index, 'WITHSCORES')
  if blocking[2] then nextAdmitAt = tonumber(blocking[2]) + window end
end
return {granted, limit - used, oldestFreesAt, nextAdmitAt, now}
`);

// A window's members must be unique across every process: this process's random tag and a
// counter (random bytes per request cost more CPU than the rest of the call).
const processTag = randomBytes(9).toString('base64url');
let admissions = 0;
const nextMember = () => `${processTag}.${(admissions++).toString(36)}`;

export interface RateLimitDecision {
  rateLimitClass: RateLimitClass;
  limit: number;
  windowMs: number;
  /** Slots taken by this call (0 when refused). */
  granted: number;
  /** Slots left in the window after this call, for anyone without a reserve. */
  remaining: number;
  /** Epoch ms when the oldest admission in the window expires. */
  oldestFreesAt: number;
  /** Epoch ms when this caller could next be admitted (now when it still can). */
  nextAdmitAt: number;
  /** Redis server time of the decision, epoch ms. */
  now: number;
}

export interface RateLimiterOptions {
  prefix: string;
  windowMs: number;
  /** The configured limits: every team's, unless `teamLimits` gives the team its own. */
  limits: Record<RateLimitClass, number>;
  /** Per-team limits (team-limits.ts), read through a cache of at most 5 s. */
  teamLimits?: {
    limitOf(teamId: string, rateLimitClass: RateLimitClass): Promise<number>;
    /** The limit when it is at hand without a read (undefined otherwise): no promise on the request path. */
    cachedLimitOf?(teamId: string, rateLimitClass: RateLimitClass): number | undefined;
  };
}

const ONE_SLOT = { wanted: 1, reserve: 0 } as const;

export class RateLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: RateLimiterOptions,
  ) {}

  limitOf(rateLimitClass: RateLimitClass): number {
    return this.options.limits[rateLimitClass];
  }

  /** The team's own limit of the class (the configured one when it has none). */
  teamLimitOf(teamId: string, rateLimitClass: RateLimitClass): Promise<number> {
    return this.options.teamLimits
      ? this.options.teamLimits.limitOf(teamId, rateLimitClass)
      : Promise.resolve(this.limitOf(rateLimitClass));
  }

  get windowMs(): number {
    return this.options.windowMs;
  }

  /** Takes one slot for a request; `granted` is 0 when the team's window is spent. */
  consume(teamId: string, rateLimitClass: RateLimitClass): Promise<RateLimitDecision> {
    return this.acquire(teamId, rateLimitClass, ONE_SLOT);
  }

  /**
   * Takes up to `wanted` slots at once, never the last `reserve` ones of the window
   * (bulk jobs leave those to synchronous writes).
   */
  async acquire(
    teamId: string,
    rateLimitClass: RateLimitClass,
    { wanted, reserve }: { wanted: number; reserve: number },
  ): Promise<RateLimitDecision> {
    // The team's limit is the script's argument: the count stays exact across processes.
    const limit = this.options.teamLimits?.cachedLimitOf?.(teamId, rateLimitClass) ?? (await this.teamLimitOf(teamId, rateLimitClass));
    const member = nextMember();
    const key = teamKey(this.options.prefix, teamId, 'ratelimit', rateLimitClass);
    const reply = (await slidingWindowScript.run(this.redis, [key], [this.options.windowMs, limit, wanted, reserve, member])) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const [granted, remaining, oldestFreesAt, nextAdmitAt, now] = reply;
    return { rateLimitClass, limit, windowMs: this.options.windowMs, granted, remaining, oldestFreesAt, nextAdmitAt, now };
  }
}

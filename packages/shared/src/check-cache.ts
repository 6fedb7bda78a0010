// Cached answers of "is this URL on the team's list?", positive and negative alike.
// Each answer is stored with the team's generation number at the time it was read; bumping the
// generation (one INCR) makes every older answer of the team stale at once, in O(1). Stale
// answers are never served and expire on their TTL or are overwritten.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Entry } from './entry-model.js';
import { teamKey } from './redis.js';
import { RedisScript } from './redis-script.js';

// Both keys are passed in KEYS and share the team's hash tag: legal on Redis Cluster.
const readScript = new RedisScript(`
local generation = redis.call('GET', KEYS[1]) or '0'
local stored = redis.call('GET', KEYS[2])
if stored then
  local separator = string.find(stored, '|', 1, true)
  if separator and string.sub(stored, 1, separator - 1) == generation then
    return {generation, string.sub(stored, separator + 1)}
  end
end
return {generation}
`);

export interface CachedCheck {
  /** The generation read with the answer: a write-back must use it, never a newer one. */
  generation: string;
  /** undefined = not cached; null = cached "not on the list". */
  entry: Entry | null | undefined;
}

export class CheckCache {
  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix: string; ttlMs: number },
  ) {}

  private generationKey(teamId: string) {
    return teamKey(this.options.prefix, teamId, 'check-generation');
  }

  private answerKey(teamId: string, url: string) {
    return teamKey(this.options.prefix, teamId, 'check', createHash('sha256').update(url).digest('base64url'));
  }

  /** One round trip: the team's generation and the answer cached under it, if any. */
  async read(teamId: string, url: string): Promise<CachedCheck> {
    const [generation, answer] = (await readScript.run(this.redis, [this.generationKey(teamId), this.answerKey(teamId, url)], [])) as [
      string,
      string | undefined,
    ];
    return { generation, entry: answer === undefined ? undefined : (JSON.parse(answer) as Entry | null) };
  }

  /**
   * Stores an answer tagged with the generation read *before* the database was asked, so an
   * answer that raced an invalidation carries a dead generation and is never served.
   */
  async write(teamId: string, url: string, generation: string, entry: Entry | null): Promise<void> {
    await this.redis.set(this.answerKey(teamId, url), `${generation}|${JSON.stringify(entry)}`, 'PX', this.options.ttlMs);
  }

  /** Invalidates every cached answer of the team: O(1). */
  async invalidateTeam(teamId: string): Promise<void> {
    await this.redis.incr(this.generationKey(teamId));
  }
}

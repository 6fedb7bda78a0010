// Cached answers of "is this URL on the team's list?", positive and negative alike.
// Every key embeds the team's generation number; bumping it (one INCR) orphans all of the
// team's cached answers at once, and they expire on their TTL.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { teamKey } from './redis';
import { RedisScript } from './redis-script';
import type { Entry } from './entries';

const readScript = new RedisScript(`
local generation = redis.call('GET', KEYS[1]) or '0'
local answer = redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2])
return {generation, answer}
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

  private answerKeyPrefix(teamId: string) {
    return `${teamKey(this.options.prefix, teamId, 'check')}:`;
  }

  private static urlHash(url: string) {
    return createHash('sha256').update(url).digest('base64url');
  }

  /** One round trip: the team's generation and the cached answer under it. */
  async read(teamId: string, url: string): Promise<CachedCheck> {
    const [generation, answer] = (await readScript.run(
      this.redis,
      [this.generationKey(teamId)],
      [this.answerKeyPrefix(teamId), CheckCache.urlHash(url)],
    )) as [string, string | null];
    return { generation, entry: answer === null || answer === undefined ? undefined : (JSON.parse(answer) as Entry | null) };
  }

  /**
   * Stores an answer under the generation read *before* the database was asked, so an answer
   * that raced an invalidation lands under a dead generation and is never served.
   */
  async write(teamId: string, url: string, generation: string, entry: Entry | null): Promise<void> {
    const key = `${this.answerKeyPrefix(teamId)}${generation}:${CheckCache.urlHash(url)}`;
    await this.redis.set(key, JSON.stringify(entry), 'PX', this.options.ttlMs);
  }

  /** Invalidates every cached answer of the team: O(1). */
  async invalidateTeam(teamId: string): Promise<void> {
    await this.redis.incr(this.generationKey(teamId));
  }
}

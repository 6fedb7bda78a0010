// Cached answers of "is this URL on the team's list?", positive and negative alike.
// Each answer is stored with the team's generation number at the time it was read; bumping the
// generation (one INCR) makes every older answer of the team stale at once, in O(1). Stale
// answers are never served and expire on their TTL or are overwritten.
import { createHash } from 'node:crypto';
import type { Entry } from './entry-model.js';
import { teamKey, type RedisClient } from './redis.js';
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

// The same, for many answers of one team at once (a scrub): one round trip whatever their number.
// KEYS[1] is the generation key, KEYS[2..] the answer keys; all share the team's hash tag. A
// missing or stale answer is `false` (a nil reply), so the reply keeps one slot per key.
const readManyScript = new RedisScript(`
local generation = redis.call('GET', KEYS[1]) or '0'
local tag = generation .. '|'
local stored = redis.call('MGET', unpack(KEYS, 2))
local answers = {generation}
for i = 1, #KEYS - 1 do
  local value = stored[i]
  if value and string.sub(value, 1, #tag) == tag then
    answers[i + 1] = string.sub(value, #tag + 1)
  else
    answers[i + 1] = false
  end
end
return answers
`);

// Stores many answers of one team in one round trip: ARGV[1] is the TTL, ARGV[i + 1] the value of KEYS[i].
const writeManyScript = new RedisScript(`
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], ARGV[i + 1], 'PX', ARGV[1])
end
return #KEYS
`);

export interface CachedCheck {
  /** The generation read with the answer: a write-back must use it, never a newer one. */
  generation: string;
  /** undefined = not cached; null = cached "not on the list". */
  entry: Entry | null | undefined;
}

export class CheckCache {
  constructor(
    private readonly redis: RedisClient,
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

  /**
   * One round trip for many URLs of a team: the team's generation and, per URL, the answer cached
   * under it (absent from `entries` when not cached or stale). URLs must be distinct.
   */
  async readMany(teamId: string, urls: readonly string[]): Promise<{ generation: string; entries: Map<string, Entry | null> }> {
    if (urls.length === 0) return { generation: (await this.redis.get(this.generationKey(teamId))) ?? '0', entries: new Map() };
    const keys = [this.generationKey(teamId), ...urls.map((url) => this.answerKey(teamId, url))];
    const [generation, ...answers] = (await readManyScript.run(this.redis, keys, [])) as [string, ...(string | null)[]];
    const entries = new Map<string, Entry | null>();
    urls.forEach((url, index) => {
      const answer = answers[index];
      if (typeof answer === 'string') entries.set(url, JSON.parse(answer) as Entry | null);
    });
    return { generation, entries };
  }

  /** Stores many answers of a team in one round trip, each tagged with `generation` (see `write`). */
  async writeMany(teamId: string, generation: string, answers: ReadonlyMap<string, Entry | null>): Promise<void> {
    if (answers.size === 0) return;
    const keys = [...answers.keys()].map((url) => this.answerKey(teamId, url));
    const values = [...answers.values()].map((entry) => `${generation}|${JSON.stringify(entry)}`);
    await writeManyScript.run(this.redis, keys, [this.options.ttlMs, ...values]);
  }

  /** Invalidates every cached answer of the team: O(1). */
  async invalidateTeam(teamId: string): Promise<void> {
    await this.redis.incr(this.generationKey(teamId));
  }
}

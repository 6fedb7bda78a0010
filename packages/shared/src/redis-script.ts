import { createHash } from 'node:crypto';
import { keySlot, type RedisClient } from './redis.js';

/**
 * A Lua script run by EVALSHA, falling back to EVAL the first time a server has not seen it.
 *
 * On a Redis Cluster both commands are routed by their first key's slot, so the EVAL fallback
 * loads the script on the very node that answered NOSCRIPT (each master keeps its own script
 * cache; no SCRIPT LOAD to every node is needed). A script may only touch the keys it is given,
 * and they must share one slot (`{team}` tags): checked here on every topology, so a script that
 * would fail with CROSSSLOT on a cluster already fails on a single Redis.
 */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    if (keys.length > 1) {
      const slot = keySlot(keys[0]!);
      if (keys.some((key) => keySlot(key) !== slot)) throw new Error(`script keys are in different hash slots: ${keys.join(', ')}`);
    }
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return redis.eval(this.source, keys.length, ...keys, ...args);
      }
      throw error;
    }
  }
}

// API keys: `dncsk_<key id>_<secret>`. The key id finds the row; the 32-byte secret is checked
// against a keyed hash (HMAC-SHA256 with API_KEY_PEPPER) in constant time. Only the hash is stored.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from './db/database.js';
import { AppError } from './errors.js';
import { newApiKeyId, teamIdPattern } from './ids.js';
import { scopes, type Scope } from './vocabulary.js';

export interface ApiKeyPrincipal {
  keyId: string;
  teamId: string;
  /** Frozen: one principal is shared by every request of the key while it is cached. */
  scopes: readonly Scope[];
}

export interface CreatedApiKey {
  teamId: string;
  keyId: string;
  /** The full secret key; shown once, never stored. */
  apiKey: string;
  scopes: Scope[];
}

const API_KEY_PATTERN = /^dncsk_([A-Za-z0-9]{16})_([0-9a-f]{64})$/;

function hashSecret(pepper: string, secret: string): string {
  return createHmac('sha256', pepper).update(secret).digest('hex');
}

interface CachedKey {
  /** What a request authenticated by this key acts as: one object per row read, shared by its requests. */
  principal: ApiKeyPrincipal;
  secretHash: string;
  revoked: boolean;
  expiresAt: number;
  /**
   * The secret that matched `secretHash` since this row was read: the same secret again is
   * compared to it in constant time instead of being hashed again (an HMAC per request was a
   * quarter of the API's CPU per DELETE). Dropped with the row, so revocation still applies
   * within `cacheTtlMs`.
   */
  verifiedSecret: Buffer | undefined;
}

/** Bounded: a flood of distinct keys cannot grow memory without limit. */
const MAX_CACHED_KEYS = 10_000;

type KeyRow = { id: string; team_id: string; secret_hash: string; scopes: string[]; revoked_at: Date | null };

export class ApiKeyService {
  private readonly cache = new Map<string, CachedKey>();
  /** The background re-read of every cached key, while one runs. */
  private refreshing: Promise<void> | undefined;
  /** Keys a request found in the cache since the last background refresh: the ones it re-reads. */
  private readonly usedSinceRefresh = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly pepper: string,
    /** How long a key's row is trusted without re-reading it: the bound on revocation delay. */
    private readonly cacheTtlMs = 5_000,
  ) {}

  async create(input: { teamId: string; name?: string | undefined; scopes: Scope[] }): Promise<CreatedApiKey> {
    if (!teamIdPattern.test(input.teamId)) {
      throw AppError.validation([{ path: 'team', message: 'must look like team_<letters, digits, "_" or "-">' }]);
    }
    if (input.scopes.length === 0) throw AppError.validation([{ path: 'scopes', message: 'at least one scope is required' }]);
    const keyId = newApiKeyId();
    const secret = randomBytes(32).toString('hex');
    const uniqueScopes = [...new Set(input.scopes)];
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('teams')
        .values({ id: input.teamId })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      await tx
        .insertInto('api_keys')
        .values({
          id: keyId,
          team_id: input.teamId,
          name: input.name ?? null,
          secret_hash: hashSecret(this.pepper, secret),
          scopes: uniqueScopes,
        })
        .execute();
    });
    return { teamId: input.teamId, keyId, apiKey: `dncsk_${keyId.slice('key_'.length)}_${secret}`, scopes: uniqueScopes };
  }

  /** Returns false when no such key exists. Revoking twice is harmless. */
  async revoke(keyId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: new Date() })
      .where('id', '=', keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (result.numUpdatedRows > 0n) return true;
    const exists = await this.db.selectFrom('api_keys').select('id').where('id', '=', keyId).executeTakeFirst();
    return exists !== undefined;
  }

  async list(teamId: string) {
    const rows = await this.db
      .selectFrom('api_keys')
      .select(['id', 'team_id', 'name', 'scopes', 'created_at', 'revoked_at'])
      .where('team_id', '=', teamId)
      .orderBy('created_at')
      .execute();
    return rows.map((row) => ({
      keyId: row.id,
      teamId: row.team_id,
      name: row.name,
      scopes: row.scopes,
      createdAt: row.created_at.toISOString(),
      revokedAt: row.revoked_at?.toISOString() ?? null,
    }));
  }

  /** The key's principal, or null when the key is unknown, revoked or its secret is wrong. */
  async authenticate(apiKey: string): Promise<ApiKeyPrincipal | null> {
    const match = API_KEY_PATTERN.exec(apiKey);
    if (!match) return null;
    const keyId = `key_${match[1]}`;
    const secret = match[2]!;
    // A key in use is almost always cached: its row is taken without waiting for another promise.
    const key = this.freshKey(keyId) ?? (await this.readKey(keyId));
    if (!key || key.revoked) return null;
    const presentedSecret = Buffer.from(secret, 'hex');
    const known = key.verifiedSecret;
    if (!known || known.length !== presentedSecret.length || !timingSafeEqual(known, presentedSecret)) {
      const presented = Buffer.from(hashSecret(this.pepper, secret), 'hex');
      const stored = Buffer.from(key.secretHash, 'hex');
      if (presented.length !== stored.length || !timingSafeEqual(presented, stored)) return null;
      key.verifiedSecret = presentedSecret;
    }
    return key.principal;
  }

  /**
   * The key's row if it was read less than `cacheTtlMs` ago. A key in use does not wait for its re-read: once
   * its row is half that old, one background query re-reads every key used since the last one, so a busy
   * API costs one query per couple of seconds, not one per key every 5 s on the request path.
   * Each row counts its age from when the query that read it started: revocation still applies
   * within `cacheTtlMs` whatever the refreshes do (if they fail, rows expire and are read again).
   */
  private freshKey(keyId: string): CachedKey | undefined {
    const cached = this.cache.get(keyId);
    if (!cached) return undefined;
    const now = Date.now();
    if (cached.expiresAt <= now) return undefined;
    this.usedSinceRefresh.add(keyId);
    if (cached.expiresAt - now < this.cacheTtlMs / 2) this.refreshInBackground();
    return cached;
  }

  /** The key's row, read now (it was not cached, or its row is too old to trust). */
  private async readKey(keyId: string): Promise<CachedKey | undefined> {
    const now = Date.now();
    const row = await this.db
      .selectFrom('api_keys')
      .select(['id', 'team_id', 'secret_hash', 'scopes', 'revoked_at'])
      .where('id', '=', keyId)
      .executeTakeFirst();
    if (!row) {
      this.cache.delete(keyId);
      return undefined;
    }
    return this.remember(row, now);
  }

  private remember(row: KeyRow, readStartedAt: number): CachedKey {
    const previous = this.cache.get(row.id);
    const key: CachedKey = {
      principal: Object.freeze({
        keyId: row.id,
        teamId: row.team_id,
        scopes: Object.freeze(row.scopes.filter((scope): scope is Scope => (scopes as readonly string[]).includes(scope))),
      }),
      secretHash: row.secret_hash,
      revoked: row.revoked_at !== null,
      expiresAt: readStartedAt + this.cacheTtlMs,
      // The same row re-read while still fresh: the secret it verified still matches the same hash.
      // Once a row has expired its secret goes with it, so a key not used for `cacheTtlMs` is
      // verified by HMAC again and its secret is not kept in memory meanwhile.
      verifiedSecret: previous?.secretHash === row.secret_hash && previous.expiresAt > readStartedAt ? previous.verifiedSecret : undefined,
    };
    // A newer read (a request's own, say) is kept.
    if (previous && previous.expiresAt > key.expiresAt) return previous;
    if (!previous && this.cache.size >= MAX_CACHED_KEYS) this.cache.clear();
    this.cache.set(row.id, key);
    return key;
  }

  private refreshInBackground(): void {
    if (this.refreshing) return;
    const startedAt = Date.now();
    // Only keys used since the last refresh: an idle key's row expires and is dropped when read.
    const ids = [...this.usedSinceRefresh];
    this.usedSinceRefresh.clear();
    // Expired rows go, with the secrets they verified.
    for (const [id, key] of this.cache) if (key.expiresAt <= startedAt) this.cache.delete(id);
    if (ids.length === 0) return;
    this.refreshing = this.db
      .selectFrom('api_keys')
      .select(['id', 'team_id', 'secret_hash', 'scopes', 'revoked_at'])
      .where('id', 'in', ids)
      .execute()
      .then((rows) => {
        const found = new Set<string>();
        for (const row of rows) {
          found.add(row.id);
          this.remember(row, startedAt);
        }
        // Deleted rows: unknown keys from now on.
        for (const id of ids) if (!found.has(id)) this.cache.delete(id);
      })
      // Postgres away: the rows expire on their own and the next request reads (or fails) itself.
      .catch(() => undefined)
      .finally(() => {
        this.refreshing = undefined;
      });
  }
}

// An entry as the API shows it. Its own module so that the check cache (which stores entries)
// and the DNC operations (which use the cache) both depend on it and not on each other.
import type { DncEntryRow } from './db/schema.js';

export interface Entry {
  $id: string;
  teamId: string;
  url: string;
  $createdAt: string;
  $updatedAt: string;
}

export function toEntry(row: Pick<DncEntryRow, 'id' | 'team_id' | 'url' | 'created_at' | 'updated_at'>): Entry {
  return {
    $id: row.id,
    teamId: row.team_id,
    url: row.url,
    $createdAt: new Date(row.created_at).toISOString(),
    $updatedAt: new Date(row.updated_at).toISOString(),
  };
}

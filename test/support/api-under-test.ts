// The setups test files share: the real API (and, for bulk deletion, the real worker) on a file's
// own database and Redis prefix, and the assertions on the contract's error bodies.
import type { Db, Services } from '@dnc/shared';
import { expect } from 'vitest';
import { createTestEnvironment, unlimited, type RunningWorker, type TestEnvironment } from './environment.js';
import { isoMillis, type ApiResponse } from './http.js';

export interface ApiUnderTest {
  env: TestEnvironment;
  baseUrl: string;
  /** The API's port, for requests over raw sockets. */
  port: number;
  /** The API process's own services (its Postgres pool and Redis connection), to watch what it does. */
  apiServices: Services;
}

/** Everything a request could change: entries, audit trail, bulk jobs and their items. */
export async function storedState(db: Db) {
  return {
    entries: await db.selectFrom('dnc_entries').selectAll().orderBy('id').execute(),
    audit: await db.selectFrom('audit_events').selectAll().orderBy('seq').execute(),
    jobs: await db.selectFrom('bulk_jobs').selectAll().orderBy('id').execute(),
    items: await db.selectFrom('bulk_job_items').selectAll().orderBy('seq').execute(),
  };
}

/** The real API with rate limits far above the file's traffic; `overrides` set what the file tests. */
export async function startApiUnderTest(overrides: Record<string, string> = {}): Promise<ApiUnderTest> {
  const env = await createTestEnvironment({ ...unlimited, ...overrides });
  const running = await env.startApi();
  return { env, baseUrl: running.baseUrl, port: Number(new URL(running.baseUrl).port), apiServices: running.services };
}

/** How fast a team's bulk items run: `writeLimit` writes per window, `reservedForSync` of them never taken by the worker. */
export interface BulkPacing {
  windowMs: number;
  writeLimit: number;
  reservedForSync: number;
}

export interface BulkDeletionUnderTest extends ApiUnderTest {
  /** The file's worker, for a test that must stop it (its timers re-create Redis keys). */
  worker: RunningWorker;
}

/** The real API and the real worker, with the team's writes paced (every other limit unlimited). */
export async function startBulkDeletion(pacing: BulkPacing): Promise<BulkDeletionUnderTest> {
  const api = await startApiUnderTest({
    RATE_LIMIT_WINDOW_MS: String(pacing.windowMs),
    DNC_WRITE_LIMIT: String(pacing.writeLimit),
    DNC_WRITE_RESERVED_FOR_SYNC: String(pacing.reservedForSync),
  });
  const worker = await api.env.startWorker();
  return { ...api, worker };
}

/** A 400 `validation_error` whose details name `path` (among others). */
export function expectValidationError(response: ApiResponse, path: string) {
  expect(response.status).toBe(400);
  expect(response.body).toEqual({
    error: 'validation_error',
    message: expect.any(String),
    data: null,
    details: expect.arrayContaining([{ path, message: expect.any(String) }]),
  });
}

/** An entry of the team's list with this URL, as the API shows it. */
export const entryShape = (teamId: string, url: string) => ({
  $id: expect.stringMatching(/^dnc_[A-Za-z0-9]+$/),
  teamId,
  url,
  $createdAt: expect.stringMatching(isoMillis),
  $updatedAt: expect.stringMatching(isoMillis),
});

/** The contract's error body, with no extra fields. */
export function expectError(response: ApiResponse, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.body).toEqual({ error: code, message: expect.any(String), data: null });
}

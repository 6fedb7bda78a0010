// @dnc/client against the real API and the real bulk-deletion worker (in-process), over HTTP.
import {
  createDncClient,
  DncApiError,
  DncConnectionError,
  isDncApiError,
  type AuditPage,
  type CheckResult,
  type DncClient,
  type EntryPage,
  type Job,
  type JobItemPage,
} from '@dnc/client';
import type { auditEventListSchema, checkResultSchema, entryListSchema, Equals, jobItemListSchema } from '@dnc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { entryShape } from '../support/api-under-test.js';
import { expectedQueuedJob, seedEntries } from '../support/bulk.js';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { isoMillis } from '../support/http.js';
import { closedPort } from '../support/ports.js';
import { settlesWithin } from '../support/wait.js';

// The client's page types are the API's response schemas (a compile-time check: tsc fails on drift).
type Assert<T extends true> = T;
export type ClientTypesMatchResponseSchemas = [
  Assert<Equals<EntryPage, z.infer<typeof entryListSchema>>>,
  Assert<Equals<CheckResult, z.infer<typeof checkResultSchema>>>,
  Assert<Equals<JobItemPage, z.infer<typeof jobItemListSchema>>>,
  Assert<Equals<AuditPage, z.infer<typeof auditEventListSchema>>>,
];

// Bulk items run at 10 per 1-second window (limit 11, 1 reserved for synchronous writes), so a
// job of a few dozen items takes a few seconds and is polled several times.
const WINDOW_MS = 1_000;

let env: TestEnvironment;
let baseUrl: string;
/** A second API whose dnc-write budget is tiny (3 per 2 s), for the retry tests. */
let limitedBaseUrl: string;
/** A third whose tiny budget (3) frees only a minute after it is spent: a Retry-After no client should wait out in a test. */
let slowResetBaseUrl: string;

beforeAll(async () => {
  env = await createTestEnvironment({
    ...unlimited,
    RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
    DNC_WRITE_LIMIT: '11',
    DNC_WRITE_RESERVED_FOR_SYNC: '1',
  });
  baseUrl = (await env.startApi()).baseUrl;
  limitedBaseUrl = (await env.startApi({ RATE_LIMIT_WINDOW_MS: '2000', DNC_WRITE_LIMIT: '3', DNC_WRITE_RESERVED_FOR_SYNC: '0' })).baseUrl;
  slowResetBaseUrl = (await env.startApi({ RATE_LIMIT_WINDOW_MS: '60000', DNC_WRITE_LIMIT: '3', DNC_WRITE_RESERVED_FOR_SYNC: '0' }))
    .baseUrl;
  await env.startWorker();
});
afterAll(() => env?.cleanup());

async function clientFor(
  teamId: string,
  options: { baseUrl?: string; retry?: false | { maxAttempts?: number; maxDelayMs?: number }; fetch?: typeof fetch } = {},
) {
  const key = await env.createKey(teamId);
  return createDncClient({ baseUrl: options.baseUrl ?? baseUrl, apiKey: key.apiKey, retry: options.retry, fetch: options.fetch });
}

/** Awaits the promise, expecting it to reject with a DncApiError, and returns that error. */
async function apiError(promise: Promise<unknown>): Promise<DncApiError> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(DncApiError);
  return error as DncApiError;
}

interface RecordedCall {
  method: string;
  url: string;
  sentAt: number;
  status?: number;
  retryAfter?: string | null;
  answeredAt?: number;
}

/** The real fetch, with every call written down (method, URL, times, status). */
function recordingFetch(calls: RecordedCall[]): typeof fetch {
  return async (input, init) => {
    const call: RecordedCall = {
      method: init?.method ?? 'GET',
      url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      sentAt: Date.now(),
    };
    calls.push(call);
    const response = await fetch(input, init);
    call.status = response.status;
    call.retryAfter = response.headers.get('retry-after');
    call.answeredAt = Date.now();
    return response;
  };
}

describe('entries', () => {
  let dnc: DncClient;
  beforeAll(async () => {
    dnc = await clientFor('team_client_entries');
  });

  it('when a URL is added, then add returns the entry, and adding it again rejects with duplicate_entry carrying the existing entry', async () => {
    const entry = await dnc.add('www.linkedin.com/in/Client-Add/', { reason: 'asked by email' });
    expect(entry).toEqual(entryShape('team_client_entries', 'https://linkedin.com/in/client-add'));

    const error = await apiError(dnc.add('in/client-add'));
    expect(error.code).toBe('duplicate_entry');
    expect(error.status).toBe(409);
    expect(error.data).toEqual({ entry });
    expect(error.requestId).toEqual(expect.any(String));
    expect(error.attempts).toBe(1);
    expect(isDncApiError(error, 'duplicate_entry')).toBe(true);
    expect(isDncApiError(error, 'not_found')).toBe(false);
  });

  it('when a URL is not a LinkedIn profile, then add rejects with validation_error, its details and the request id sent', async () => {
    const error = await apiError(dnc.add('https://example.com/in/someone', { requestId: 'client-test-req-1' }));
    expect(error).toMatchObject({
      name: 'DncApiError',
      code: 'validation_error',
      status: 400,
      requestId: 'client-test-req-1',
      details: [{ path: 'url', message: expect.any(String) }],
      resetTime: undefined,
      retryAfter: undefined,
    });
    expect(error.message).toMatch(/LinkedIn/i);
  });

  it('when URLs are added in a batch, then addBatch returns the per-URL outcome', async () => {
    await dnc.add('in/client-batch-existing');
    const result = await dnc.addBatch(['in/client-batch-1', 'linkedin.com/in/client-batch-1/', 'in/client-batch-existing', 'not a url']);
    expect(result).toEqual({
      added: 1,
      duplicates: 2,
      errors: 1,
      details: [
        { url: 'in/client-batch-1', status: 'added', id: expect.stringMatching(/^dnc_/) },
        { url: 'linkedin.com/in/client-batch-1/', status: 'duplicate', id: expect.stringMatching(/^dnc_/) },
        { url: 'in/client-batch-existing', status: 'duplicate', id: expect.stringMatching(/^dnc_/) },
        { url: 'not a url', status: 'error', error: expect.any(String) },
      ],
    });
  });

  it('when entries are listed with limit and offset, then list returns that page, newest first, and the total', async () => {
    const lister = await clientFor('team_client_list');
    const first = await lister.add('in/client-list-1');
    const second = await lister.add('in/client-list-2');
    const third = await lister.add('in/client-list-3');
    expect(await lister.list()).toEqual({ entries: [third, second, first], total: 3, limit: 50, offset: 0, nextCursor: null });
    expect(await lister.list({ limit: 1, offset: 1 })).toEqual({
      entries: [second],
      total: 3,
      limit: 1,
      offset: 1,
      nextCursor: expect.any(String),
    });
    const error = await apiError(lister.list({ limit: 0 }));
    expect([error.code, error.status]).toEqual(['validation_error', 400]);
  });

  it('when a URL is checked, then check answers onList with the entry, or false with null', async () => {
    const entry = await dnc.add('in/client-check');
    expect(await dnc.check('https://uk.linkedin.com/in/Client-Check?trk=x')).toEqual({ onList: true, entry });
    expect(await dnc.check('in/client-check-absent')).toEqual({ onList: false, entry: null });
  });

  it('when an entry is deleted, then delete returns the message, the entry is gone and its audit event holds the reason and request id', async () => {
    const entry = await dnc.add('in/client-delete');
    expect(await dnc.delete(entry.$id, { reason: 'GDPR erasure', requestId: 'client-test-delete-1' })).toEqual({
      message: 'DNC entry deleted successfully',
    });
    expect(await dnc.check('in/client-delete')).toEqual({ onList: false, entry: null });

    const audit = await dnc.audit({ action: 'dnc.entry.deleted', entryId: entry.$id });
    expect(audit).toEqual({
      events: [
        {
          $id: expect.stringMatching(/^aud_[A-Za-z0-9]+$/),
          teamId: 'team_client_entries',
          action: 'dnc.entry.deleted',
          entryId: entry.$id,
          url: 'https://linkedin.com/in/client-delete',
          reason: 'GDPR erasure',
          apiKeyId: expect.stringMatching(/^key_/),
          source: 'api',
          jobId: null,
          requestId: 'client-test-delete-1',
          occurredAt: expect.stringMatching(isoMillis),
        },
      ],
      total: 1,
      limit: 50,
      offset: 0,
      nextCursor: null,
    });

    const again = await apiError(dnc.delete(entry.$id));
    expect([again.code, again.status]).toEqual(['not_found', 404]);
  });

  it("when another team's entry is deleted, then delete rejects with forbidden and the entry stays", async () => {
    const other = await clientFor('team_client_other');
    const theirs = await other.add('in/client-theirs');
    const error = await apiError(dnc.delete(theirs.$id));
    expect([error.code, error.status]).toEqual(['forbidden', 403]);
    expect(await other.check('in/client-theirs')).toEqual({ onList: true, entry: theirs });
  });

  it('when the audit trail is read with paging and filters, then audit returns the matching events newest first', async () => {
    const auditor = await clientFor('team_client_audit');
    const a = await auditor.add('in/client-audit-a');
    const b = await auditor.add('in/client-audit-b');
    await auditor.delete(a.$id);
    const all = await auditor.audit();
    expect(all.total).toBe(3);
    expect(all.events.map((event) => [event.action, event.entryId])).toEqual([
      ['dnc.entry.deleted', a.$id],
      ['dnc.entry.added', b.$id],
      ['dnc.entry.added', a.$id],
    ]);
    const page = await auditor.audit({ action: 'dnc.entry.added', limit: 1, offset: 1 });
    expect(page).toEqual({
      events: [expect.objectContaining({ action: 'dnc.entry.added', entryId: a.$id })],
      total: 2,
      limit: 1,
      offset: 1,
      nextCursor: null,
    });
  });
});

describe('errors', () => {
  it('when the key is unknown, then every method rejects with invalid_api_key 401', async () => {
    const real = (await env.createKey('team_client_badkey')).apiKey;
    // Well-formed, but the secret is not the one stored.
    const forged = real.slice(0, -1) + (real.endsWith('0') ? '1' : '0');
    const dnc = createDncClient({ baseUrl, apiKey: forged });
    const error = await apiError(dnc.list());
    expect(error).toMatchObject({ code: 'invalid_api_key', status: 401 });
    const notAKey = await apiError(createDncClient({ baseUrl, apiKey: 'not-a-key' }).check('in/x'));
    expect(notAKey).toMatchObject({ code: 'invalid_api_key', status: 401 });
  });

  it('when a read-only key writes, then the client rejects with insufficient_scope 403', async () => {
    const key = await env.createKey('team_client_readonly', ['dnc:read']);
    const dnc = createDncClient({ baseUrl, apiKey: key.apiKey });
    expect((await dnc.list()).total).toBe(0);
    const error = await apiError(dnc.add('in/client-readonly'));
    expect(error).toMatchObject({ code: 'insufficient_scope', status: 403 });
  });

  it('when a job id is malformed or unknown, then getJob rejects with validation_error 400 or not_found 404', async () => {
    const dnc = await clientFor('team_client_badjob');
    expect(await apiError(dnc.getJob('nope'))).toMatchObject({ code: 'validation_error', status: 400, details: [expect.any(Object)] });
    expect(await apiError(dnc.getJob('job_doesNotExist0000'))).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('when the API cannot be reached, then the client rejects with a DncConnectionError naming the base URL', async () => {
    const port = await closedPort();
    const dnc = createDncClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'dncsk_x_00' });
    const error = await dnc.list().catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(DncConnectionError);
    expect((error as Error).message).toMatch(new RegExp(`^Cannot reach the DNC API at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  it('when the base URL is not an http(s) URL, then createDncClient throws at once', () => {
    expect(() => createDncClient({ baseUrl: 'localhost:3000', apiKey: 'k' })).toThrow(TypeError);
  });
});

describe('retries on 429', () => {
  it('when the budget is spent and retries are off, then the client rejects with rate_limit_exceeded carrying resetTime and retryAfter', async () => {
    const dnc = await clientFor('team_client_429_off', { baseUrl: limitedBaseUrl, retry: false });
    await Promise.all([1, 2, 3].map((n) => dnc.add(`in/client-429-off-${n}`)));
    const before = Date.now();
    const error = await apiError(dnc.add('in/client-429-off-4'));
    const after = Date.now();
    expect(error).toMatchObject({ code: 'rate_limit_exceeded', status: 429, attempts: 1, data: null });
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(error.retryAfter).toBeLessThanOrEqual(2);
    expect(error.resetTime).toMatch(isoMillis);
    // Refused at some moment between before and after, so a slot frees after that moment and at
    // most one 2 s window after it, however long the request took on a busy machine.
    expect(Date.parse(error.resetTime!)).toBeGreaterThan(before - 100);
    expect(Date.parse(error.resetTime!)).toBeLessThanOrEqual(after + 2_100);
  });

  it('when the budget is spent, then the client waits the Retry-After the 429 gave and the retry succeeds', async () => {
    const calls: RecordedCall[] = [];
    const dnc = await clientFor('team_client_429_on', { baseUrl: limitedBaseUrl, fetch: recordingFetch(calls) });
    await Promise.all([1, 2, 3].map((n) => dnc.add(`in/client-429-on-${n}`)));
    calls.length = 0;

    const entry = await dnc.add('in/client-429-on-4');
    expect(entry.url).toBe('https://linkedin.com/in/client-429-on-4');
    expect(calls.map((call) => [call.method, call.status])).toEqual([
      ['POST', 429],
      ['POST', 201],
    ]);
    const retryAfterSeconds = Number(calls[0]!.retryAfter);
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // The retry was sent no sooner than the service asked (a busy machine only sends it later).
    expect(calls[1]!.sentAt - calls[0]!.answeredAt!).toBeGreaterThanOrEqual(retryAfterSeconds * 1000 - 5);
  });

  it('when the service asks for a longer wait than maxDelayMs, then the client gives up at once', async () => {
    const calls: RecordedCall[] = [];
    const dnc = await clientFor('team_client_429_max', {
      baseUrl: slowResetBaseUrl,
      retry: { maxDelayMs: 100 },
      fetch: recordingFetch(calls),
    });
    await Promise.all([1, 2, 3].map((n) => dnc.add(`in/client-429-max-${n}`)));
    calls.length = 0;
    // Waiting the Retry-After (about a minute) and only then giving up would trip the bound.
    const error = await settlesWithin(apiError(dnc.add('in/client-429-max-4')), 20_000, 'giving up on a long Retry-After');
    expect(error).toMatchObject({ code: 'rate_limit_exceeded', attempts: 1 });
    expect(error.retryAfter).toBeGreaterThan(20);
    expect(calls).toHaveLength(1);
  });

  it('when every attempt is limited, then the client stops after maxAttempts and reports how many it made', async () => {
    const calls: RecordedCall[] = [];
    // A second client of the team takes every slot that has freed right before each of the first
    // client's attempts: it writes until it is refused with a next slot at least 500 ms away, so
    // the attempt that follows at once is limited too, however slow the machine.
    const hog = createDncClient({
      baseUrl: limitedBaseUrl,
      apiKey: (await env.createKey('team_client_429_attempts')).apiKey,
      retry: false,
    });
    let hogWrites = 0;
    const takeEveryFreeSlot = async () => {
      for (;;) {
        const refusal = await hog.add(`in/client-429-hog-${hogWrites++}`).then(
          () => undefined,
          (error: unknown) => error,
        );
        if (
          refusal instanceof DncApiError &&
          refusal.code === 'rate_limit_exceeded' &&
          Date.parse(refusal.resetTime!) - Date.now() >= 500
        ) {
          return;
        }
      }
    };
    const recording = recordingFetch(calls);
    const dnc = await clientFor('team_client_429_attempts', {
      baseUrl: limitedBaseUrl,
      retry: { maxAttempts: 2 },
      fetch: async (input, init) => {
        await takeEveryFreeSlot();
        return recording(input, init);
      },
    });
    const error = await apiError(dnc.add('in/client-429-attempts'));
    expect(error).toMatchObject({ code: 'rate_limit_exceeded', attempts: 2 });
    expect(calls.map((call) => call.status)).toEqual([429, 429]);
  });
});

describe('bulk deletion', () => {
  it('when a bulk deletion is waited for, then onProgress sees the processed count grow, polls follow Retry-After, and it ends completed', async () => {
    const calls: RecordedCall[] = [];
    const dnc = await clientFor('team_client_bulk', { fetch: recordingFetch(calls) });
    await env.createKey('team_client_bulk_other');
    const ids = await seedEntries(env.services.db, 'team_client_bulk', 'clientbulk', 37);
    const [foreign] = await seedEntries(env.services.db, 'team_client_bulk_other', 'clientbulkother', 1);

    const submittedAt = Date.now();
    const deletion = await dnc.bulkDelete([...ids, 'dnc_clientMissing1', 'dnc_clientMissing2', foreign!], { reason: 'cleanup' });
    expect(deletion.replayed).toBe(false);
    expect(deletion.idempotencyKey).toEqual(expect.any(String));
    expect(deletion.job).toEqual(expectedQueuedJob('team_client_bulk', 40, 'cleanup'));
    const submitRetryAfter = Number(calls.find((call) => call.method === 'POST')!.retryAfter);
    expect(submitRetryAfter).toBeGreaterThanOrEqual(1);

    const seen: Job[] = [];
    const final = await deletion.wait({ onProgress: (job) => seen.push(job) });

    expect(final).toEqual({
      ...deletion.job,
      status: 'completed',
      processed: 40,
      counts: { pending: 0, deleted: 37, notFound: 2, forbidden: 1, failed: 0, cancelled: 0 },
      startedAt: expect.stringMatching(isoMillis),
      finishedAt: expect.stringMatching(isoMillis),
      estimatedCompletionAt: expect.toSatisfy((value) => value === null || isoMillis.test(value as string)),
    });
    expect(seen.at(-1)).toEqual(final);
    // Several polls, each at least as far along as the one before, and the count did grow.
    const processed = seen.map((job) => job.processed);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
    expect(new Set(processed).size).toBeGreaterThanOrEqual(2);
    expect(processed[0]).toBeLessThan(40);

    // The polls went to the job's URL, the first one after the submission's Retry-After, and
    // each later one after the Retry-After of the poll before it.
    const polls = calls.filter((call) => call.method === 'GET');
    expect(polls).toHaveLength(seen.length);
    expect(polls.every((call) => call.url === `${baseUrl}/v1/dnc/bulk-delete/${final.$id}`)).toBe(true);
    expect(polls[0]!.sentAt - submittedAt).toBeGreaterThanOrEqual(submitRetryAfter * 1000 - 5);
    for (let i = 1; i < polls.length; i++) {
      const hint = Number(polls[i - 1]!.retryAfter);
      expect(hint).toBeGreaterThanOrEqual(1);
      expect(polls[i]!.sentAt - polls[i - 1]!.answeredAt!).toBeGreaterThanOrEqual(hint * 1000 - 5);
    }
    expect(polls.at(-1)!.retryAfter).toBeNull();

    // The job's items and the foreign entry, through the other read methods.
    const forbidden = await dnc.listJobItems(final.$id, { status: 'forbidden' });
    expect(forbidden).toEqual({
      items: [{ id: foreign, status: 'forbidden', processedAt: expect.stringMatching(isoMillis) }],
      total: 1,
      limit: 50,
      offset: 0,
      nextCursor: null,
    });
    const page = await dnc.listJobItems(final.$id, { limit: 2, offset: 37 });
    expect(page).toEqual({
      items: [
        { id: 'dnc_clientMissing1', status: 'not_found', processedAt: expect.stringMatching(isoMillis) },
        { id: 'dnc_clientMissing2', status: 'not_found', processedAt: expect.stringMatching(isoMillis) },
      ],
      total: 40,
      limit: 2,
      offset: 37,
      nextCursor: expect.any(String),
    });
    expect(await dnc.getJob(final.$id)).toEqual(final);
    expect(await deletion.refresh()).toEqual(final);
    const bulkAudit = await dnc.audit({ jobId: final.$id, action: 'dnc.entry.deleted', limit: 1 });
    expect(bulkAudit.total).toBe(37);
    expect(bulkAudit.events[0]).toMatchObject({ source: 'bulk', jobId: final.$id, reason: 'cleanup' });
  }, 60_000);

  it('when the same Idempotency-Key is sent again, then bulkDelete returns the first job as a replay; with other ids it rejects with 422', async () => {
    const dnc = await clientFor('team_client_idem');
    const ids = await seedEntries(env.services.db, 'team_client_idem', 'clientidem', 2);
    const first = await dnc.bulkDelete(ids, { idempotencyKey: 'client-idem-1' });
    const again = await dnc.bulkDelete(ids, { idempotencyKey: 'client-idem-1' });
    expect(again.replayed).toBe(true);
    expect(again.idempotencyKey).toBe('client-idem-1');
    expect(again.job.$id).toBe(first.job.$id);
    const error = await apiError(dnc.bulkDelete([ids[0]!], { idempotencyKey: 'client-idem-1' }));
    expect([error.code, error.status]).toEqual(['idempotency_key_reused', 422]);
    expect((await first.wait({ intervalMs: 100 })).counts.deleted).toBe(2);
  });

  it('when too many ids are submitted, then bulkDelete rejects with payload_too_large 413', async () => {
    const dnc = await clientFor('team_client_413');
    const ids = Array.from({ length: 10_001 }, (_, n) => `dnc_clientTooMany${n}`);
    expect(await apiError(dnc.bulkDelete(ids))).toMatchObject({ code: 'payload_too_large', status: 413 });
  });

  it('when the wait is aborted, then wait rejects with the abort reason at once, the job keeps running, and cancelJob stops it', async () => {
    const dnc = await clientFor('team_client_abort');
    const ids = await seedEntries(env.services.db, 'team_client_abort', 'clientabort', 80);
    const deletion = await dnc.bulkDelete(ids);

    // Aborted while sleeping before the first poll, which is ten minutes away (wait() is in that
    // sleep as soon as it returns): only an abort that ends the sleep at once settles the wait
    // within the bound.
    const controller = new AbortController();
    const progress: Job[] = [];
    const waiting = deletion.wait({ signal: controller.signal, intervalMs: 600_000, onProgress: (job) => progress.push(job) });
    controller.abort();
    const reason = await settlesWithin(
      waiting.then(
        () => undefined,
        (rejection: unknown) => rejection,
      ),
      20_000,
      'the aborted wait',
    );
    expect(reason).toBeInstanceOf(Error);
    expect((reason as Error).name).toBe('AbortError');
    expect(progress).toEqual([]);

    // Aborted from onProgress, after a poll; and an already aborted signal rejects without a poll.
    const second = new AbortController();
    const afterPoll = deletion.wait({ signal: second.signal, intervalMs: 50, onProgress: () => second.abort(new Error('enough')) });
    await expect(afterPoll).rejects.toThrow('enough');
    await expect(dnc.waitForJob(deletion.job.$id, { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');

    const running = await dnc.getJob(deletion.job.$id);
    expect(['queued', 'running', 'throttled']).toContain(running.status);

    const cancelled = await deletion.cancel();
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.counts.cancelled).toBeGreaterThan(0);
    expect(cancelled.counts.deleted + cancelled.counts.cancelled).toBe(80);
    expect(await dnc.cancelJob(deletion.job.$id)).toEqual(cancelled);
    expect(await dnc.waitForJob(deletion.job.$id)).toEqual(cancelled);
  });

  it('when one entry is deleted asynchronously, then deleteAsync returns the queued job and waitForJob sees it complete', async () => {
    const dnc = await clientFor('team_client_async');
    const entry = await dnc.add('in/client-async');
    const job = await dnc.deleteAsync(entry.$id, { reason: 'async please' });
    expect(job).toMatchObject({
      $id: expect.stringMatching(/^job_/),
      teamId: 'team_client_async',
      status: 'queued',
      reason: 'async please',
      total: 1,
      counts: { pending: 1, deleted: 0, notFound: 0, forbidden: 0, failed: 0, cancelled: 0 },
    });
    const progress: number[] = [];
    const final = await dnc.waitForJob(job.$id, { intervalMs: 100, onProgress: (polled) => progress.push(polled.processed) });
    expect(final).toMatchObject({ status: 'completed', processed: 1, counts: { pending: 0, deleted: 1 } });
    expect(progress.at(-1)).toBe(1);
    expect(await dnc.check('in/client-async')).toEqual({ onList: false, entry: null });
  });
});

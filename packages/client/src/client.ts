// A typed client for the DNC API: one method per route of the contract, contract errors as
// DncApiError, optional retries of requests the service turned away (429 / 503), and a handle
// on bulk deletions that polls the job at the pace the service suggests.
import { DncApiError, DncConnectionError } from './errors.js';
import { isRecord, isTransient, parseRetryAfter, sleep, toApiError } from './responses.js';
import {
  isTerminalJob,
  type AuditPage,
  type AuditQuery,
  type BatchAddResult,
  type CheckResult,
  type CheckUrlsResult,
  type DeleteResult,
  type Entry,
  type EntryPage,
  type Job,
  type JobItemPage,
  type JobItemQuery,
  type PageQuery,
} from './types.js';

/**
 * Retries of requests the service answered with 429 `rate_limit_exceeded`, 503
 * `service_unavailable` or 409 `idempotency_key_in_use`.
 *
 * Why retrying is safe for every route, POSTs included: the contract checks the rate limit
 * before it validates or executes anything, so a 429 means the request did nothing (and used no
 * budget). A 503 is answered when Postgres or Redis cannot be reached; the write and its audit
 * event are one transaction, so a write is either wholly done or not at all. The one
 * case where a write may have happened before a 503 is a Redis failure just after the commit
 * (while the check cache is invalidated): the retry then sees the result of the first attempt,
 * i.e. `add` fails with 409 `duplicate_entry` (whose `data.entry` is the entry added) and
 * `delete` with 404 `not_found` — look at `error.attempts > 1` to tell. Bulk deletions are
 * always sent with an `Idempotency-Key` (a random one unless you give yours), so a retried
 * submission returns the job of the first attempt instead of creating a second job.
 */
export interface RetryOptions {
  /** Attempts in all, the first included (default 3; 1 means no retries). */
  maxAttempts?: number;
  /**
   * The longest the client waits before one retry (default 60 000 ms). When the service asks
   * for a longer wait (`Retry-After`), the error is thrown at once instead.
   */
  maxDelayMs?: number;
}

export interface DncClientOptions {
  /** e.g. `http://127.0.0.1:3000` (a path prefix is kept: `https://gw.example.com/dnc`). */
  baseUrl: string;
  /** A key made with `pnpm cli keys create`; sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Retries of 429 / 503 answers (on by default: 3 attempts), or `false` for none. */
  retry?: RetryOptions | false;
  /** A fetch implementation (default: the global fetch). */
  fetch?: typeof globalThis.fetch;
}

/** Options every method takes. */
export interface CallOptions {
  /** Aborts the request (and any retry wait); the method then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Sent as `X-Request-Id`; the service logs and audits the request under it. */
  requestId?: string;
}

export interface ReasonOptions extends CallOptions {
  /** Recorded in the audit trail (at most 500 characters). */
  reason?: string;
}

export interface BulkDeleteOptions extends ReasonOptions {
  /**
   * The same key with the same ids and reason within 24 h returns the job of the first
   * submission instead of a new one (with a different body: 422 `idempotency_key_reused`).
   * Default: a random key per call, which makes the client's own retries safe.
   */
  idempotencyKey?: string;
}

export interface WaitOptions {
  /** Called with the job after every poll, the last (terminal) one included. */
  onProgress?: (job: Job) => void;
  /** Stops waiting (the job itself keeps running; cancel it with `cancel()`). */
  signal?: AbortSignal;
  /** Poll at this fixed interval instead of the service's `Retry-After` hint. */
  intervalMs?: number;
}

/**
 * A submitted bulk deletion. `job` is the job as the submission returned it; `wait()` polls
 * it until it is terminal.
 */
export interface BulkDeletion {
  /** The job as submitted (status `queued` unless the submission was a replay). */
  readonly job: Job;
  /** True when the Idempotency-Key matched an earlier submission and its job was returned. */
  readonly replayed: boolean;
  /** The Idempotency-Key the submission was sent with. */
  readonly idempotencyKey: string;
  /**
   * Polls `GET /v1/dnc/bulk-delete/{id}` — first after the submission's `Retry-After`, then at
   * the interval each poll's `Retry-After` suggests — until the job is `completed`, `cancelled`
   * or `failed`, and resolves with that final job (it does not reject on `cancelled`/`failed`:
   * look at `status` and `counts`). Polls answered 429/503 are simply tried again later.
   * Rejects with `signal.reason` when aborted.
   */
  wait(options?: WaitOptions): Promise<Job>;
  /** The job as it is now. */
  refresh(options?: CallOptions): Promise<Job>;
  /** Cancels the pending items; items already deleted stay deleted. */
  cancel(options?: CallOptions): Promise<Job>;
}

export interface DncClient {
  readonly baseUrl: string;
  /** `POST /v1/dnc` — adds one URL; 409 `duplicate_entry` when it is already listed. */
  add(url: string, options?: ReasonOptions): Promise<Entry>;
  /** `POST /v1/dnc/batch` — adds up to 1,000 URLs; bad or duplicate URLs are reported per URL. */
  addBatch(urls: string[], options?: CallOptions): Promise<BatchAddResult>;
  /** `GET /v1/dnc` — the team's entries, newest first. */
  list(query?: PageQuery, options?: CallOptions): Promise<EntryPage>;
  /** `GET /v1/dnc/check` — whether the URL (in any accepted form) is listed. */
  check(url: string, options?: CallOptions): Promise<CheckResult>;
  /** `POST /v1/dnc/check` — scrubs up to 1,000 URLs in one request: one result per URL, in order. */
  checkMany(urls: string[], options?: CallOptions): Promise<CheckUrlsResult>;
  /** `DELETE /v1/dnc/{id}` — deletes one entry synchronously. */
  delete(id: string, options?: ReasonOptions): Promise<DeleteResult>;
  /** `DELETE /v1/dnc/{id}` with `Prefer: respond-async` — queues a one-item bulk job; see `waitForJob`. */
  deleteAsync(id: string, options?: ReasonOptions): Promise<Job>;
  /** `POST /v1/dnc/bulk-delete` — submits up to 10,000 ids; resolves once the job is accepted. */
  bulkDelete(ids: string[], options?: BulkDeleteOptions): Promise<BulkDeletion>;
  /**
   * `POST /v1/dnc/bulk-delete` with `urls` — submits up to 10,000 profile URLs (any accepted
   * spelling); each item deletes the team's entry of that URL when it runs.
   */
  bulkDeleteUrls(urls: string[], options?: BulkDeleteOptions): Promise<BulkDeletion>;
  /** `GET /v1/dnc/bulk-delete/{jobId}` */
  getJob(jobId: string, options?: CallOptions): Promise<Job>;
  /** Polls a job until it is terminal (see `BulkDeletion.wait`); the first poll is immediate. */
  waitForJob(jobId: string, options?: WaitOptions): Promise<Job>;
  /** `GET /v1/dnc/bulk-delete/{jobId}/items` — in submission order. */
  listJobItems(jobId: string, query?: JobItemQuery, options?: CallOptions): Promise<JobItemPage>;
  /** `POST /v1/dnc/bulk-delete/{jobId}/cancel` */
  cancelJob(jobId: string, options?: CallOptions): Promise<Job>;
  /** `GET /v1/dnc/audit` — the team's audit events, newest first. */
  audit(query?: AuditQuery, options?: CallOptions): Promise<AuditPage>;
}

const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_MAX_DELAY_MS = 60_000;
/** Backoff base when a retryable answer carries no Retry-After. */
const BACKOFF_BASE_MS = 250;
/** Poll interval when a running job's answer carries no Retry-After. */
const DEFAULT_POLL_MS = 2_000;
/** Consecutive unreachable polls `wait()` tolerates (an API restart) before it gives up. */
const MAX_CONSECUTIVE_CONNECTION_ERRORS = 5;

type Query = Record<string, string | number | undefined>;

interface SendOptions extends CallOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Sent<T> {
  data: T;
  status: number;
  headers: Headers;
}

export { parseRetryAfter, sleep } from './responses.js';

function randomKey(): string {
  return globalThis.crypto.randomUUID();
}

const jobPath = (jobId: string) => `/v1/dnc/bulk-delete/${encodeURIComponent(jobId)}`;

export function createDncClient(options: DncClientOptions): DncClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/i.test(baseUrl)) throw new TypeError(`baseUrl must be an http(s) URL (got "${options.baseUrl}")`);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const retry = options.retry === false ? { maxAttempts: 1, maxDelayMs: 0 } : options.retry;
  const maxAttempts = Math.max(1, Math.floor(retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS));
  const maxDelayMs = Math.max(0, retry?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS);

  /** How long to wait before retrying after `error`, or undefined to give up. */
  function retryDelayMs(error: DncApiError, attempt: number): number | undefined {
    if (attempt >= maxAttempts || !isTransient(error)) return undefined;
    if (error.retryAfter !== undefined) {
      const delay = error.retryAfter * 1000;
      return delay <= maxDelayMs ? delay : undefined;
    }
    return Math.min(maxDelayMs, BACKOFF_BASE_MS * 2 ** (attempt - 1) * (1 + Math.random() / 4));
  }

  async function send<T>(method: string, path: string, sendOptions: SendOptions = {}): Promise<Sent<T>> {
    const { signal, requestId, query, body } = sendOptions;
    const url = new URL(`${baseUrl}${path}`);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${options.apiKey}`,
      ...sendOptions.headers,
    };
    if (requestId !== undefined) headers['x-request-id'] = requestId;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }

    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let response: Response;
      let parsed: unknown;
      try {
        response = await fetchImpl(url, { method, headers, body: payload, signal });
        const text = await response.text();
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          parsed = text;
        }
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw new DncConnectionError(baseUrl, error);
      }
      if (response.ok && isRecord(parsed) && parsed.error === null && 'data' in parsed) {
        return { data: parsed.data as T, status: response.status, headers: response.headers };
      }
      const error = toApiError(response, parsed, attempt);
      const delay = retryDelayMs(error, attempt);
      if (delay === undefined) throw error;
      await sleep(delay, signal);
    }
  }

  async function pollUntilTerminal(jobId: string, waitOptions: WaitOptions, firstDelayMs: number): Promise<Job> {
    const { onProgress, signal, intervalMs } = waitOptions;
    let delay = firstDelayMs;
    let connectionErrors = 0;
    for (;;) {
      if (delay > 0) await sleep(delay, signal);
      signal?.throwIfAborted();
      let polled: Sent<Job>;
      try {
        polled = await send<Job>('GET', jobPath(jobId), { signal });
        connectionErrors = 0;
      } catch (error) {
        // A poll is only a read: when the service is busy or briefly away, poll again later.
        if (error instanceof DncApiError && isTransient(error)) {
          delay = (error.retryAfter ?? DEFAULT_POLL_MS / 1000) * 1000;
          continue;
        }
        if (error instanceof DncConnectionError && ++connectionErrors < MAX_CONSECUTIVE_CONNECTION_ERRORS) {
          delay = intervalMs ?? DEFAULT_POLL_MS;
          continue;
        }
        throw error;
      }
      const job = polled.data;
      onProgress?.(job);
      if (isTerminalJob(job)) return job;
      const hint = parseRetryAfter(polled.headers.get('retry-after'));
      delay = intervalMs ?? (hint !== undefined ? hint * 1000 : DEFAULT_POLL_MS);
    }
  }

  const reasonBody = (reason: string | undefined) => (reason === undefined ? undefined : { reason });
  const pageQuery = (query: PageQuery) => ({ limit: query.limit, offset: query.offset, cursor: query.cursor });

  /** Submits a bulk deletion (of ids or of URLs) and hands back the job with its poller. */
  async function submitBulkDeletion(
    items: { ids: string[] } | { urls: string[] },
    { reason, idempotencyKey = randomKey(), ...call }: BulkDeleteOptions,
  ): Promise<BulkDeletion> {
    const sent = await send<Job>('POST', '/v1/dnc/bulk-delete', {
      ...call,
      body: { ...items, ...reasonBody(reason) },
      headers: { 'idempotency-key': idempotencyKey },
    });
    const job = sent.data;
    const firstPollMs = (parseRetryAfter(sent.headers.get('retry-after')) ?? DEFAULT_POLL_MS / 1000) * 1000;
    return {
      job,
      replayed: sent.status === 200,
      idempotencyKey,
      wait: (waitOptions = {}) =>
        isTerminalJob(job) ? Promise.resolve(job) : pollUntilTerminal(job.$id, waitOptions, waitOptions.intervalMs ?? firstPollMs),
      refresh: (refreshOptions) => client.getJob(job.$id, refreshOptions),
      cancel: (cancelOptions) => client.cancelJob(job.$id, cancelOptions),
    };
  }

  const client: DncClient = {
    baseUrl,

    async add(url, { reason, ...call } = {}) {
      return (await send<Entry>('POST', '/v1/dnc', { ...call, body: { url, ...reasonBody(reason) } })).data;
    },

    async addBatch(urls, call = {}) {
      return (await send<BatchAddResult>('POST', '/v1/dnc/batch', { ...call, body: { entries: urls.map((url) => ({ url })) } })).data;
    },

    async list(query = {}, call = {}) {
      return (await send<EntryPage>('GET', '/v1/dnc', { ...call, query: pageQuery(query) })).data;
    },

    async check(url, call = {}) {
      return (await send<CheckResult>('GET', '/v1/dnc/check', { ...call, query: { url } })).data;
    },

    async checkMany(urls, call = {}) {
      return (await send<CheckUrlsResult>('POST', '/v1/dnc/check', { ...call, body: { urls } })).data;
    },

    async delete(id, { reason, ...call } = {}) {
      return (await send<DeleteResult>('DELETE', `/v1/dnc/${encodeURIComponent(id)}`, { ...call, body: reasonBody(reason) })).data;
    },

    async deleteAsync(id, { reason, ...call } = {}) {
      const sent = await send<Job>('DELETE', `/v1/dnc/${encodeURIComponent(id)}`, {
        ...call,
        body: reasonBody(reason),
        headers: { prefer: 'respond-async' },
      });
      return sent.data;
    },

    bulkDelete(ids, bulkOptions = {}) {
      return submitBulkDeletion({ ids }, bulkOptions);
    },

    bulkDeleteUrls(urls, bulkOptions = {}) {
      return submitBulkDeletion({ urls }, bulkOptions);
    },

    async getJob(jobId, call = {}) {
      return (await send<Job>('GET', jobPath(jobId), call)).data;
    },

    waitForJob(jobId, waitOptions = {}) {
      return pollUntilTerminal(jobId, waitOptions, 0);
    },

    async listJobItems(jobId, query = {}, call = {}) {
      const sent = await send<JobItemPage>('GET', `${jobPath(jobId)}/items`, {
        ...call,
        query: { status: query.status, ...pageQuery(query) },
      });
      return sent.data;
    },

    async cancelJob(jobId, call = {}) {
      return (await send<Job>('POST', `${jobPath(jobId)}/cancel`, call)).data;
    },

    async audit(query = {}, call = {}) {
      const sent = await send<AuditPage>('GET', '/v1/dnc/audit', {
        ...call,
        query: { ...pageQuery(query), action: query.action, entryId: query.entryId, jobId: query.jobId },
      });
      return sent.data;
    },
  };
  return client;
}

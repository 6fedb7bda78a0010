// The API calls of the contract's v1.1 that @dnc/client does not make (yet): a page by cursor,
// a batch check, a bulk deletion by URL. Same conventions as the client: the contract's error
// bodies become DncApiError (so describeFailure reads them alike), and answers the service gave
// without doing anything — 429, 503, 409 idempotency_key_in_use — are retried after Retry-After.
import { DncApiError, DncConnectionError, type DncApiErrorCode, type ValidationDetail } from '@dnc/client';
import type { CliConnection } from './cli-config.js';

export interface ApiAnswer<T> {
  data: T;
  status: number;
  headers: Headers;
}

export interface CallOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export type ApiCall = <T>(method: string, path: string, options?: CallOptions) => Promise<ApiAnswer<T>>;

const MAX_ATTEMPTS = 5;
const MAX_DELAY_MS = 60_000;
const BACKOFF_BASE_MS = 250;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

function toApiError(response: Response, body: unknown, attempts: number): DncApiError {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const header = response.headers.get('retry-after');
  const headerRetryAfter = header !== null && /^\d+$/.test(header.trim()) ? Number(header.trim()) : undefined;
  if (!isRecord(body) || typeof body.error !== 'string') {
    return new DncApiError({
      code: 'unexpected_response',
      message: `Unexpected ${response.status} response from the DNC API`,
      status: response.status,
      requestId,
      retryAfter: headerRetryAfter,
      data: body,
      attempts,
    });
  }
  return new DncApiError({
    code: body.error as DncApiErrorCode,
    message: typeof body.message === 'string' ? body.message : `${body.error} (${response.status})`,
    status: response.status,
    requestId,
    details: Array.isArray(body.details) ? (body.details as ValidationDetail[]) : undefined,
    resetTime: typeof body.resetTime === 'string' ? body.resetTime : undefined,
    retryAfter: typeof body.retryAfter === 'number' ? body.retryAfter : headerRetryAfter,
    data: body.data,
    attempts,
  });
}

const isTransient = (error: DncApiError) => error.status === 429 || error.status === 503 || error.code === 'idempotency_key_in_use';

export function createApiCall(connection: CliConnection): ApiCall {
  const baseUrl = connection.baseUrl.replace(/\/+$/, '');
  return async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<ApiAnswer<T>> {
    const url = new URL(`${baseUrl}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${connection.apiKey}`,
      ...options.headers,
    };
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (payload !== undefined) headers['content-type'] = 'application/json';
    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted();
      let response: Response;
      let parsed: unknown;
      try {
        response = await fetch(url, { method, headers, body: payload, signal: options.signal });
        const text = await response.text();
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          parsed = text;
        }
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        throw new DncConnectionError(baseUrl, error);
      }
      if (response.ok && isRecord(parsed) && parsed.error === null && 'data' in parsed) {
        return { data: parsed.data as T, status: response.status, headers: response.headers };
      }
      const error = toApiError(response, parsed, attempt);
      if (attempt >= MAX_ATTEMPTS || !isTransient(error)) throw error;
      const delay = error.retryAfter !== undefined ? error.retryAfter * 1000 : BACKOFF_BASE_MS * 2 ** (attempt - 1);
      if (delay > MAX_DELAY_MS) throw error;
      await wait(delay, options.signal);
    }
  };
}

/** A page of any list of the API, as v1.0 (offset) or v1.1 (cursor) answers it. */
export interface Page {
  limit: number;
  offset?: number;
  total?: number;
  /** v1.1: absent from a service that pages by offset only. */
  nextCursor?: string | null;
}

/**
 * Every item of a list, page after page, handed to `onItems` as each page arrives (so a long
 * list is never held whole): by `nextCursor` while the service gives one, else (a service that
 * pages by offset only) by offset until a short page or `total`. Resolves with the item count.
 */
export async function forEachPage<P extends Page, Item>(
  fetchPage: (start: { cursor?: string; offset?: number }) => Promise<P>,
  itemsOf: (page: P) => Item[],
  onItems: (items: Item[]) => void,
): Promise<number> {
  let count = 0;
  let start: { cursor?: string; offset?: number } = {};
  for (;;) {
    const page = await fetchPage(start);
    const items = itemsOf(page);
    count += items.length;
    onItems(items);
    if (page.nextCursor !== undefined) {
      if (page.nextCursor === null) return count;
      start = { cursor: page.nextCursor };
      continue;
    }
    const nextOffset = (start.offset ?? 0) + items.length;
    if (items.length === 0 || items.length < page.limit || (page.total !== undefined && nextOffset >= page.total)) return count;
    start = { offset: nextOffset };
  }
}

// How the client reads the service's answers: contract errors as DncApiError, Retry-After, and
// which refusals are worth retrying; plus the abortable wait the retries and polling use.
import { DncApiError, type DncApiErrorCode, type ValidationDetail } from './errors.js';

/** Waits `ms`, or rejects with `signal.reason` as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toApiError(response: Response, body: unknown, attempts: number): DncApiError {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const headerRetryAfter = parseRetryAfter(response.headers.get('retry-after'));
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

export function isTransient(error: DncApiError): boolean {
  return error.status === 429 || error.status === 503 || error.code === 'idempotency_key_in_use';
}

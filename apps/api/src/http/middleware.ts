import { randomUUID } from 'node:crypto';
import {
  AppError,
  classifyError,
  isAppError,
  MAX_BODY_BYTES,
  type ApiKeyPrincipal,
  type ApiKeyService,
  type Logger,
  type RateLimitClass,
  type RateLimitDecision,
  type RateLimiter,
  type Scope,
} from '@dnc/shared';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { errorStatus } from './error-status.js';
import { contextOf } from './request-context.js';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const SERVICE_UNAVAILABLE_RETRY_AFTER_S = 5;

/** Echoes a sane X-Request-Id or makes one; it reaches the logs, the audit trail and the response. */
export function assignRequestId(headerValue: string | undefined): string {
  return headerValue && REQUEST_ID_PATTERN.test(headerValue) ? headerValue : randomUUID();
}

/**
 * The request's key and its scope (401, 403), as the first step of a /v1 route. A header that
 * is not a well-formed key of ours is an unknown key, like one that is well-formed but unknown.
 */
export async function authenticate(apiKeys: ApiKeyService, req: Request, res: Response, requiredScope: Scope): Promise<ApiKeyPrincipal> {
  const header = req.headers.authorization;
  const match = header ? /^Bearer +(\S+)\s*$/i.exec(header) : null;
  const token = match?.[1];
  if (!token) {
    res.setHeader('WWW-Authenticate', 'Bearer');
    throw new AppError('missing_api_key', 'Send your API key as "Authorization: Bearer <api key>"');
  }
  const principal = await apiKeys.authenticate(token);
  if (!principal) {
    res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
    throw new AppError('invalid_api_key', 'The API key is unknown or has been revoked');
  }
  contextOf(res).principal = principal;
  if (!principal.scopes.includes(requiredScope)) {
    throw new AppError('insufficient_scope', `This API key lacks the "${requiredScope}" scope`);
  }
  return principal;
}

function setRateLimitHeaders(res: Response, decision: RateLimitDecision): void {
  const windowSeconds = Math.max(1, Math.ceil(decision.windowMs / 1000));
  const secondsUntilSlotFrees = Math.max(0, Math.ceil((decision.oldestFreesAt - decision.now) / 1000));
  res.setHeader('RateLimit-Policy', `"${decision.rateLimitClass}";q=${decision.limit};w=${windowSeconds}`);
  res.setHeader('RateLimit', `"${decision.rateLimitClass}";r=${Math.max(0, decision.remaining)};t=${secondsUntilSlotFrees}`);
}

/** Takes one slot of the team's budget for this class, or answers 429. Runs after authentication. */
export async function takeRateLimitSlot(
  limiter: RateLimiter,
  res: Response,
  teamId: string,
  rateLimitClass: RateLimitClass,
  onRejected: () => void,
): Promise<void> {
  const decision = await limiter.consume(teamId, rateLimitClass);
  setRateLimitHeaders(res, decision);
  if (decision.granted === 0) {
    onRejected();
    const retryAfter = Math.max(1, Math.ceil((decision.nextAdmitAt - decision.now) / 1000));
    res.setHeader('Retry-After', String(retryAfter));
    throw new AppError('rate_limit_exceeded', `Rate limit of ${decision.limit} ${rateLimitClass} requests per window exceeded`, {
      extra: { resetTime: new Date(decision.nextAdmitAt).toISOString(), retryAfter },
    });
  }
}

/** What body-parser (and raw-body under it) attaches to the errors it raises. */
interface BodyParserError extends Error {
  type?: string;
  status?: number;
  expose?: boolean;
}

const BODY_UNREADABLE = 'The request body could not be read';
export const BODY_TOO_LARGE = `Request bodies are limited to ${MAX_BODY_BYTES} bytes`;

/**
 * The contract's error for a body that could not be read. body-parser answers a client's mistake
 * with an http-errors error of status 4xx and `expose: true`, but only some carry a `type`
 * (a gzip, deflate or brotli stream that fails to decompress carries zlib's error, typeless), and
 * an unsupported Content-Encoding or charset is a 415 there: all of them are a 400 here.
 * Anything else (not a client error) is left to the error handler.
 */
function bodyReadError(error: unknown): Error {
  const parserError = error as BodyParserError | undefined;
  if (parserError?.type === 'entity.too.large') {
    return new AppError('payload_too_large', BODY_TOO_LARGE);
  }
  if (parserError?.type === 'entity.parse.failed') {
    return AppError.validation([{ path: 'body', message: 'is not valid JSON' }], 'Malformed JSON body');
  }
  const status = parserError?.status;
  if (parserError?.expose === true && typeof status === 'number' && status >= 400 && status < 500) {
    return AppError.validation([{ path: 'body', message: parserError.message }], BODY_UNREADABLE);
  }
  return error instanceof Error ? error : new Error(String(error));
}

const parseJson = express.json({ limit: MAX_BODY_BYTES, strict: false });

/**
 * Reads the JSON body into `req.body`, only after authentication and rate limiting (the contract's
 * order of checks); a body that cannot be read or parsed is the client's error (400 or 413), never
 * a 500. A request that announces no body (neither Content-Length nor Transfer-Encoding, as most
 * DELETEs) has none, as body-parser itself decides: `req.body` stays undefined without a parser call.
 */
export function readJsonBody(req: Request, res: Response): Promise<void> | undefined {
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    req.body = undefined;
    return undefined;
  }
  return new Promise((resolve, reject) => {
    parseJson(req, res, (error?: unknown) => (error === undefined ? resolve() : reject(bodyReadError(error))));
  });
}

export const routeNotFound: RequestHandler = (req) => {
  throw new AppError('not_found', `No route for ${req.method} ${req.path}`);
};

function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  // Unreachable, or refused this attempt for a reason that passes (a statement or lock timeout, a
  // deadlock, no memory): the same request may succeed shortly, so the client is told to retry.
  if (classifyError(error) !== 'permanent') {
    return new AppError('service_unavailable', 'A backing service is temporarily unavailable; retry shortly', { cause: error });
  }
  return new AppError('internal_error', 'An unexpected error occurred', { cause: error });
}

/** Maps every error to the contract's error body. 500s and 503s hide their detail and are logged. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error);
    const status = errorStatus[appError.code];
    // A 503 for an unreachable dependency is an outage the outage log already reported: one
    // warning per request, with its id. A 503 for a query refused for a passing reason (timeout,
    // deadlock) and a 500 are for a human to look at: nothing else reports them.
    const line = {
      requestId: contextOf(res).requestId,
      req: { method: req.method, url: req.originalUrl },
      err: error as unknown,
      code: appError.code,
    };
    if (status === 503 && classifyError(error) === 'retryable')
      logger.error(line, 'request failed: the database refused the query for now');
    else if (status === 503) logger.warn(line, 'request failed: dependency unavailable');
    else if (status >= 500) logger.error(line, 'request failed');
    if (appError.code === 'service_unavailable' && !res.getHeader('Retry-After')) {
      res.setHeader('Retry-After', String(SERVICE_UNAVAILABLE_RETRY_AFTER_S));
    }
    if (res.headersSent) return;
    res.status(status).json({ error: appError.code, message: appError.message, data: appError.data, ...appError.extra });
  };
}

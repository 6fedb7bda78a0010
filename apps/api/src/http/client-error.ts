// Requests Node's HTTP parser refuses (a byte >= 0x80 in the request target, a request line or
// headers over the size limit, a malformed request line, header or chunk) never reach Express.
// Node's own answer is a bare status line; this one is the contract's: the JSON error body, an
// X-Request-Id, and Connection: close.
import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES, type Server } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ErrorCode, Logger, ValidationDetail } from '@dnc/shared';

/** Node's parser errors carry llhttp's code (`HPE_…`) and reason. */
interface ClientError extends Error {
  code?: string;
  reason?: string;
}

export interface ClientErrorResponse {
  status: number;
  error: ErrorCode;
  message: string;
  details?: ValidationDetail[];
}

/** How long a refused connection may stay open for the client to read the answer. */
const CLOSE_GRACE_MS = 5_000;

/** Parser codes that name the part of the request at fault. */
const faultyPart: Record<string, string> = {
  HPE_INVALID_METHOD: 'method',
  HPE_INVALID_URL: 'target',
  HPE_INVALID_VERSION: 'version',
  HPE_INVALID_HEADER_TOKEN: 'headers',
  HPE_INVALID_CONTENT_LENGTH: 'headers',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'headers',
  HPE_INVALID_TRANSFER_ENCODING: 'headers',
  HPE_INVALID_CHUNK_SIZE: 'body',
};

/**
 * The answer to a request the parser refused, in the contract's error vocabulary. Statuses the
 * error table lacks keep Node's status (431, 408) with the code that fits: the request is bad
 * input, so `validation_error`, with `details` as every validation_error has.
 */
export function clientErrorResponse(error: ClientError, headerLimit: number = maxHeaderSize): ClientErrorResponse {
  const reason = error.reason ?? error.message.replace(/^Parse Error: /, '');
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        error: 'validation_error',
        message: `The request line and headers are too large (at most ${headerLimit} bytes)`,
        details: [{ path: 'headers', message: `must fit in ${headerLimit} bytes with the request line` }],
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, error: 'payload_too_large', message: 'The chunk extensions of the request body are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        error: 'validation_error',
        message: 'The request was not received completely in time',
        details: [{ path: 'request', message: 'was not received completely in time' }],
      };
    default:
      return {
        status: 400,
        error: 'validation_error',
        message: 'The request is not valid HTTP/1.1',
        details: [{ path: faultyPart[error.code ?? ''] ?? 'request', message: reason }],
      };
  }
}

function serialize(answer: ClientErrorResponse, requestId: string): string {
  const { status, error, message, details } = answer;
  const body = JSON.stringify(details ? { error, message, data: null, details } : { error, message, data: null });
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * The server's `clientError` listener. It answers only when nothing of another response has been
 * written to the socket yet (Node's own rule: a pipelined request's answer must not be corrupted);
 * otherwise, or when the peer is gone, it just drops the connection. A reset connection is the
 * peer leaving, not news: it is not logged.
 */
export function handleClientError(error: ClientError, socket: Duplex, logger?: Pick<Logger, 'info'>, headerLimit?: number): void {
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const answer = clientErrorResponse(error, headerLimit);
  const requestId = randomUUID();
  logger?.info({ requestId, code: error.code, status: answer.status }, 'request refused by the HTTP parser');
  // end() rather than destroy(): the answer is flushed before the connection closes. A peer that
  // never closes its side is dropped after a grace period.
  socket.end(serialize(answer, requestId));
  if (socket instanceof Socket) socket.setTimeout(CLOSE_GRACE_MS, () => socket.destroy());
}

/** Answers requests the HTTP parser refuses with the contract's error body (see handleClientError). */
export function attachClientErrorHandler(server: Server, logger?: Pick<Logger, 'info'>): void {
  // Set only when the server was created with its own maxHeaderSize; else Node's default applies.
  const headerLimit = (server as { maxHeaderSize?: number }).maxHeaderSize;
  server.on('clientError', (error: ClientError, socket: Duplex) => handleClientError(error, socket, logger, headerLimit));
}

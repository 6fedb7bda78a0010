import type { Response } from 'express';

/**
 * Sends a JSON body as Express's `res.json` would (`application/json; charset=utf-8`, its
 * Content-Length; no ETag, which the app disables), without the content-type parsing and
 * freshness checks of `res.send` on every response. Node itself sends no body to a HEAD request.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** The contract's success body: `{ error: null, data, message? }`. */
export function sendData(res: Response, status: number, data: unknown, message?: string): void {
  sendJson(res, status, message === undefined ? { error: null, data } : { error: null, data, message });
}

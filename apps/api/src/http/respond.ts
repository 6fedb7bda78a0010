import type { Response } from 'express';

/** The contract's success body: `{ error: null, data, message? }`. */
export function sendData(res: Response, status: number, data: unknown, message?: string): void {
  res.status(status).json(message === undefined ? { error: null, data } : { error: null, data, message });
}

// The audit log stream when the reader of its pipe takes nothing (a stalled log shipper): the
// relay writes inside its transaction, so the page must fail after a bound (its events stay
// unrelayed, retried later) instead of holding the connection and the relay lock for good; and
// while it waits, the event loop keeps running.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLogStream } from '@dnc/shared';
import { afterEach, describe, expect, it } from 'vitest';

const opened: number[] = [];
let dir: string | undefined;
afterEach(() => {
  for (const fd of opened.splice(0)) closeSync(fd);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A pipe (a FIFO) whose read end is open and never read; its write end, non-blocking. */
function pipeNobodyReads(): number {
  dir = mkdtempSync(join(tmpdir(), 'dnc-full-pipe-'));
  const fifo = join(dir, 'audit.fifo');
  execFileSync('mkfifo', [fifo]);
  opened.push(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
  const writeEnd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  opened.push(writeEnd);
  return writeEnd;
}

describe('the audit log stream on a pipe nobody reads', () => {
  it('when the pipe stays full past the bound, then flush fails, and the event loop ran meanwhile', async () => {
    const stream = createAuditLogStream('worker', pipeNobodyReads(), 300);
    // Far more than a pipe holds (64 KiB on Linux).
    for (let n = 0; n < 2_000; n++) stream.write(JSON.stringify({ n, padding: 'x'.repeat(100) }), 'dnc.entry.deleted');
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const started = Date.now();
    try {
      await expect(stream.flush()).rejects.toThrow(/took nothing for too long/);
    } finally {
      clearInterval(ticker);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(ticks).toBeGreaterThan(0);
  });
});

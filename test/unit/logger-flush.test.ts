// The service logger writes stdout in batches (up to 12 KiB or 100 ms): logger.flush() must write
// what is batched before it calls back, or a process that flushes before it is killed loses it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNode } from '../support/processes.js';

describe('the service logger', () => {
  it('when flush calls back, then every line logged before it is on stdout (the process is SIGKILLed right after)', async () => {
    const result = await runNode(join('test', 'unit', 'fixtures', 'flush-then-sigkill.ts'), {});
    expect(result.signal).toBe('SIGKILL');
    const lines = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { line: number; msg: string });
    expect(lines.map((entry) => entry.line)).toEqual([1, 2, 3, 4, 5]);
  });
});

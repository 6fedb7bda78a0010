// The API and the worker start with the V8 heap flags of scripts/node-flags.mjs everywhere they
// start. package.json, the Dockerfile and docker-compose repeat them literally (they cannot
// import a module): this test is what keeps the copies equal. It also checks that this Node
// accepts the flags and that they cap what they are there to cap.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SERVICE_NODE_FLAGS } from '../../scripts/node-flags.mjs';
import { repoRoot } from '../support/processes.js';

const run = promisify(execFile);
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

describe('the heap flags of the API and the worker', () => {
  it('are the same in package.json, the Dockerfile and docker-compose', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start:api']).toBe(['node', ...SERVICE_NODE_FLAGS, 'apps/api/dist/main.js'].join(' '));
    expect(scripts['start:worker']).toBe(['node', ...SERVICE_NODE_FLAGS, 'apps/worker/dist/main.js'].join(' '));

    const dockerCmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'))?.[1];
    expect(JSON.parse(dockerCmd ?? 'null')).toEqual(['node', ...SERVICE_NODE_FLAGS, 'apps/api/dist/main.js']);

    // docker-compose's api runs the image's CMD; its worker has a command of its own.
    const workerCommand = /^ {4}command: (\['node'.*'apps\/worker\/dist\/main\.js'\])$/m.exec(read('docker-compose.yml'))?.[1];
    expect(JSON.parse((workerCommand ?? 'null').replaceAll("'", '"'))).toEqual(['node', ...SERVICE_NODE_FLAGS, 'apps/worker/dist/main.js']);

    expect(read('scripts/start-all.mjs')).toContain('[...SERVICE_NODE_FLAGS, entry]');
  });

  it('are accepted by this Node and keep the young generation small under allocation', async () => {
    // Short-lived objects of which a sliding window of 200,000 stays alive for a while, like the
    // objects of requests in flight: what makes V8 grow the young generation.
    const churn = `
      const v8 = require('node:v8');
      const inFlight = new Array(200000);
      for (let i = 0; i < 5000000; i++) inFlight[i % inFlight.length] = { i, text: 'x' + i };
      const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
      console.log(JSON.stringify({ youngMiB: young.space_size / 1048576 }));`;
    const youngMiB = async (flags: string[]) => {
      const { stdout } = await run(process.execPath, [...flags, '-e', churn]);
      return (JSON.parse(stdout) as { youngMiB: number }).youngMiB;
    };
    const capped = await youngMiB(SERVICE_NODE_FLAGS);
    const semiSpaceMiB = Number(
      /^--max-semi-space-size=(\d+)$/.exec(SERVICE_NODE_FLAGS.find((flag) => flag.startsWith('--max-semi-space-size='))!)?.[1],
    );
    // The young generation's reported size is its two semi-spaces.
    expect(capped).toBeLessThanOrEqual(2 * semiSpaceMiB);
    // Without the flags it grows past that: the reason they exist (scripts/node-flags.mjs).
    expect(await youngMiB([])).toBeGreaterThan(2 * semiSpaceMiB);
  });
});

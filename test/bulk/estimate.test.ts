// estimatedCompletionAt follows from the team's pending items up to the job and its budget:
// DNC_WRITE_LIMIT − DNC_WRITE_RESERVED_FOR_SYNC items per window. No worker runs here, so
// nothing moves while the estimates are read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';

let env: TestEnvironment;
let api: ReturnType<typeof client>;
const WINDOW_MS = 60_000;

beforeAll(async () => {
  env = await createTestEnvironment({ RATE_LIMIT_WINDOW_MS: String(WINDOW_MS), DNC_WRITE_LIMIT: '30', DNC_WRITE_RESERVED_FOR_SYNC: '5' });
  api = client((await env.startApi()).baseUrl, (await env.createKey('team_estimate')).apiKey);
});
afterAll(() => env?.cleanup());

const ids = (tag: string, count: number) => Array.from({ length: count }, (_, i) => `dnc_${tag}${i}`);

describe('estimatedCompletionAt', () => {
  it("when jobs queue up behind each other, then each estimate counts the team's pending items up to it at 25 per window", async () => {
    const first = await api.post('/v1/dnc/bulk-delete', { ids: ids('first', 60) });
    const second = await api.post('/v1/dnc/bulk-delete', { ids: ids('second', 10) });
    const third = await api.post('/v1/dnc/bulk-delete', { ids: ids('third', 10) });

    // The service read its clock somewhere between before and after, however long the request
    // took on a busy machine: the estimate is `windows` windows after that moment.
    const expectWindowsAfterNow = async (jobId: string, windows: number) => {
      const before = Date.now();
      const job = (await api.get(`/v1/dnc/bulk-delete/${jobId}`)).body.data;
      const after = Date.now();
      const estimate = Date.parse(job.estimatedCompletionAt);
      expect((estimate - before) / WINDOW_MS).toBeGreaterThan(windows - 0.05);
      expect((estimate - after) / WINDOW_MS).toBeLessThan(windows + 0.05);
    };
    // 60 items: windows now, +1, +2. 70: still +2. 80: +3.
    await expectWindowsAfterNow(first.body.data.$id, 2);
    await expectWindowsAfterNow(second.body.data.$id, 2);
    await expectWindowsAfterNow(third.body.data.$id, 3);
  });
});

// The race the design notes warn about: a submission arriving while the team's drainer has found
// nothing pending but its BullMQ job still exists. The submission's schedule is then a no-op;
// the worker must look again once the job is gone. The reconciler is off here (10 min), so only
// that hand-off can finish the second job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEntries, waitForJob } from '../support/bulk.js';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';

let env: TestEnvironment;
let api: ReturnType<typeof client>;
let submitDuringFinish: (() => Promise<void>) | undefined;

beforeAll(async () => {
  env = await createTestEnvironment({ ...unlimited, RECONCILE_INTERVAL_MS: '600000' });
  const running = await env.startApi();
  await env.startWorker(
    {},
    {
      beforeDrainedRunEnds: async () => {
        const submit = submitDuringFinish;
        submitDuringFinish = undefined;
        await submit?.();
      },
    },
  );
  api = client(running.baseUrl, (await env.createKey('team_handoff')).apiKey);
});
afterAll(() => env?.cleanup());

describe("a submission racing the drainer's finish", () => {
  it('when a job is submitted after the drainer found nothing pending but before its job completed, then that job still completes', async () => {
    const [first, second] = await seedEntries(env.services.db, 'team_handoff', 'handoff', 2);
    let secondJobId: string | undefined;
    submitDuringFinish = async () => {
      const submitted = await api.post('/v1/dnc/bulk-delete', { ids: [second] });
      expect(submitted.status).toBe(202);
      secondJobId = submitted.body.data.$id;
    };

    const firstJob = await api.post('/v1/dnc/bulk-delete', { ids: [first] });
    expect((await waitForJob(api, firstJob.body.data.$id)).status).toBe('completed');
    await expect.poll(() => secondJobId, { timeout: 10_000 }).toBeDefined();

    const secondJob = await waitForJob(api, secondJobId!);
    expect(secondJob.status).toBe('completed');
    expect(secondJob.counts.deleted).toBe(1);
  });
});

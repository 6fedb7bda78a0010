// Two batches of one team at once (two drainers after a Redis loss or a lock takeover): every
// item runs once, and the job still completes although each batch saw the other's items pending.
import { completeDrainedJobs, executeBatch, submitBulkDeletion } from '@dnc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEntries } from '../support/bulk.js';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';

let env: TestEnvironment;

beforeAll(async () => {
  env = await createTestEnvironment();
});
afterAll(() => env?.cleanup());

describe('concurrent batches of one team', () => {
  it('when two batches finish one job at the same time, then the job is completed and each item ran once', async () => {
    const { db, drainPace } = env.services;
    await env.createKey('team_overlap');
    for (let round = 0; round < 20; round++) {
      const ids = await seedEntries(db, 'team_overlap', `ov${round}x`, 50);
      const { job } = await submitBulkDeletion(
        db,
        { teamId: 'team_overlap', apiKeyId: null, requestId: null, entryIds: ids, reason: null },
        drainPace,
      );
      await executeBatch(db, 'team_overlap', 10);
      const [first, second] = await Promise.all([executeBatch(db, 'team_overlap', 20), executeBatch(db, 'team_overlap', 20)]);
      expect(first.executed + second.executed).toBe(40);

      const row = await db.selectFrom('bulk_jobs').select(['status', 'finished_at']).where('id', '=', job.$id).executeTakeFirstOrThrow();
      expect(row.status).toBe('completed');
      expect(row.finished_at).not.toBeNull();
      const audits = await db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('job_id', '=', job.$id)
        .where('action', '=', 'dnc.entry.deleted')
        .executeTakeFirstOrThrow();
      expect(Number(audits.count)).toBe(50);
    }
    expect(await completeDrainedJobs(db)).toBe(0);
  });
});

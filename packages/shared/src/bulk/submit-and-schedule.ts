// The use case behind `POST /v1/dnc/bulk-delete` and `DELETE /v1/dnc/{id}` with
// `Prefer: respond-async`: store the job, then make sure the team's drainer will run it.
import { scheduleDrain } from '../bulk-queue.js';
import type { Services } from '../runtime.js';
import { submitBulkDeletion, type SubmitBulkDeletion, type SubmittedJob } from './submit.js';

/**
 * Stores the job and its items (Postgres, one transaction), then schedules the team's drainer.
 * A scheduling failure is only logged: the job is safe in Postgres and the worker's reconciler
 * will schedule the team. A replay (same Idempotency-Key, same body) returns the earlier job and
 * schedules again, which is harmless: a team never has more than one drainer.
 */
export async function submitAndScheduleBulkDeletion(
  services: Pick<Services, 'db' | 'bulkQueue' | 'logger' | 'drainPace'>,
  input: SubmitBulkDeletion,
): Promise<SubmittedJob> {
  const submitted = await submitBulkDeletion(services.db, input, services.drainPace);
  try {
    await scheduleDrain(services.bulkQueue, input.teamId);
  } catch (error) {
    services.logger.warn({ err: error, jobId: submitted.job.$id }, 'could not schedule the drainer; the reconciler will');
  }
  return submitted;
}

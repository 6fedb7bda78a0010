// The worker's operations port (WORKER_METRICS_PORT): /healthz, /readyz and /metrics of the real
// worker process, including bulk deletions by outcome and the backlog gauges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEntries, waitForJob } from '../support/bulk.js';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { client, request } from '../support/http.js';
import { spawnNode, stopAllProcesses, type NodeProcess } from '../support/processes.js';
import { sample } from '../support/prometheus.js';
import { waitUntil } from '../support/wait.js';

// Bulk batches take at most WRITE_LIMIT - RESERVED = 5 slots of a team's 60 s window.
const WRITE_LIMIT = 6;
const RESERVED = 1;

let env: TestEnvironment;
let apiBaseUrl: string;
let worker: NodeProcess;
let workerUrl: string;

beforeAll(async () => {
  env = await createTestEnvironment({ DNC_WRITE_LIMIT: String(WRITE_LIMIT), DNC_WRITE_RESERVED_FOR_SYNC: String(RESERVED) });
  apiBaseUrl = (await env.startApi()).baseUrl;
  worker = spawnNode('apps/worker/src/main.ts', { ...env.env, LOG_LEVEL: 'info', WORKER_METRICS_PORT: '0' });
  const line = await worker.waitForLog((l) => l.msg === 'worker metrics listening');
  expect(line.port).toEqual(expect.any(Number));
  expect(line.port).toBeGreaterThan(0);
  workerUrl = `http://127.0.0.1:${line.port as number}`;
  await worker.waitForLog((l) => l.msg === 'worker started');
});
afterAll(async () => {
  await worker?.stop();
  await stopAllProcesses();
  await env?.cleanup();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${workerUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.text();
}

/** The worker's port is not the API: its responses are not in the API's OpenAPI document. */
const workerRequest = (method: string, path: string) => request(workerUrl, method, path, { skipOpenApiCheck: true });

const bulkDeletions = (text: string, outcome: string) => sample(text, 'dnc_deletions_total', { source: 'bulk', outcome });

describe('worker probes', () => {
  it('when /healthz is asked, then the worker answers 200 ok', async () => {
    const response = await workerRequest('GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('when /readyz is asked while Postgres and Redis answer, then the worker answers 200 ready with both checks', async () => {
    const response = await workerRequest('GET', '/readyz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ready', checks: { postgres: true, redis: true } });
  });

  it('when another path or method is asked, then the worker answers 404 or 405 with an error body', async () => {
    const missing = await workerRequest('GET', '/v1/dnc');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'not_found', message: 'No route for GET /v1/dnc', data: null });
    const posted = await workerRequest('POST', '/metrics');
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('worker /metrics', () => {
  it('when scraped, then it has the bulk deletion counter at zero for every outcome, the backlog gauges and the default process metrics', async () => {
    const text = await scrape();
    for (const [name, type] of [
      ['dnc_deletions_total', 'counter'],
      ['dnc_bulk_items_pending', 'gauge'],
      ['dnc_queue_jobs', 'gauge'],
      ['dnc_audit_relay_lag_seconds', 'gauge'],
      ['dnc_audit_unrelayed_events', 'gauge'],
      ['process_cpu_user_seconds_total', 'counter'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
    ]) {
      expect(text, name).toContain(`# TYPE ${name} ${type}\n`);
    }
    for (const state of ['waiting', 'delayed', 'active']) {
      expect(sample(text, 'dnc_queue_jobs', { queue: 'bulk-delete', state }), state).toEqual(expect.any(Number));
    }
    for (const outcome of ['deleted', 'not_found', 'forbidden', 'failed']) {
      expect(bulkDeletions(text, outcome), outcome).toEqual(expect.any(Number));
    }
    // The API's request metrics are not the worker's.
    expect(text).not.toContain('dnc_http_request_duration_seconds');
  });

  it('when a bulk job completes, then dnc_deletions_total{source="bulk"} counts its items by outcome', async () => {
    const api = client(apiBaseUrl, (await env.createKey('team_worker_bulk')).apiKey);
    const mine = await seedEntries(env.services.db, 'team_worker_bulk', 'wbulk', 2);
    await env.createKey('team_worker_other');
    const [theirs] = await seedEntries(env.services.db, 'team_worker_other', 'wother', 1);
    const before = await scrape();

    const submitted = await api.post('/v1/dnc/bulk-delete', { ids: [...mine, 'dnc_workermissing01', theirs] });
    expect(submitted.status).toBe(202);
    const job = await waitForJob(api, submitted.body.data.$id);
    expect(job.status).toBe('completed');
    expect(job.counts).toEqual({ pending: 0, deleted: 2, notFound: 1, forbidden: 1, failed: 0, cancelled: 0 });

    const after = await scrape();
    const delta = (outcome: string) => bulkDeletions(after, outcome)! - bulkDeletions(before, outcome)!;
    expect({ deleted: delta('deleted'), not_found: delta('not_found'), forbidden: delta('forbidden'), failed: delta('failed') }).toEqual({
      deleted: 2,
      not_found: 1,
      forbidden: 1,
      failed: 0,
    });
    // The worker's counter has no api series: synchronous deletes are counted by the API.
    expect(sample(after, 'dnc_deletions_total', { source: 'api', outcome: 'deleted' })).toBeUndefined();
  });

  it('when a team has spent the window its bulk jobs may use, then the pending gauge shows its items and its drainer waits as a delayed job', async () => {
    const team = 'team_worker_throttled';
    const api = client(apiBaseUrl, (await env.createKey(team)).apiKey);
    // Synchronous writes take the bulk share of the 60 s window: the job cannot start.
    for (let i = 0; i < WRITE_LIMIT - RESERVED; i++)
      expect((await api.post('/v1/dnc', { url: `in/worker-throttle-${i}` })).status).toBe(201);
    const ids = await seedEntries(env.services.db, team, 'wthrottle', 4);
    const submitted = await api.post('/v1/dnc/bulk-delete', { ids });
    expect(submitted.status).toBe(202);

    // The drainer runs once, finds no slot and re-delays itself until the window frees one.
    let text = '';
    await waitUntil(
      async () => {
        text = await scrape();
        return sample(text, 'dnc_queue_jobs', { queue: 'bulk-delete', state: 'delayed' }) === 1;
      },
      { intervalMs: 100, what: () => `the drainer delayed:\n${text}` },
    );
    expect(sample(text, 'dnc_bulk_items_pending')).toBe(4);
    expect(sample(text, 'dnc_queue_jobs', { queue: 'bulk-delete', state: 'waiting' })).toBe(0);
    expect(sample(text, 'dnc_queue_jobs', { queue: 'bulk-delete', state: 'active' })).toBe(0);

    const cancelled = await api.post(`/v1/dnc/bulk-delete/${submitted.body.data.$id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(sample(await scrape(), 'dnc_bulk_items_pending')).toBe(0);
  });

  it('when the worker has relayed the audit events, then the relay gauges read 0', async () => {
    let text = '';
    await waitUntil(
      async () => {
        text = await scrape();
        return sample(text, 'dnc_audit_unrelayed_events') === 0;
      },
      { intervalMs: 100, what: () => `every audit event relayed:\n${text}` },
    );
    expect(sample(text, 'dnc_audit_relay_lag_seconds')).toBe(0);
    expect((await env.services.db.selectFrom('audit_events').select('seq').execute()).length).toBeGreaterThan(0);
    expect(await env.services.db.selectFrom('audit_outbox').select('seq').execute()).toEqual([]);
  });
});

describe('worker shutdown', () => {
  it('when the worker gets SIGTERM, then it exits 0 and its port closes', async () => {
    const status = await worker.stop('SIGTERM');
    expect(status).toEqual({ code: 0, signal: null });
    await expect(fetch(`${workerUrl}/healthz`)).rejects.toThrow();
  });
});

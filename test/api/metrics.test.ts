// GET /metrics on the API (Prometheus text, a Registry per app) and the /admin/queues dashboard
// behind ADMIN_TOKEN. No worker runs in this file: bulk items stay pending, audit rows unrelayed.
import { get } from 'node:http';
import { createLogger, relayAuditEvents } from '@dnc/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEntries } from '../support/bulk.js';
import { createTestEnvironment, type RunningApi, type TestEnvironment } from '../support/environment.js';
import { client, request } from '../support/http.js';
import { sample } from '../support/prometheus.js';
import { waitUntil } from '../support/wait.js';

const WRITE_LIMIT = 6;
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

let env: TestEnvironment;
let api: RunningApi;

beforeAll(async () => {
  env = await createTestEnvironment({ DNC_WRITE_LIMIT: String(WRITE_LIMIT), DNC_WRITE_RESERVED_FOR_SYNC: '1' });
  api = await env.startApi();
});
afterAll(() => env?.cleanup());

async function scrape(baseUrl = api.baseUrl): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

async function teamClient(teamId: string, baseUrl = api.baseUrl) {
  return client(baseUrl, (await env.createKey(teamId)).apiKey);
}

const durationCount = (text: string, method: string, route: string, status: string) =>
  sample(text, 'dnc_http_request_duration_seconds_count', { method, route, status }) ?? 0;
const deletions = (text: string, outcome: string) => sample(text, 'dnc_deletions_total', { source: 'api', outcome });

describe('GET /metrics', () => {
  it('when scraped, then it answers the Prometheus text format with every named metric and the default process metrics', async () => {
    const response = await fetch(`${api.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    for (const [name, type] of [
      ['dnc_http_request_duration_seconds', 'histogram'],
      ['dnc_rate_limit_rejections_total', 'counter'],
      ['dnc_deletions_total', 'counter'],
      ['dnc_bulk_items_pending', 'gauge'],
      ['dnc_queue_jobs', 'gauge'],
      ['dnc_audit_relay_lag_seconds', 'gauge'],
      ['dnc_audit_unrelayed_events', 'gauge'],
      ['process_cpu_user_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
    ]) {
      expect(text, name).toContain(`# TYPE ${name} ${type}\n`);
    }
    // Counters start at zero for every label value, so the first increment is visible to rate().
    for (const rateLimitClass of ['dnc-write', 'dnc-bulk', 'dnc-read', 'jobs-read']) {
      expect(sample(text, 'dnc_rate_limit_rejections_total', { class: rateLimitClass }), rateLimitClass).toBe(0);
    }
    for (const outcome of ['deleted', 'not_found', 'forbidden', 'failed']) expect(deletions(text, outcome), outcome).toBe(0);
    for (const state of ['waiting', 'delayed', 'active']) {
      expect(sample(text, 'dnc_queue_jobs', { queue: 'bulk-delete', state }), state).toBe(0);
    }
  });

  it('when requests are served, then the duration histogram counts them by method, Express route pattern and status, never by raw URL', async () => {
    const team = await teamClient('team_metrics_routes');
    const before = await scrape();

    expect((await team.get('/v1/dnc')).status).toBe(200);
    expect((await team.delete('/v1/dnc/dnc_metricsrawid0001')).status).toBe(404);
    expect((await team.delete('/v1/dnc/dnc_metricsrawid0002')).status).toBe(404);
    expect((await team.get('/v1/dnc/bulk-delete/job_metricsrawjob01')).status).toBe(404);
    expect((await team.get('/v1/dnc/bulk-delete/job_metricsrawjob01/items')).status).toBe(404);
    expect((await request(api.baseUrl, 'GET', '/no/such/route/metricsrawpath')).status).toBe(404);
    expect((await request(api.baseUrl, 'GET', '/v1/dnc')).status).toBe(401);
    const after = await scrape();

    const delta = (method: string, route: string, status: string) =>
      durationCount(after, method, route, status) - durationCount(before, method, route, status);
    expect(delta('GET', '/v1/dnc', '200')).toBe(1);
    expect(delta('DELETE', '/v1/dnc/:id', '404')).toBe(2);
    expect(delta('GET', '/v1/dnc/bulk-delete/:jobId', '404')).toBe(1);
    expect(delta('GET', '/v1/dnc/bulk-delete/:jobId/items', '404')).toBe(1);
    expect(delta('GET', 'unmatched', '404')).toBe(1);
    expect(delta('GET', '/v1/dnc', '401')).toBe(1);
    // The histogram has buckets, a sum and a count per series.
    expect(
      sample(after, 'dnc_http_request_duration_seconds_bucket', { method: 'DELETE', route: '/v1/dnc/:id', status: '404', le: '+Inf' }),
    ).toBe(durationCount(after, 'DELETE', '/v1/dnc/:id', '404'));
    expect(
      sample(after, 'dnc_http_request_duration_seconds_sum', { method: 'DELETE', route: '/v1/dnc/:id', status: '404' }),
    ).toBeGreaterThan(0);
    for (const raw of ['metricsrawid', 'metricsrawjob', 'metricsrawpath']) expect(after).not.toContain(raw);
  });

  it('when a team gets 429s, then the rejection counter of that class grows by exactly that many and the other classes do not', async () => {
    const team = await teamClient('team_metrics_429');
    const before = await scrape();
    const statuses: number[] = [];
    for (let i = 0; i < WRITE_LIMIT + 2; i++) statuses.push((await team.post('/v1/dnc', { url: `in/metrics-limited-${i}` })).status);
    expect(statuses).toEqual([...Array<number>(WRITE_LIMIT).fill(201), 429, 429]);
    const after = await scrape();

    const rejections = (text: string, rateLimitClass: string) => sample(text, 'dnc_rate_limit_rejections_total', { class: rateLimitClass });
    expect(rejections(after, 'dnc-write')! - rejections(before, 'dnc-write')!).toBe(2);
    for (const other of ['dnc-bulk', 'dnc-read', 'jobs-read']) expect(rejections(after, other), other).toBe(rejections(before, other));
    expect(durationCount(after, 'POST', '/v1/dnc', '429') - durationCount(before, 'POST', '/v1/dnc', '429')).toBe(2);
  });

  it('when synchronous deletes end deleted, not_found and forbidden, then dnc_deletions_total{source="api"} counts each outcome', async () => {
    const owner = await teamClient('team_metrics_delete');
    const other = await teamClient('team_metrics_delete_other');
    const [mine, secondMine] = await seedEntries(env.services.db, 'team_metrics_delete', 'metdel', 2);
    const [theirs] = await seedEntries(env.services.db, 'team_metrics_delete_other', 'metdelother', 1);
    const before = await scrape();

    expect((await owner.delete(`/v1/dnc/${mine}`)).status).toBe(200);
    expect((await owner.delete(`/v1/dnc/${mine}`)).status).toBe(404);
    expect((await owner.delete(`/v1/dnc/${theirs}`)).status).toBe(403);
    // Refused before it reaches the deletion (bad id), and queued instead of deleted: not counted here.
    expect((await owner.delete('/v1/dnc/not-an-id')).status).toBe(400);
    const queued = await other.delete(`/v1/dnc/${theirs}`, { headers: { prefer: 'respond-async' } });
    expect(queued.status).toBe(202);
    const after = await scrape();

    expect(deletions(after, 'deleted')! - deletions(before, 'deleted')!).toBe(1);
    expect(deletions(after, 'not_found')! - deletions(before, 'not_found')!).toBe(1);
    expect(deletions(after, 'forbidden')! - deletions(before, 'forbidden')!).toBe(1);
    expect(deletions(after, 'failed')).toBe(deletions(before, 'failed'));
    expect(sample(after, 'dnc_deletions_total', { source: 'bulk', outcome: 'deleted' })).toBeUndefined();

    expect((await owner.delete(`/v1/dnc/${secondMine}`)).status).toBe(200);
    expect(deletions(await scrape(), 'deleted')! - deletions(before, 'deleted')!).toBe(2);
  });

  it('when bulk items are pending and no worker runs, then the pending gauge and the queue gauges show them', async () => {
    const team = await teamClient('team_metrics_pending');
    const ids = await seedEntries(env.services.db, 'team_metrics_pending', 'metpend', 7);
    const pendingBefore = sample(await scrape(), 'dnc_bulk_items_pending')!;
    const submitted = await team.post('/v1/dnc/bulk-delete', { ids });
    expect(submitted.status).toBe(202);

    const text = await scrape();
    expect(sample(text, 'dnc_bulk_items_pending')).toBe(pendingBefore + 7);
    const inDb = await sql<{ n: number }>`select count(*)::int as n from bulk_job_items where status = 'pending'`.execute(env.services.db);
    expect(sample(text, 'dnc_bulk_items_pending')).toBe(inDb.rows[0]!.n);
    const counts = await env.services.bulkQueue.getJobCounts('waiting', 'delayed', 'active');
    expect(counts.waiting).toBeGreaterThanOrEqual(1);
    for (const state of ['waiting', 'delayed', 'active'] as const) {
      expect(sample(text, 'dnc_queue_jobs', { queue: 'bulk-delete', state }), state).toBe(counts[state]);
    }

    const cancelled = await team.post(`/v1/dnc/bulk-delete/${submitted.body.data.$id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(sample(await scrape(), 'dnc_bulk_items_pending')).toBe(pendingBefore);
  });

  it('when audit events wait for the relay, then the lag and unrelayed gauges show them, and drop to 0 once relayed', async () => {
    const team = await teamClient('team_metrics_audit');
    expect((await team.post('/v1/dnc', { url: 'in/metrics-audit-person' })).status).toBe(201);
    // Unrelayed, the event ages, and the lag gauge with it: scraped until it shows a second.
    const text = await waitUntil(
      async () => {
        const scraped = await scrape();
        return sample(scraped, 'dnc_audit_relay_lag_seconds')! >= 1 && scraped;
      },
      { intervalMs: 200, what: 'a relay lag of 1 s' },
    );
    const unrelayed = await sql<{ n: number; age: number }>`
      select count(*)::int as n, extract(epoch from now() - min(event.occurred_at))::float8 as age
      from audit_outbox outbox join audit_events event on event.seq = outbox.seq`.execute(env.services.db);
    expect(unrelayed.rows[0]!.n).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'dnc_audit_unrelayed_events')).toBe(unrelayed.rows[0]!.n);
    const lag = sample(text, 'dnc_audit_relay_lag_seconds')!;
    expect(lag).toBeGreaterThanOrEqual(1);
    expect(lag).toBeLessThanOrEqual(unrelayed.rows[0]!.age + 0.5);

    while ((await relayAuditEvents(env.services.db, createLogger({ level: 'silent', name: 'test-relay' }))) > 0) {
      // drain the backlog
    }
    const relayed = await scrape();
    expect(sample(relayed, 'dnc_audit_unrelayed_events')).toBe(0);
    expect(sample(relayed, 'dnc_audit_relay_lag_seconds')).toBe(0);
  });

  it('when two APIs run in one process, then each has its own registry and counts only its own requests', async () => {
    const second = await env.startApi();
    const team = await teamClient('team_metrics_registry', second.baseUrl);
    const firstBefore = await scrape();
    const secondBefore = await scrape(second.baseUrl);

    for (let i = 0; i < 3; i++) expect((await team.get('/v1/dnc')).status).toBe(200);

    expect(
      durationCount(await scrape(second.baseUrl), 'GET', '/v1/dnc', '200') - durationCount(secondBefore, 'GET', '/v1/dnc', '200'),
    ).toBe(3);
    expect(durationCount(await scrape(), 'GET', '/v1/dnc', '200')).toBe(durationCount(firstBefore, 'GET', '/v1/dnc', '200'));
    await second.close();
  });
});

describe('/admin/queues', () => {
  it('when ADMIN_TOKEN is not set, then /admin/queues is not found, whatever the token sent', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: `Bearer ${ADMIN_TOKEN}` }];
    for (const headers of attempts) {
      const response = await request(api.baseUrl, 'GET', '/admin/queues', { headers });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: 'not_found', message: expect.any(String), data: null });
    }
  });

  describe('with ADMIN_TOKEN set', () => {
    let admin: RunningApi;
    beforeAll(async () => {
      admin = await env.startApi({ ADMIN_TOKEN });
    });

    it('when no token or a wrong one is sent, then the dashboard and its API answer 401 with a challenge', async () => {
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Bearer wrong-token-0123456789abcdef' },
        { authorization: `Bearer ${ADMIN_TOKEN}x` },
        { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` },
        { authorization: ADMIN_TOKEN },
        { authorization: `Basic ${Buffer.from('admin:wrong-token-0123456789').toString('base64')}` },
      ];
      for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
        for (const headers of attempts) {
          const response = await request(admin.baseUrl, 'GET', path, { headers });
          expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
          const code = headers.authorization?.match(/^(Bearer|Basic) /) ? 'invalid_api_key' : 'missing_api_key';
          expect(response.body).toEqual({ error: code, message: expect.any(String), data: null });
          // fetch joins the two header lines into one list: Basic (for browsers) first, then Bearer.
          expect(response.headers.get('www-authenticate')).toBe('Basic realm="admin", charset="UTF-8", Bearer realm="admin"');
        }
      }
    });

    it('when a 401 challenges, then Basic and Bearer come as two WWW-Authenticate header lines (a browser reads one challenge per line)', async () => {
      const { hostname, port } = new URL(admin.baseUrl);
      const rawHeaders = await new Promise<string[]>((resolve, reject) => {
        get({ hostname, port, path: '/admin/queues' }, (res) => {
          res.resume();
          resolve(res.rawHeaders);
        }).on('error', reject);
      });
      // rawHeaders alternates names and values, one pair per header line as received.
      const lines = rawHeaders.flatMap((name, index) =>
        index % 2 === 0 && name.toLowerCase() === 'www-authenticate' ? [rawHeaders[index + 1]] : [],
      );
      expect(lines).toEqual(['Basic realm="admin", charset="UTF-8"', 'Bearer realm="admin"']);
    });

    it('when the right token is sent, then the dashboard page and its queue API answer 200 for every bulk-delete queue shard', async () => {
      const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
      const page = await request(admin.baseUrl, 'GET', '/admin/queues', { headers });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('x-powered-by')).toBeNull();
      expect(page.body).toContain('<title>Bull Dashboard</title>');
      expect(page.body).toContain('<base href="/admin/queues/" />');

      const queues = await request(admin.baseUrl, 'GET', '/admin/queues/api/queues', { headers });
      expect(queues.status).toBe(200);
      const shards = Array.from({ length: env.config.bulkQueueShards }, (_, shard) => `bulk-delete-${shard}`);
      expect(queues.body.queues.map((queue: { name: string }) => queue.name).sort()).toEqual(shards.sort());
      for (const queue of queues.body.queues) expect(queue.readOnlyMode).toBe(true);
      // The dashboard's requests are labelled by route pattern too.
      const text = await scrape(admin.baseUrl);
      expect(durationCount(text, 'GET', '/admin/queues/*', '200')).toBe(1);
      expect(durationCount(text, 'GET', '/admin/queues/api/queues', '200')).toBe(1);
    });

    it('when a browser sends the token as the Basic password, then it is let in', async () => {
      const basic = Buffer.from(`operator:${ADMIN_TOKEN}`).toString('base64');
      const page = await request(admin.baseUrl, 'GET', '/admin/queues', { headers: { authorization: `Basic ${basic}` } });
      expect(page.status).toBe(200);
    });

    it('when the token is set, then the /v1 API still works as before', async () => {
      const team = await teamClient('team_metrics_admin', admin.baseUrl);
      expect((await team.get('/v1/dnc')).status).toBe(200);
      expect((await request(admin.baseUrl, 'GET', '/admin/nothing-here')).status).toBe(404);
    });
  });
});

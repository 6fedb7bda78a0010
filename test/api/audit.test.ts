// GET /v1/dnc/audit (order, filters, paging, validation, exact event shape) and the worker's
// audit relay (every row logged once with `audit: true`, in order, and out of the outbox).
import { createLogger, executeBatch, type CreatedApiKey } from '@dnc/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuditRelay } from '../../apps/worker/src/audit-relay.js';
import { createTestEnvironment, unlimited, type TestEnvironment } from '../support/environment.js';
import { client, isoMillis } from '../support/http.js';
import { sleep, waitUntil } from '../support/wait.js';

const TEAM = 'team_audit';
const OTHER_TEAM = 'team_audit_other';
const JOB_ID = 'job_auditTest0001';

let env: TestEnvironment;
let api: ReturnType<typeof client>;
let otherApi: ReturnType<typeof client>;
let key: CreatedApiKey;
let otherKey: CreatedApiKey;
const entries: Record<string, { $id: string; url: string }> = {};
/** The team's events, newest first, as the API must show them. */
let expectedEvents: Record<string, unknown>[];

async function add(target: ReturnType<typeof client>, slug: string, requestId: string) {
  const added = await target.post('/v1/dnc', { url: `linkedin.com/in/${slug}` }, { headers: { 'x-request-id': requestId } });
  expect(added.status).toBe(201);
  return added.body.data as { $id: string; url: string };
}

function event(fields: {
  action: string;
  entry: { $id: string; url: string };
  reason?: string | null;
  source?: 'api' | 'bulk';
  jobId?: string | null;
  requestId: string | null;
  apiKeyId?: string;
  teamId?: string;
}) {
  return {
    $id: expect.stringMatching(/^aud_[A-Za-z0-9]+$/),
    teamId: fields.teamId ?? TEAM,
    action: fields.action,
    entryId: fields.entry.$id,
    url: fields.entry.url,
    reason: fields.reason ?? null,
    apiKeyId: fields.apiKeyId ?? key.keyId,
    source: fields.source ?? 'api',
    jobId: fields.jobId ?? null,
    requestId: fields.requestId,
    occurredAt: expect.stringMatching(isoMillis),
  };
}

beforeAll(async () => {
  env = await createTestEnvironment(unlimited);
  const { baseUrl } = await env.startApi();
  key = await env.createKey(TEAM);
  otherKey = await env.createKey(OTHER_TEAM);
  api = client(baseUrl, key.apiKey);
  otherApi = client(baseUrl, otherKey.apiKey);

  // History, oldest first; the other team's events are interleaved.
  entries.one = await add(api, 'audit-one', 'req-audit-1');
  entries.otherOne = await add(otherApi, 'audit-other-one', 'req-other-1');
  entries.two = await add(api, 'audit-two', 'req-audit-2');
  const deleted = await api.delete(`/v1/dnc/${entries.one.$id}?reason=${encodeURIComponent('asked by phone')}`, {
    headers: { 'x-request-id': 'req-audit-3' },
  });
  expect(deleted.status).toBe(200);
  entries.three = await add(api, 'audit-three', 'req-audit-4');
  entries.four = await add(api, 'audit-four', 'req-audit-5');
  // The bulk worker's path: a job of one item, executed by the drainer's own statement (drain_batch),
  // which audits with source "bulk", the job id and the job's reason and key. The job is stored by
  // hand, not submitted, so that its submission event does not join the history under test.
  await sql`
    insert into bulk_jobs (id, team_id, status, reason, total, api_key_id)
    values (${JOB_ID}, ${TEAM}, 'queued', 'bulk cleanup', 1, ${key.keyId})`.execute(env.services.db);
  await sql`
    insert into bulk_job_items (job_id, position, team_id, entry_id)
    values (${JOB_ID}, 1, ${TEAM}, ${entries.four.$id})`.execute(env.services.db);
  const batch = await executeBatch(env.services.db, TEAM, 1);
  expect(batch.outcomes.deleted).toBe(1);

  expectedEvents = [
    event({ action: 'dnc.entry.deleted', entry: entries.four, reason: 'bulk cleanup', source: 'bulk', jobId: JOB_ID, requestId: null }),
    event({ action: 'dnc.entry.added', entry: entries.four, requestId: 'req-audit-5' }),
    event({ action: 'dnc.entry.added', entry: entries.three, requestId: 'req-audit-4' }),
    event({ action: 'dnc.entry.deleted', entry: entries.one, reason: 'asked by phone', requestId: 'req-audit-3' }),
    event({ action: 'dnc.entry.added', entry: entries.two, requestId: 'req-audit-2' }),
    event({ action: 'dnc.entry.added', entry: entries.one, requestId: 'req-audit-1' }),
  ];
});
afterAll(() => env?.cleanup());

describe('GET /v1/dnc/audit', () => {
  it("when the team reads its audit trail, then it gets exactly its events, newest first, in the contract's shape", async () => {
    const response = await api.get('/v1/dnc/audit');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ error: null, data: { events: expectedEvents, total: 6, limit: 50, offset: 0, nextCursor: null } });
    const times = response.body.data.events.map((e: { occurredAt: string }) => Date.parse(e.occurredAt));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    const ids = response.body.data.events.map((e: { $id: string }) => e.$id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when the other team reads its audit trail, then it sees only its own event', async () => {
    const response = await otherApi.get('/v1/dnc/audit');
    expect(response.body).toEqual({
      error: null,
      data: {
        events: [
          event({
            action: 'dnc.entry.added',
            entry: entries.otherOne!,
            requestId: 'req-other-1',
            teamId: OTHER_TEAM,
            apiKeyId: otherKey.keyId,
          }),
        ],
        total: 1,
        limit: 50,
        offset: 0,
        nextCursor: null,
      },
    });
  });

  it('when filtered by action, then only that action is returned and total counts the filtered set', async () => {
    const deleted = await api.get('/v1/dnc/audit?action=dnc.entry.deleted');
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toEqual({ events: [expectedEvents[0], expectedEvents[3]], total: 2, limit: 50, offset: 0, nextCursor: null });

    const added = await api.get('/v1/dnc/audit?action=dnc.entry.added');
    expect(added.body.data).toEqual({
      events: [expectedEvents[1], expectedEvents[2], expectedEvents[4], expectedEvents[5]],
      total: 4,
      limit: 50,
      offset: 0,
      nextCursor: null,
    });

    const none = await api.get('/v1/dnc/audit?action=dnc.bulk_delete.cancelled');
    expect(none.body.data).toEqual({ events: [], total: 0, limit: 50, offset: 0, nextCursor: null });
  });

  it('when filtered by entryId, then that entry’s history is returned newest first', async () => {
    const response = await api.get(`/v1/dnc/audit?entryId=${entries.one!.$id}`);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({
      events: [expectedEvents[3], expectedEvents[5]],
      total: 2,
      limit: 50,
      offset: 0,
      nextCursor: null,
    });

    const combined = await api.get(`/v1/dnc/audit?entryId=${entries.one!.$id}&action=dnc.entry.added`);
    expect(combined.body.data).toEqual({ events: [expectedEvents[5]], total: 1, limit: 50, offset: 0, nextCursor: null });

    const unknown = await api.get('/v1/dnc/audit?entryId=dnc_unknown000000000000');
    expect(unknown.body.data).toEqual({ events: [], total: 0, limit: 50, offset: 0, nextCursor: null });
  });

  it('when filtered by jobId, then only that job’s events are returned', async () => {
    const response = await api.get(`/v1/dnc/audit?jobId=${JOB_ID}`);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ events: [expectedEvents[0]], total: 1, limit: 50, offset: 0, nextCursor: null });

    const otherJob = await api.get('/v1/dnc/audit?jobId=job_someOtherJob');
    expect(otherJob.body.data).toEqual({ events: [], total: 0, limit: 50, offset: 0, nextCursor: null });
  });

  it('when limit and offset are given, then that page is returned with the full total', async () => {
    const page = await api.get('/v1/dnc/audit?limit=2&offset=1');
    expect(page.status).toBe(200);
    expect(page.body.data).toEqual({ events: expectedEvents.slice(1, 3), total: 6, limit: 2, offset: 1, nextCursor: expect.any(String) });

    const last = await api.get('/v1/dnc/audit?limit=4&offset=4');
    expect(last.body.data).toEqual({ events: expectedEvents.slice(4), total: 6, limit: 4, offset: 4, nextCursor: null });

    const beyond = await api.get('/v1/dnc/audit?offset=100');
    expect(beyond.body.data).toEqual({ events: [], total: 6, limit: 50, offset: 100, nextCursor: null });

    const max = await api.get('/v1/dnc/audit?limit=1000');
    expect(max.body.data).toEqual({ events: expectedEvents, total: 6, limit: 1000, offset: 0, nextCursor: null });
  });

  it.each([
    ['action=dnc.entry.exploded', 'action'],
    ['action=', 'action'],
    ['entryId=abc', 'entryId'],
    ['entryId=dnc_!!', 'entryId'],
    ['entryId=job_x', 'entryId'],
    ['jobId=dnc_abc', 'jobId'],
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=abc', 'limit'],
    ['offset=-1', 'offset'],
  ])('when the query has %s, then it answers 400 validation_error naming %s', async (query, field) => {
    const response = await api.get(`/v1/dnc/audit?${query}`);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: 'validation_error',
      message: expect.any(String),
      data: null,
      details: [{ path: expect.stringContaining(field), message: expect.any(String) }],
    });
  });
});

describe('audit relay', () => {
  interface LogLine {
    audit?: boolean;
    event?: { $id: string; teamId: string } & Record<string, unknown>;
    [key: string]: unknown;
  }

  function capturingLogger() {
    const lines: LogLine[] = [];
    const logger = createLogger(
      { level: 'info', name: 'worker' },
      {
        write(chunk: string) {
          for (const line of chunk.split('\n')) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
        },
      },
    );
    return { logger, lines, audited: () => lines.filter((line) => line.audit === true) };
  }

  async function allRows() {
    return env.services.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
  }

  async function outboxSeqs() {
    return (await env.services.db.selectFrom('audit_outbox').select('seq').orderBy('seq').execute()).map((row) => row.seq);
  }

  async function waitUntilAllRelayed() {
    let pending = 0;
    await waitUntil(
      async () => {
        pending = (await env.services.db.selectFrom('audit_outbox').select('seq').execute()).length;
        return pending === 0;
      },
      { intervalMs: 25, what: () => `every audit event relayed (${pending} still unrelayed)` },
    );
  }

  function rowAsEvent(row: Awaited<ReturnType<typeof allRows>>[number]) {
    return {
      $id: row.id,
      teamId: row.team_id,
      action: row.action,
      entryId: row.entry_id,
      url: row.url,
      reason: row.reason,
      apiKeyId: row.api_key_id,
      source: row.source,
      jobId: row.job_id,
      requestId: row.request_id,
      occurredAt: row.occurred_at.toISOString(),
    };
  }

  it('when the relay runs, then every event is logged once with audit: true, in insertion order per team, and leaves the outbox', async () => {
    const before = await allRows();
    expect(before.length).toBeGreaterThanOrEqual(7);
    // Each writer's insert queued its events for the relay (the outbox trigger).
    expect(await outboxSeqs()).toEqual(before.map((row) => row.seq));

    const capture = capturingLogger();
    const relay = startAuditRelay(env.services.db, capture.logger, 20);
    try {
      await waitUntilAllRelayed();
    } finally {
      await relay.stop();
    }

    const rows = await allRows();
    expect(rows).toHaveLength(before.length);
    expect(await outboxSeqs()).toEqual([]);

    const logged = capture.audited();
    expect(logged.map((line) => line.event?.$id)).toEqual(rows.map((row) => row.id));
    // Each event's full content reaches the log.
    expect(logged.map((line) => line.event)).toEqual(rows.map(rowAsEvent));
    // Per team, the log order is the insertion order.
    for (const team of [TEAM, OTHER_TEAM]) {
      expect(logged.filter((line) => line.event?.teamId === team).map((line) => line.event?.$id)).toEqual(
        rows.filter((row) => row.team_id === team).map((row) => row.id),
      );
    }
  });

  it('when a relay starts again, then already relayed events are not logged again and new ones are logged once', async () => {
    const capture = capturingLogger();
    const relay = startAuditRelay(env.services.db, capture.logger, 20);
    let fresh: { $id: string };
    try {
      fresh = await add(api, 'audit-relay-fresh', 'req-relay-1');
      await waitUntilAllRelayed();
    } finally {
      // Stopping waits for the pass in progress: whatever the relay logged is in `capture` now.
      await relay.stop();
    }
    // It ran from before the new event until it was relayed, and logged nothing it had logged before.
    const logged = capture.audited();
    expect(logged).toHaveLength(1);
    expect(logged[0]!.event).toMatchObject({ teamId: TEAM, action: 'dnc.entry.added', entryId: fresh.$id, requestId: 'req-relay-1' });
  });

  it('when two relays (two workers) run at once, then each event is still logged exactly once and in order', async () => {
    const capture = capturingLogger();
    const relays = [startAuditRelay(env.services.db, capture.logger, 10), startAuditRelay(env.services.db, capture.logger, 10)];
    const added: string[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        const target = i % 3 === 0 ? otherApi : api;
        added.push((await add(target, `audit-two-relays-${i}`, `req-two-relays-${i}`)).$id);
        if (i % 4 === 0) await sleep(15);
      }
      await waitUntilAllRelayed();
    } finally {
      // Stopping waits for the passes in progress: whatever the relays logged is in `capture` now.
      await Promise.all(relays.map((relay) => relay.stop()));
    }
    const loggedEntryIds = capture.audited().map((line) => line.event?.entryId);
    expect(loggedEntryIds).toEqual(added);
  });
});

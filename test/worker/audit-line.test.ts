// The audit line is built by hand around the event JSON that Postgres builds (relayAuditEvents,
// createAuditLogStream): both must be byte for byte what toAuditEvent and pino would have written.
import { auditLine, auditLineFields, createLogger, relayAuditEvents, toAuditEvent, type AuditLogStream } from '@dnc/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';

/** Strings that JSON escapes, or that an encoder could get wrong. */
const awkward = [
  'plain',
  'quotes " and \\ backslash',
  'controls \u0001 \u0008 \t \n \r \u000b \u001f and DEL \u007f',
  'ünïcode, 漢字, emoji 😀, separators \u2028 \u2029',
  '</script> & <b>',
];

let env: TestEnvironment;

beforeAll(async () => {
  env = await createTestEnvironment();
});
afterAll(() => env?.cleanup());

describe('the audit line', () => {
  it('when an event is written, then its line is the one the service logger writes for it, field for field', () => {
    const lines: string[] = [];
    const serviceLogger = createLogger({ level: 'info', name: 'worker' }, { write: (line: string) => void lines.push(line) });
    const viaPino = serviceLogger.child({ component: 'audit' });
    for (const text of awkward) {
      const event = { $id: 'aud_1', teamId: 'team_1', reason: text, url: null };
      viaPino.info({ audit: true, event }, text);
      const written = lines.at(-1)!;
      const time = (JSON.parse(written) as { time: string }).time;
      expect(auditLine(auditLineFields('worker'), time, JSON.stringify(event), text)).toBe(written);
    }
  });

  it('when Postgres serializes an event for the relay, then it is JSON.stringify(toAuditEvent(row)), byte for byte', async () => {
    const { db } = env.services;
    await sql`
      insert into audit_events (id, team_id, action, entry_id, url, reason, api_key_id, source, job_id, request_id, occurred_at)
      select 'aud_line' || n, 'team_line', 'dnc.entry.deleted', 'dnc_line' || n, texts.text, texts.text,
        case when n % 2 = 0 then 'key_1' end, 'bulk', case when n % 2 = 1 then 'job_1' end, texts.text,
        -- microseconds, which a JS Date truncates to milliseconds
        timestamptz '2026-11-26 23:59:59.999999+00' + n * interval '1 day 0.000501 seconds'
      from unnest(${awkward}::text[]) with ordinality as texts(text, n)`.execute(db);

    const written: string[] = [];
    const capture: AuditLogStream = { write: (eventJson) => void written.push(eventJson), flush: () => undefined };
    expect(await relayAuditEvents(db, capture)).toBe(awkward.length);

    const rows = await db.selectFrom('audit_events').selectAll().where('team_id', '=', 'team_line').orderBy('seq').execute();
    expect(written).toEqual(rows.map((row) => JSON.stringify(toAuditEvent(row))));
  });
});

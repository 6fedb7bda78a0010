import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: they must not depend on today's schema types. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('teams')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('team_id', 'text', (col) => col.notNull().references('teams.id'))
    .addColumn('name', 'text')
    .addColumn('secret_hash', 'text', (col) => col.notNull())
    .addColumn('scopes', sql`text[]`, (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('api_keys_team_idx').on('api_keys').column('team_id').execute();

  await db.schema
    .createTable('dnc_entries')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('team_id', 'text', (col) => col.notNull().references('teams.id'))
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('dnc_entries_team_url_key', ['team_id', 'url'])
    .execute();
  // The list endpoint's order: newest first, ties broken by id.
  await sql`create index dnc_entries_team_list_idx on dnc_entries (team_id, created_at desc, id desc)`.execute(db);

  await db.schema
    .createTable('audit_events')
    .addColumn('seq', 'bigserial', (col) => col.notNull().unique())
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('team_id', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('entry_id', 'text')
    .addColumn('url', 'text')
    .addColumn('reason', 'text')
    .addColumn('api_key_id', 'text')
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('job_id', 'text')
    .addColumn('request_id', 'text')
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('relayed_at', 'timestamptz')
    .execute();
  await sql`create index audit_events_team_idx on audit_events (team_id, seq desc)`.execute(db);
  await sql`create index audit_events_unrelayed_idx on audit_events (seq) where relayed_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
  await db.schema.dropTable('dnc_entries').execute();
  await db.schema.dropTable('api_keys').execute();
  await db.schema.dropTable('teams').execute();
}

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: they must not depend on today's schema types. */
import { sql, type Kysely } from 'kysely';

// Per-team rate limits (`pnpm cli teams set-limits`): one row per team and class the operator set.
// A class without a row uses the configured default (DNC_WRITE_LIMIT, …), so a reset deletes rows.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('team_limits')
    .addColumn('team_id', 'text', (col) => col.notNull().references('teams.id'))
    .addColumn('class', 'text', (col) => col.notNull())
    .addColumn('limit', 'integer', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('team_limits_pkey', ['team_id', 'class'])
    .addCheckConstraint('team_limits_class_check', sql`class in ('dnc-write', 'dnc-bulk', 'dnc-read', 'jobs-read')`)
    .addCheckConstraint('team_limits_limit_check', sql`"limit" >= 1`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('team_limits').execute();
}

// A fresh database per test file, cloned from the migrated template.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { describe, inject } from 'vitest';
import './global-setup.js';

export const postgresUrl = inject('postgresUrl');
const TEMPLATE = inject('templateDatabase');
/** Servers reach their database through this PgBouncer when the run has one (TEST_THROUGH_POOLER=1). */
export const poolerPort = inject('poolerPort') ?? null;

/** describe() for tests that need a real Postgres; reported as skipped when there is none. */
export const describePg = describe.skipIf(!postgresUrl);

/** Sessions still connected to a database, by application name, after a moment for closing ones. */
async function connectionsLeft(admin: postgres.Sql, database: string): Promise<string[]> {
  for (let waited = 0; ; waited += 50) {
    const rows = await admin<{ name: string }[]>`
      SELECT coalesce(nullif(application_name, ''), 'unnamed') AS name FROM pg_stat_activity
      WHERE datname = ${database} AND pid <> pg_backend_pid()`;
    if (rows.length === 0 || waited >= 3000) return rows.map((r) => r.name);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!postgresUrl) throw new Error('no Postgres');
  const name = `task_executor_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(postgresUrl, { max: 1, onnotice: () => {} });
  // Cloning needs the template to have no other session; retry briefly if one is still closing.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
      break;
    } catch (error) {
      if (attempt > 20) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await admin.end();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    /** Drops the database; fails, naming them, when connections to it were left open. */
    async drop() {
      const cleanup = postgres(postgresUrl!, { max: 1, onnotice: () => {} });
      try {
        const left = await connectionsLeft(cleanup, name);
        await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        if (left.length > 0) throw new Error(`connections to the test database were left open: ${left.join(', ')}`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

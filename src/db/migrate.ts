import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { Database } from './client.js';

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

// Any number of processes may start at once against one database; the advisory lock lets one of
// them apply the migrations while the others wait and then find nothing left to do.
const MIGRATION_LOCK = 7_411_001;

export async function migrate(database: Database): Promise<void> {
  await database.exclusive(MIGRATION_LOCK, () => database.applyMigrations(migrationsFolder));
}

const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as {
  entries: unknown[];
};

/** True when every migration this build ships has been applied: part of /ready. */
export async function migrationsApplied(database: Database): Promise<boolean> {
  const rows = await database.query<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`,
  );
  return rows[0].n >= journal.entries.length;
}

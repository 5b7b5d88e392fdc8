import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

/** Deletes up to `limit` unique-key windows that have ended (a create takes an ended one over too). */
export async function pruneWindows(db: Database, limit: number): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`
    WITH deleted AS (
      DELETE FROM task_unique_windows WHERE unique_key IN (
        SELECT unique_key FROM task_unique_windows WHERE until <= now() LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM deleted`);
  return rows[0].n;
}

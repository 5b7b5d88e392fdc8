import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

/** Throughput counters are read for the last hour only; a day of them is kept. */
export async function pruneFinishes(db: Database): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`
    WITH deleted AS (DELETE FROM task_finishes WHERE second < now() - interval '1 day' RETURNING 1)
    SELECT count(*)::int AS n FROM deleted`);
  return rows[0].n;
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

/** Deletes up to `limit` finished tasks that finished before the cutoff. */
export async function pruneTasks(db: Database, olderThanSeconds: number, limit: number): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`
    WITH deleted AS (
      DELETE FROM tasks WHERE id IN (
        SELECT id FROM tasks
        WHERE status IN ('completed', 'failed', 'cancelled', 'timed_out')
          AND finished_at < now() - make_interval(secs => ${olderThanSeconds})
        LIMIT ${limit})
      RETURNING id
    )
    SELECT count(*)::int AS n FROM deleted`);
  return rows[0].n;
}

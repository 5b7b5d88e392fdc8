import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

/**
 * Deletes up to `limit` finished tasks that finished before the cutoff, and the unique-key windows
 * they held: a key whose task is gone is free (a create would otherwise find no task to return).
 */
export async function pruneTasks(db: Database, olderThanSeconds: number, limit: number): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`
    WITH deleted AS (
      DELETE FROM tasks WHERE id IN (
        SELECT id FROM tasks
        WHERE status IN ('completed', 'failed', 'cancelled', 'timed_out')
          AND finished_at < now() - make_interval(secs => ${olderThanSeconds})
        LIMIT ${limit})
      RETURNING id, unique_key, unique_until
    ), windows AS (
      DELETE FROM task_unique_windows w USING deleted d
      WHERE d.unique_until IS NOT NULL AND w.unique_key = d.unique_key AND w.task_id = d.id
    )
    SELECT count(*)::int AS n FROM deleted`);
  return rows[0].n;
}

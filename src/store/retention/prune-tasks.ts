import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

/**
 * Deletes up to `limit` finished tasks that finished before the cutoff, and the unique-key windows
 * they held: a key whose task is gone is free (a create would otherwise find no task to return).
 * Their edges go too: a finished task's dependents were settled when it ended. (A flow whose last
 * task goes is deleted by the statistics trigger, drizzle/0008.)
 */
export async function pruneTasks(db: Database, olderThanSeconds: number, limit: number): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`
    WITH deleted AS (
      DELETE FROM tasks WHERE id IN (
        SELECT id FROM tasks
        WHERE status IN ('completed', 'failed', 'cancelled', 'timed_out')
          AND finished_at < now() - make_interval(secs => ${olderThanSeconds})
        LIMIT ${limit})
      RETURNING id, unique_key, unique_until, depends_on, has_dependents
    ), windows AS (
      DELETE FROM task_unique_windows w USING deleted d
      WHERE d.unique_until IS NOT NULL AND w.unique_key = d.unique_key AND w.task_id = d.id
    ), edges_in AS (
      DELETE FROM task_dependencies e USING deleted d, unnest(d.depends_on) AS p (id) WHERE e.depends_on = p.id AND e.task_id = d.id
    ), edges_out AS (
      DELETE FROM task_dependencies e USING deleted d WHERE d.has_dependents AND e.depends_on = d.id
    )
    SELECT count(*)::int AS n FROM deleted`);
  return rows[0].n;
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

/**
 * Deletes up to `limit` of the oldest events older than the cutoff and records the highest id
 * deleted, in one statement. Events are read from the low end of the primary key, where the
 * old ones are. Each batch is its own short statement, so no lock is held for long and the
 * executor never waits on it. Returns how many were deleted.
 */
export async function pruneEvents(db: Database, olderThanSeconds: number, limit: number): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`
    WITH doomed AS (
      SELECT id FROM task_events
      WHERE at < now() - make_interval(secs => ${olderThanSeconds})
      ORDER BY id LIMIT ${limit}
    ), deleted AS (
      DELETE FROM task_events WHERE id IN (SELECT id FROM doomed) RETURNING id
    ), mark AS (
      UPDATE event_log_state SET pruned_through = greatest(pruned_through, (SELECT max(id) FROM deleted))
      WHERE id = 1 AND EXISTS (SELECT 1 FROM deleted)
    )
    SELECT count(*)::int AS n FROM deleted`);
  return rows[0].n;
}

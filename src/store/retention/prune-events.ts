import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

/**
 * Deletes up to `limit` of the oldest events older than the cutoff and records the highest id
 * deleted, in one statement. It reads the `limit` lowest ids only and deletes the run of them
 * from the lowest up to the first one still in retention: so no statement reads more than `limit`
 * events, and what is deleted is always every event up to an id (a cursor at or below it is
 * expired, none above). Before (the old events filtered from the low end of the primary key), a
 * pass that found fewer than `limit` read every newer event to make sure: 125 ms over 1,000,000
 * events none of which was due, 1.5 ms now (EXPLAIN ANALYZE; bench/README.md, Growth). Each batch is its own short statement, so no lock is held
 * for long and the executor never waits on it. Returns how many were deleted.
 */
export async function pruneEvents(db: Database, olderThanSeconds: number, limit: number): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`
    WITH head AS MATERIALIZED (
      SELECT id, at FROM task_events ORDER BY id LIMIT ${limit}
    ), doomed AS (
      SELECT id FROM head WHERE id < coalesce(
        (SELECT min(id) FROM head WHERE at >= now() - make_interval(secs => ${olderThanSeconds})), (SELECT max(id) + 1 FROM head))
    ), deleted AS (
      DELETE FROM task_events WHERE id IN (SELECT id FROM doomed) RETURNING id
    ), mark AS (
      UPDATE event_log_state SET pruned_through = greatest(pruned_through, (SELECT max(id) FROM deleted))
      WHERE id = 1 AND EXISTS (SELECT 1 FROM deleted)
    )
    SELECT count(*)::int AS n FROM deleted`);
  return rows[0].n;
}

// Pruning: old events in small batches (each its own short statement, so no lock is held for
// long and the executor never waits on it), finished tasks past an optional retention.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';

export function retentionStore(db: Database) {
  return {
    /**
     * Deletes up to `limit` of the oldest events older than the cutoff and records the highest id
     * deleted, in one statement. Events are read from the low end of the primary key, where the
     * old ones are. Returns how many were deleted.
     */
    async pruneEvents(olderThanSeconds: number, limit: number): Promise<number> {
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
    },

    /** Events at or below this id may have been pruned. */
    async prunedThrough(): Promise<number> {
      const rows = await db.query<{ id: string }>(sql`SELECT pruned_through::text AS id FROM event_log_state WHERE id = 1`);
      return Number(rows[0]?.id ?? 0);
    },

    /** Deletes up to `limit` finished tasks that finished before the cutoff. */
    async pruneTasks(olderThanSeconds: number, limit: number): Promise<number> {
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
    },

    /** Throughput counters are read for the last hour only; a day of them is kept. */
    async pruneFinishes(): Promise<number> {
      const rows = await db.query<{ n: number }>(sql`
        WITH deleted AS (DELETE FROM task_finishes WHERE second < now() - interval '1 day' RETURNING 1)
        SELECT count(*)::int AS n FROM deleted`);
      return rows[0].n;
    },
  };
}

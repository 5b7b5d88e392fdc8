import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { eventStatement, heldByQueue } from '../statement.js';

/**
 * Releases tasks held by their queue (paused, at its concurrency, over its rate) where it has a free slot
 * now, head first, up to `limit` (of one queue, if named; see release_queue_holds, drizzle/0007).
 * For slots freed otherwise than by a task leaving running: a queue resumed or its limits raised or
 * lifted, and, in the sweep, a slot freed while the task held for it was not committed yet.
 * `releasedBefore`: how many the calls just before released from the queue, which take slots too.
 * Returns how many were released.
 */
export async function releaseQueueHolds(db: Database, limit: number, queue?: string, releasedBefore = 0): Promise<number> {
  const rows = await db.query(
    eventStatement({
      changed: sql`
        SELECT r.id, 'pending'::task_status AS status FROM unnest(release_queue_holds(ARRAY(
          SELECT q.name FROM queues q
          -- A probe of the held index per queue (LIMIT 1: not a join over every held task).
          WHERE NOT q.paused ${queue === undefined ? sql`` : sql`AND q.name = ${queue}`} AND (
            SELECT true FROM tasks h WHERE ${sql.raw(heldByQueue('h'))}
              AND h.queue = q.name LIMIT 1)),
          ${limit}::int, '{QUEUE_PAUSED,QUEUE_CONCURRENCY,RATE_LIMIT}', ${releasedBefore}::int)) AS r (id)`,
      events: { wake: true, taskId: sql`id`, type: sql`'released'`, status: sql`status`, orderBy: sql`id` },
      select: sql`id`,
    }),
  );
  return rows.length;
}

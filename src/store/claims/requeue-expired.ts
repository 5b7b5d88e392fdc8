import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { WORKERS_CHANNEL } from '../notices.js';
import { taskColumns, type Task } from '../rows.js';
import { changedThenReleased, eventStatement, releaseHolds, settleDependents } from '../statement.js';

const columns = taskColumns('changed');

/**
 * Running tasks whose lease expired belong to a process that died or lost its database: they go
 * back to pending, or fail when no attempt is left. Any process may run this; SKIP LOCKED keeps
 * two sweepers from fighting over a row.
 */
export async function requeueExpired(db: Database, limit = 1000): Promise<Task[]> {
  const rows = await db.query(
    eventStatement({
      changed: sql`
        UPDATE tasks t SET
          status = CASE WHEN t.attempts >= t.max_attempts THEN 'failed'::task_status ELSE 'pending'::task_status END,
          finished_at = CASE WHEN t.attempts >= t.max_attempts THEN now() END,
          error = jsonb_build_object('code', 'LEASE_EXPIRED',
            'message', 'The worker running this task stopped renewing its lease'),
          worker_id = NULL, lease_expires_at = NULL, run_at = now(), updated_at = now()
        FROM (
          SELECT id, worker_id FROM tasks WHERE status = 'running' AND lease_expires_at < now()
          LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ) expired
        WHERE t.id = expired.id
        RETURNING t.*, expired.worker_id AS lost_by`,
      // Each lapsed task gives its slot to the next task its key or queue held; one that failed
      // for good settles its dependents.
      alsoChanged: [
        { name: 'released', body: releaseHolds('changed') },
        { name: 'settled', body: settleDependents() },
      ],
      events: {
        wake: true,
        ...changedThenReleased(sql`SELECT id, CASE WHEN status = 'failed' THEN 'failed' ELSE 'requeued' END AS type, status,
          jsonb_build_object('attempt', attempts, 'error', error, 'reason', 'lease_expired') AS data FROM changed`),
      },
      effects: [
        {
          // A worker that is still alive but let a lease lapse no longer runs the task: its running
          // count says so now, not at its next heartbeat.
          name: 'running_counts',
          body: sql`UPDATE workers w SET running = greatest(w.running - lost.n, 0), updated_at = now()
            FROM (SELECT lost_by, count(*)::int AS n FROM changed WHERE lost_by IS NOT NULL GROUP BY lost_by) lost
            WHERE w.id = lost.lost_by
            RETURNING pg_notify(${WORKERS_CHANNEL}, w.id)`,
          returns: true,
        },
      ],
      select: columns.list,
    }),
  );
  return rows.map(columns.decode);
}

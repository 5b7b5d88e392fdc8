import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { TaskInWrongState, TaskNotFound } from '../errors.js';
import { taskColumns, type Task } from '../rows.js';
import { changedThenReleased, eventStatement, releasedOrReady, releaseHolds, settleDependents } from '../statement.js';
import { getTask } from './get-tasks.js';

const columns = taskColumns('changed');

/**
 * Waiting, pending or running -> cancelled, for the tasks `target` selects (id, worker_id), locked.
 * A running embedded handler learns of it through the 'cancelled' event; an external worker
 * holding it finds the id in its next heartbeat.
 */
export function cancelStatement(target: SQL): SQL {
  return eventStatement({
    inputs: [{ name: 'target', body: target }],
    changed: sql`
      UPDATE tasks t SET status = 'cancelled', finished_at = now(), updated_at = now(),
        worker_id = NULL, lease_expires_at = NULL, waiting_for = NULL
      FROM target WHERE t.id = target.id
      RETURNING t.*, target.worker_id AS held_by`,
    // A running task gives its slot to the next task its key or queue held.
    alsoChanged: [
      { name: 'freed', body: sql`SELECT queue, concurrency_key FROM changed WHERE held_by IS NOT NULL` },
      { name: 'released', body: releaseHolds('freed') },
      // Its waiting dependents are cancelled too, and theirs (unless they run anyway).
      { name: 'settled', body: settleDependents() },
    ],
    events: {
      wake: sql`CASE WHEN ${releasedOrReady} THEN 'n' ELSE '' END`,
      ...changedThenReleased(sql`SELECT id, 'cancelled' AS type, status, NULL::jsonb AS data FROM changed`),
    },
    effects: [
      {
        // The external worker that held it is told at its next heartbeat (store/workers/beat-external.ts).
        name: 'cancel_notice',
        body: sql`UPDATE workers w SET cancelled_task_ids = array_append(w.cancelled_task_ids, changed.id)
          FROM changed WHERE w.id = changed.held_by AND w.kind = 'external'`,
      },
    ],
    select: columns.list,
  });
}

export async function cancelTask(db: Database, id: string): Promise<Task> {
  const rows = await db.query(
    cancelStatement(sql`SELECT id, worker_id FROM tasks WHERE id = ${id}::bigint AND status IN ('waiting', 'pending', 'running') FOR UPDATE`),
  );
  if (rows.length) return columns.decode(rows[0]);
  const task = await getTask(db, id);
  if (!task) throw new TaskNotFound(id);
  throw new TaskInWrongState(id, task.status, 'cancel');
}

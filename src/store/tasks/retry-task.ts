import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { TaskInWrongState, TaskNotFound, UniqueKeyTaken } from '../errors.js';
import { taskColumns, type Task } from '../rows.js';
import { eventStatement } from '../statement.js';
import { getTask } from './get-tasks.js';

const columns = taskColumns('changed');

/** Failed, cancelled or timed out -> pending, with a fresh series of attempts. */
export async function retryTask(db: Database, id: string): Promise<Task> {
  const rows = await db.query(
    eventStatement({
      changed: sql`
        UPDATE tasks SET status = 'pending', attempts = 0, run_at = now(), updated_at = now(),
          result = NULL, error = NULL, progress = NULL, progress_message = NULL,
          started_at = NULL, finished_at = NULL, log_lines = 0, log_bytes = 0, waiting_for = NULL
        WHERE id = ${id}::bigint AND status IN ('failed', 'cancelled', 'timed_out') RETURNING *`,
      events: { wake: true, types: ['retried'], taskId: sql`id`, type: sql`'retried'`, status: sql`status` },
      select: columns.list,
    }),
  ).catch((error: { code?: string; constraint_name?: string; constraint?: string }) => {
    // postgres.js names the constraint constraint_name, PGlite constraint.
    if (error.code === '23505' && (error.constraint_name ?? error.constraint) === 'tasks_unique_active_idx') throw new UniqueKeyTaken(id);
    throw error;
  });
  if (rows.length) return columns.decode(rows[0]);
  const task = await getTask(db, id);
  if (!task) throw new TaskNotFound(id);
  throw new TaskInWrongState(id, task.status, 'retry');
}

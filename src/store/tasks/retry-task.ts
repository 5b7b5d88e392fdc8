import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { TaskInWrongState, TaskNotFound } from '../errors.js';
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
          started_at = NULL, finished_at = NULL, log_lines = 0, log_bytes = 0
        WHERE id = ${id}::bigint AND status IN ('failed', 'cancelled', 'timed_out') RETURNING *`,
      events: { wake: true, types: ['retried'], taskId: sql`id`, type: sql`'retried'`, status: sql`status` },
      select: columns.list,
    }),
  );
  if (rows.length) return columns.decode(rows[0]);
  const task = await getTask(db, id);
  if (!task) throw new TaskNotFound(id);
  throw new TaskInWrongState(id, task.status, 'retry');
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { TaskInWrongState, TaskNotFound, UniqueKeyTaken } from '../errors.js';
import { taskColumns, type Task } from '../rows.js';
import { eventStatement } from '../statement.js';
import { getTask } from './get-tasks.js';

const columns = taskColumns('changed');

/** Dependencies still to settle for the task `t`, read as they are: completed ones, or with runIfDependenciesFail, ended ones. */
const LEFT = sql.raw(`(SELECT count(*) FROM tasks p WHERE p.id = ANY(t.depends_on) AND p.status::text <> 'completed'
  AND NOT (t.run_if_dependencies_fail AND p.status::text IN ('failed', 'cancelled', 'timed_out')))`);

/**
 * Failed, cancelled or timed out -> pending, with a fresh series of attempts; waiting instead
 * while a task it depends on has not completed. The dependents it cancelled (DEPENDENCY_FAILED),
 * and theirs, wait again: each counts what it depends on afresh, the retried task among them.
 */
export async function retryTask(db: Database, id: string): Promise<Task> {
  const rows = await db.query(
    eventStatement({
      changed: sql`
        UPDATE tasks t SET status = (CASE WHEN ${LEFT} > 0 THEN 'waiting' ELSE 'pending' END)::task_status,
          dependencies_left = ${LEFT}, attempts = 0, run_at = now(), updated_at = now(),
          result = NULL, error = NULL, progress = NULL, progress_message = NULL,
          started_at = NULL, finished_at = NULL, log_lines = 0, log_bytes = 0, waiting_for = NULL
        WHERE t.id = ${id}::bigint AND t.status IN ('failed', 'cancelled', 'timed_out') RETURNING t.*`,
      alsoChanged: [
        {
          name: 'restored',
          body: sql`WITH RECURSIVE r (id) AS (
              SELECT d.task_id FROM changed, task_dependencies d WHERE d.depends_on = changed.id AND changed.has_dependents
              UNION
              SELECT d.task_id FROM r JOIN tasks c ON c.id = r.id JOIN task_dependencies d ON d.depends_on = r.id
              WHERE c.has_dependents AND c.status = 'cancelled' AND c.error ->> 'code' = 'DEPENDENCY_FAILED')
            UPDATE tasks t SET status = 'waiting', dependencies_left = ${LEFT}, attempts = 0, updated_at = now(),
              error = NULL, finished_at = NULL, started_at = NULL, result = NULL, progress = NULL, progress_message = NULL
            FROM (SELECT c.id FROM tasks c WHERE c.id IN (SELECT id FROM r) AND c.status = 'cancelled'
              AND c.error ->> 'code' = 'DEPENDENCY_FAILED' ORDER BY c.id FOR UPDATE) l
            WHERE t.id = l.id
            RETURNING t.id, t.status`,
        },
      ],
      events: {
        wake: true,
        from: sql`(SELECT id, 'retried' AS type, status, false AS follows FROM changed
          UNION ALL SELECT id, 'waiting', status, true FROM restored) AS e`,
        taskId: sql`e.id`,
        type: sql`e.type`,
        status: sql`e.status`,
        orderBy: sql`e.follows, e.id`,
      },
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

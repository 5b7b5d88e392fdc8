import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { taskColumns, type Task } from '../rows.js';
import { textArray } from '../statement.js';

const columns = taskColumns('tasks');

/**
 * The tasks that hold these keys now, for creates that repeated one: an idempotency key for good;
 * a unique key while its task is pending or running (`unique`), or until its window ends
 * (`windowed`, a key taken for a time).
 */
export async function tasksByKeys(
  db: Database,
  keys: { idempotency: readonly string[]; unique: readonly string[]; windowed: readonly string[] },
): Promise<Task[]> {
  if (keys.idempotency.length === 0 && keys.unique.length === 0 && keys.windowed.length === 0) return [];
  const rows = await db.query(sql`
    SELECT ${columns.list} FROM tasks WHERE idempotency_key = ANY(${textArray(keys.idempotency)})
    UNION
    SELECT ${columns.list} FROM tasks
    WHERE unique_key = ANY(${textArray(keys.unique)}) AND unique_until IS NULL AND status IN ('pending', 'running')
    UNION
    SELECT ${columns.list} FROM task_unique_windows w JOIN tasks ON tasks.id = w.task_id
    WHERE w.unique_key = ANY(${textArray(keys.windowed)}) AND w.until > now()`);
  return rows.map(columns.decode);
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { taskColumns, type Task } from '../rows.js';

const columns = taskColumns('t');

/** The tasks that depend on a task, oldest first, from the edges by parent (task_dependencies' key). */
export async function listDependents(db: Database, id: string, limit: number): Promise<Task[]> {
  const rows = await db.query(sql`
    SELECT ${columns.list} FROM task_dependencies d JOIN tasks t ON t.id = d.task_id
    WHERE d.depends_on = ${id}::bigint ORDER BY d.task_id LIMIT ${limit}`);
  return rows.map(columns.decode);
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { taskColumns, type Task } from '../rows.js';
import { whereSql, type TaskFilter } from './task-filter.js';

export interface TaskPage {
  /** Only tasks with a smaller id (older). */
  beforeId?: string;
  /** Only tasks with a larger id (newer). */
  afterId?: string;
  limit: number;
  /** Oldest first instead of newest first. */
  oldestFirst: boolean;
}

const columns = taskColumns('tasks');

/** A page of the task list, newest (or oldest) first by id. */
export async function listTasks(db: Database, filter: TaskFilter, page: TaskPage): Promise<Task[]> {
  const bounds = [];
  if (page.beforeId) bounds.push(sql`id < ${page.beforeId}::bigint`);
  if (page.afterId) bounds.push(sql`id > ${page.afterId}::bigint`);
  const rows = await db.query(sql`
    SELECT ${columns.list} FROM tasks ${whereSql(filter, bounds)}
    ORDER BY tasks.id ${sql.raw(page.oldestFirst ? 'ASC' : 'DESC')}
    LIMIT ${page.limit}`);
  return rows.map(columns.decode);
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { eventColumns, type TaskEvent } from '../rows.js';

/** A task's log lines, oldest first (newest first when inverted), between two event ids. */
export async function readLogs(
  db: Database,
  taskId: string,
  page: { afterId?: number; beforeId?: number; limit: number; inverted: boolean },
): Promise<TaskEvent[]> {
  const rows = await db.query(sql`
    SELECT ${eventColumns.list} FROM task_events e
    WHERE e.task_id = ${taskId}::bigint AND e.type = 'log'
      ${page.afterId !== undefined ? sql`AND e.id > ${page.afterId}` : sql``}
      ${page.beforeId !== undefined ? sql`AND e.id < ${page.beforeId}` : sql``}
    ORDER BY e.id ${sql.raw(page.inverted ? 'DESC' : 'ASC')} LIMIT ${page.limit}`);
  return rows.map(eventColumns.decode);
}

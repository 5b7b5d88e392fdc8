import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { eventColumns, type TaskEvent } from '../rows.js';

/**
 * Events after a cursor (of one task, if given), in commit order. Ids are in commit order (see
 * statement.ts), so "everything after cursor N" is a plain range scan with no gap.
 */
export async function readEvents(db: Database, afterId: number, limit: number, taskId?: string): Promise<TaskEvent[]> {
  const rows = await db.query(sql`
    SELECT ${eventColumns.list} FROM task_events e
    WHERE e.id > ${afterId} ${taskId ? sql`AND e.task_id = ${taskId}::bigint` : sql``}
    ORDER BY e.id LIMIT ${limit}`);
  return rows.map(eventColumns.decode);
}

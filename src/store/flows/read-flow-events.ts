import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { eventColumns, type TaskEvent } from '../rows.js';

/**
 * The events of a flow's tasks after a cursor, in commit order: each task's from the index over
 * (task_id, id), merged. A flow's tasks are at most 10,000.
 */
export async function readFlowEvents(db: Database, flowId: string, afterId: number, limit: number): Promise<TaskEvent[]> {
  const rows = await db.query(sql`
    SELECT ${eventColumns.list} FROM tasks t
      JOIN LATERAL (SELECT * FROM task_events e WHERE e.task_id = t.id AND e.id > ${afterId} ORDER BY e.id LIMIT ${limit}) e ON true
    WHERE t.flow_id = ${flowId}::bigint
    ORDER BY e.id LIMIT ${limit}`);
  return rows.map(eventColumns.decode);
}

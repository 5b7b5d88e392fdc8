import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { taskColumns, type Task } from '../rows.js';
import { cancelStatement } from '../tasks/cancel-task.js';

const columns = taskColumns('changed');

/** Cancels every task of the flow that has not ended, in one statement; returns them. */
export async function cancelFlow(db: Database, flowId: string): Promise<Task[]> {
  const rows = await db.query(
    cancelStatement(sql`SELECT id, worker_id FROM tasks
      WHERE flow_id = ${flowId}::bigint AND status IN ('waiting', 'pending', 'running') ORDER BY id FOR UPDATE`),
  );
  return rows.map(columns.decode);
}

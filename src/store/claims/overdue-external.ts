import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { tasks } from '../../db/schema.js';
import { selection } from '../columns.js';
import type { ClaimedTask } from '../rows.js';

const columns = selection(tasks, 't', ['id', 'kind', 'attempts', 'maxAttempts', 'timeoutSeconds', 'workerId'], ['id']);

export type OverdueTask = Pick<ClaimedTask, 'id' | 'kind' | 'attempts' | 'maxAttempts' | 'timeoutSeconds'> & { workerId: string };

/**
 * Tasks an external worker holds past their timeout. The embedded executor times out its own
 * tasks with a timer; for an external worker's tasks only the server can.
 */
export async function overdueExternal(db: Database, limit = 1000): Promise<OverdueTask[]> {
  const rows = await db.query(sql`
    SELECT ${columns.list}
    FROM tasks t JOIN workers w ON w.id = t.worker_id AND w.kind = 'external'
    WHERE t.status = 'running' AND t.lease_expires_at IS NOT NULL
      AND t.started_at + make_interval(secs => t.timeout_seconds) < now()
    LIMIT ${limit}`);
  return rows.map((row) => columns.decode(row) as OverdueTask);
}

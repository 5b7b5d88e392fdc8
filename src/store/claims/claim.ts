import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { claimedColumns, type ClaimedTask } from '../rows.js';
import { eventStatement, textArray } from '../statement.js';

const columns = claimedColumns('changed');

/**
 * Claims up to `limit` due tasks of the given kinds in one statement, in priority, run_at, id
 * order, skipping rows another claimer holds. Served by the partial index over pending tasks.
 * A worker paused or scaled to zero in its row claims nothing.
 */
export async function claim(db: Database, workerId: string, kinds: readonly string[], limit: number, leaseSeconds: number): Promise<ClaimedTask[]> {
  if (limit <= 0 || kinds.length === 0) return [];
  const rows = await db.query(
    eventStatement({
      // claim_tasks (drizzle/0004, 0006) locks up to limit due tasks in claim order and marks them
      // running; as PL/pgSQL its plans are kept, and made with table scans ruled out.
      changed: sql`SELECT * FROM claim_tasks(${workerId}, ${textArray(kinds)}, ${limit}::int, ${leaseSeconds}::int)`,
      events: {
        wake: false,
        types: ['started'],
        taskId: sql`id`,
        type: sql`'started'`,
        status: sql`status`,
        data: sql`jsonb_build_object('attempt', attempts, 'workerId', worker_id)`,
        orderBy: sql`id`,
      },
      select: columns.list,
      orderBy: sql`changed.priority DESC, changed.run_at, changed.id`,
    }),
  );
  return rows.map(columns.decode);
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { claimedColumns, type ClaimedTask } from '../rows.js';
import { eventStatement, textArray } from '../statement.js';

const columns = claimedColumns('changed');

/** The tasks claimed, and how many candidates it held instead (a backlog it has moved past). */
export type Claimed = ClaimedTask[] & { held: number };

/**
 * Claims up to `limit` due tasks of the given kinds in one statement, in priority, run_at, id
 * order, skipping rows another claimer holds. Served by the partial index over pending tasks.
 * A worker paused or scaled to zero in its row claims nothing. Queues' rules and concurrency
 * keys are enforced in the same statement (claim_tasks): a task that may not start yet is held,
 * with a `held` event that says why; one a freed slot let go is `released`.
 */
export async function claim(db: Database, workerId: string, kinds: readonly string[], limit: number, leaseSeconds: number): Promise<Claimed> {
  if (limit <= 0 || kinds.length === 0) return Object.assign([], { held: 0 });
  const [row] = await db.query<{ claimed: Array<Record<string, unknown>>; held: number }>(
    eventStatement({
      // claim_tasks (drizzle/0004 to 0007) locks up to limit due tasks in claim order and marks
      // them running; as PL/pgSQL its plans are kept, and made with table scans ruled out.
      changed: sql`SELECT * FROM claim_tasks(${workerId}, ${textArray(kinds)}, ${limit}::int, ${leaseSeconds}::int)`,
      events: {
        // Released tasks of other kinds are work for other executors.
        wake: sql`CASE WHEN EXISTS (SELECT 1 FROM changed WHERE status = 'pending' AND waiting_for IS NULL) THEN 'n' ELSE '' END`,
        taskId: sql`id`,
        type: sql`CASE WHEN status = 'running' THEN 'started' WHEN waiting_for IS NULL THEN 'released' ELSE 'held' END`,
        status: sql`status`,
        data: sql`CASE WHEN status = 'running' THEN jsonb_build_object('attempt', attempts, 'workerId', worker_id)
          WHEN waiting_for IS NOT NULL THEN jsonb_build_object('waitingFor', waiting_for) END`,
        orderBy: sql`id`,
      },
      // One row holding the claimed tasks as one JSON array, in claim order: parsing one value
      // costs the process far less than a row per task, column by column.
      select: sql`coalesce((SELECT json_agg(c) FROM (
          SELECT ${columns.list} FROM changed WHERE changed.status = 'running' ORDER BY changed.priority DESC, changed.run_at, changed.id) c),
        '[]'::json) AS claimed, (count(*) FILTER (WHERE changed.status <> 'running' AND changed.waiting_for IS NOT NULL))::int AS held`,
    }),
  );
  return Object.assign(row.claimed.map(columns.decode), { held: row.held });
}

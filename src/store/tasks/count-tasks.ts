import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { whereSql, type TaskFilter } from './task-filter.js';

/**
 * The tasks matching a filter, across all pages: summed from task_counts, which the statistics
 * triggers keep exact in the statements that change tasks (drizzle/0002), by queue, kind and
 * status, the filter's columns. Counting the rows instead cost the dashboard's first page 77–209
 * ms at 400,000 tasks and grew with the history (bench/growth.ts).
 */
export async function countTasks(db: Database, filter: TaskFilter): Promise<number> {
  const { flowId, ...rest } = filter;
  // A flow's tasks by status are in flow_counts; by kind or queue too, they are counted (a flow is
  // at most 10,000 tasks, read through tasks_flow_idx).
  const counted = !flowId
    ? sql`SELECT sum(n) AS n FROM task_counts ${whereSql(rest)}`
    : rest.kinds?.length || rest.queues?.length
      ? sql`SELECT count(*) AS n FROM tasks ${whereSql(filter)}`
      : sql`SELECT sum(n) AS n FROM flow_counts ${whereSql({ statuses: rest.statuses }, [sql`flow_id = ${flowId}::bigint`])}`;
  const rows = await db.query<{ n: number }>(sql`SELECT coalesce(n, 0)::float8 AS n FROM (${counted}) AS c`);
  return Number(rows[0].n);
}

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
  const rows = await db.query<{ n: number }>(sql`SELECT coalesce(sum(n), 0)::float8 AS n FROM task_counts ${whereSql(filter)}`);
  return Number(rows[0].n);
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { whereSql, type TaskFilter } from './task-filter.js';

/** The tasks matching a filter, across all pages. */
export async function countTasks(db: Database, filter: TaskFilter): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tasks ${whereSql(filter)}`);
  return rows[0].n;
}

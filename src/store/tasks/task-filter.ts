import { sql, type SQL } from 'drizzle-orm';
import type { TaskStatus } from '../rows.js';

/** What the task list and its count are filtered by. */
export interface TaskFilter {
  statuses?: TaskStatus[];
  kinds?: string[];
  queues?: string[];
  /** A flow's tasks only. */
  flowId?: string;
}

/** The WHERE clause for a filter and further conditions. */
export function whereSql(filter: TaskFilter, more: SQL[] = []): SQL {
  const where: SQL[] = [];
  if (filter.statuses?.length) where.push(sql`status IN ${filter.statuses.map((s) => sql`${s}::task_status`)}`);
  if (filter.kinds?.length) where.push(sql`kind IN ${filter.kinds}`);
  if (filter.queues?.length) where.push(sql`queue IN ${filter.queues}`);
  if (filter.flowId) where.push(sql`flow_id = ${filter.flowId}::bigint`);
  where.push(...more);
  return where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
}

import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { decodeFlow, flowList, type Flow } from './rows.js';

export interface FlowPage {
  statuses?: Flow['status'][];
  /** Only flows with a smaller id (older). */
  beforeId?: string;
  /** Only flows with a larger id (newer). */
  afterId?: string;
  limit: number;
  oldestFirst: boolean;
}

/** A page of flows, newest (or oldest) first by id. */
export async function listFlows(db: Database, page: FlowPage): Promise<Flow[]> {
  const where: SQL[] = [];
  if (page.statuses?.length) where.push(sql`f.status IN ${page.statuses}`);
  if (page.beforeId) where.push(sql`f.id < ${page.beforeId}::bigint`);
  if (page.afterId) where.push(sql`f.id > ${page.afterId}::bigint`);
  const rows = await db.query<Record<string, unknown>>(sql`
    SELECT ${flowList} FROM flows f ${where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``}
    ORDER BY f.id ${sql.raw(page.oldestFirst ? 'ASC' : 'DESC')} LIMIT ${page.limit}`);
  return rows.map(decodeFlow);
}

import { sql } from 'drizzle-orm';
import type { Database, Row } from '../../db/client.js';
import { eventColumns, type TaskEvent } from '../rows.js';
import { idArray } from '../statement.js';

/** Events of these types, or of these tasks. */
export interface EventFilter {
  types: string[];
  taskIds: string[];
}

/**
 * The pump's read: of the next `limit` events after `afterId`, those that match `filter` (all
 * when it is null), and the id up to which it has looked. Reading only what someone in this
 * process follows keeps a busy queue with few watchers from reading back every event it wrote.
 */
export async function readNext(
  db: Database,
  afterId: number,
  limit: number,
  filter: EventFilter | null,
): Promise<{ upto: number; scanned: number; events: TaskEvent[] }> {
  const match = filter
    ? sql`AND (e.type IN ${filter.types.length ? filter.types : ['']} OR e.task_id = ANY(${idArray(filter.taskIds)}))`
    : sql``;
  const rows = await db.query<Row & { upto: string | null; scanned: number }>(sql`
    SELECT m.upto::text AS upto, m.scanned, ${eventColumns.list}
    FROM (SELECT max(id) AS upto, count(*)::int AS scanned FROM (
      SELECT id FROM task_events WHERE id > ${afterId} ORDER BY id LIMIT ${limit}) page) m
    LEFT JOIN task_events e ON e.id > ${afterId} AND e.id <= m.upto ${match}
    ORDER BY e.id`);
  const upto = rows[0]?.upto;
  if (upto === null || upto === undefined) return { upto: afterId, scanned: 0, events: [] };
  return { upto: Number(upto), scanned: rows[0].scanned, events: rows.filter((r) => r.id !== null).map(eventColumns.decode) };
}

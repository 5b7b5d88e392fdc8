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
  // The page's events as one JSON array: a process that follows every event reads a thousand at a
  // time, and parsing one value costs it far less than a row per event, column by column.
  const [page] = await db.query<{ upto: string | null; scanned: number; events: Row[] }>(sql`
    SELECT m.upto::text AS upto, m.scanned, coalesce((
      SELECT json_agg(x ORDER BY x.id) FROM (
        SELECT ${eventColumns.list} FROM task_events e WHERE e.id > ${afterId} AND e.id <= m.upto ${match}) x), '[]'::json) AS events
    FROM (SELECT max(id) AS upto, count(*)::int AS scanned FROM (
      SELECT id FROM task_events WHERE id > ${afterId} ORDER BY id LIMIT ${limit}) page) m`);
  if (page.upto === null) return { upto: afterId, scanned: 0, events: [] };
  return { upto: Number(page.upto), scanned: page.scanned, events: page.events.map(eventColumns.decode) };
}

// Reading the append-only event log. Ids are in commit order (see eventGate), so "everything after
// cursor N" is a plain range scan on the primary key with no gap.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { Row } from '../db/client.js';
import { EVENT_COLUMNS, idArray, toEvent, type TaskEvent } from './rows.js';

export interface EventFilter {
  types: string[];
  taskIds: string[];
}

export function eventStore(db: Database) {
  return {
    async readEvents(afterId: number, limit: number, taskId?: string): Promise<TaskEvent[]> {
      const rows = await db.query(sql`
        SELECT ${EVENT_COLUMNS} FROM task_events e
        WHERE e.id > ${afterId} ${taskId ? sql`AND e.task_id = ${taskId}::bigint` : sql``}
        ORDER BY e.id LIMIT ${limit}`);
      return rows.map(toEvent);
    },

    /**
     * The pump's read: of the next `limit` events after `afterId`, those that match `filter` (all
     * when it is null), and the id up to which it has looked. Reading only what someone in this
     * process follows keeps a busy queue with few watchers from reading back every event it wrote.
     */
    async readNext(afterId: number, limit: number, filter: EventFilter | null): Promise<{ upto: number; scanned: number; events: TaskEvent[] }> {
      const match = filter
        ? sql`AND (e.type IN ${filter.types.length ? filter.types : ['']} OR e.task_id = ANY(${idArray(filter.taskIds)}))`
        : sql``;
      const rows = await db.query<Row & { upto: string | null; scanned: number }>(sql`
        SELECT m.upto::text AS upto, m.scanned, ${EVENT_COLUMNS}
        FROM (SELECT max(id) AS upto, count(*)::int AS scanned FROM (
          SELECT id FROM task_events WHERE id > ${afterId} ORDER BY id LIMIT ${limit}) page) m
        LEFT JOIN task_events e ON e.id > ${afterId} AND e.id <= m.upto ${match}
        ORDER BY e.id`);
      const upto = rows[0]?.upto;
      if (upto === null || upto === undefined) return { upto: afterId, scanned: 0, events: [] };
      return { upto: Number(upto), scanned: rows[0].scanned, events: rows.filter((r) => r.id !== null).map(toEvent) };
    },

    /** A task's log lines, oldest first (newest first when inverted), between two event ids. */
    async readLogs(taskId: string, page: { afterId?: number; beforeId?: number; limit: number; inverted: boolean }): Promise<TaskEvent[]> {
      const rows = await db.query(sql`
        SELECT ${EVENT_COLUMNS} FROM task_events e
        WHERE e.task_id = ${taskId}::bigint AND e.type = 'log'
          ${page.afterId !== undefined ? sql`AND e.id > ${page.afterId}` : sql``}
          ${page.beforeId !== undefined ? sql`AND e.id < ${page.beforeId}` : sql``}
        ORDER BY e.id ${sql.raw(page.inverted ? 'DESC' : 'ASC')} LIMIT ${page.limit}`);
      return rows.map(toEvent);
    },

    async latestEventId(): Promise<number> {
      const rows = await db.query<{ id: string | null }>(sql`SELECT max(id)::text AS id FROM task_events`);
      return Number(rows[0].id ?? 0);
    },
  };
}

export type EventStore = ReturnType<typeof eventStore>;

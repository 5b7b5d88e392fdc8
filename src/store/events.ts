// Reading the append-only event log. Ids are in commit order (see eventGate), so "everything after
// cursor N" is a plain range scan on the primary key with no gap.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { EVENT_COLUMNS, toEvent, type TaskEvent } from './rows.js';

export function eventStore(db: Database) {
  return {
    async readEvents(afterId: number, limit: number, taskId?: string): Promise<TaskEvent[]> {
      const rows = await db.query(sql`
        SELECT ${EVENT_COLUMNS} FROM task_events
        WHERE id > ${afterId} ${taskId ? sql`AND task_id = ${taskId}::bigint` : sql``}
        ORDER BY task_events.id LIMIT ${limit}`);
      return rows.map(toEvent);
    },

    async latestEventId(): Promise<number> {
      const rows = await db.query<{ id: string | null }>(sql`SELECT max(id)::text AS id FROM task_events`);
      return Number(rows[0].id ?? 0);
    },
  };
}

export type EventStore = ReturnType<typeof eventStore>;

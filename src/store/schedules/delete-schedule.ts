import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { SCHEDULES_CHANNEL } from '../notices.js';
import { scheduleColumns, type Schedule } from './schedule-row.js';

const columns = scheduleColumns('deleted');

/**
 * Deletes the schedule and returns it as it was; null when there is none. A tick racing it waits
 * for the row and then finds none, so no task is made after this commits. Its tasks stay.
 */
export async function deleteSchedule(db: Database, name: string): Promise<Schedule | null> {
  const rows = await db.query(sql`
    WITH deleted AS (DELETE FROM schedules WHERE name = ${name} RETURNING *)
    SELECT ${columns.list}, pg_notify(${SCHEDULES_CHANNEL}, deleted.name) FROM deleted`);
  return rows.length ? columns.decode(rows[0]) : null;
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { textArray } from '../statement.js';
import { scheduleColumns, type Schedule } from './schedule-row.js';

const columns = scheduleColumns('s');

/**
 * Schedules (the named ones, or all) by name. Read by every process's scheduler after each change
 * and on its fallback interval: a handful of rows by primary key, so it costs next to nothing.
 */
export async function listSchedules(db: Database, names?: readonly string[]): Promise<Schedule[]> {
  const rows = await db.query(sql`
    SELECT ${columns.list} FROM schedules s ${names ? sql`WHERE s.name = ANY(${textArray(names)})` : sql``} ORDER BY s.name`);
  return rows.map(columns.decode);
}

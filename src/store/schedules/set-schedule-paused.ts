import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { SCHEDULES_CHANNEL } from '../notices.js';
import { scheduleColumns, type Schedule } from './schedule-row.js';

const columns = scheduleColumns('changed');

/**
 * Pauses the schedule: no tick makes a task from the moment this commits (a tick checks NOT
 * paused under the row's lock). Null when there is no such schedule.
 */
export async function pauseSchedule(db: Database, name: string): Promise<Schedule | null> {
  const rows = await db.query(sql`
    WITH changed AS (
      UPDATE schedules SET paused = true, updated_at = now() WHERE name = ${name} AND NOT paused RETURNING *
    ), notified AS (SELECT pg_notify(${SCHEDULES_CHANNEL}, name) FROM changed)
    SELECT ${columns.list}, (SELECT count(*) FROM notified) AS notified FROM changed`);
  return rows.length ? columns.decode(rows[0]) : null;
}

/**
 * Resumes a paused schedule from `nextRunAt`, the first tick after now by the cron the caller
 * read (`cron`, `timezone`): the ticks that fell while it was paused are skipped, not backfilled.
 * Null when the row is not paused or its expression is no longer the one read (changed meanwhile:
 * read it again).
 */
export async function resumeSchedule(db: Database, name: string, expression: { cron: string; timezone: string }, nextRunAt: Date): Promise<Schedule | null> {
  const rows = await db.query(sql`
    WITH changed AS (
      UPDATE schedules SET paused = false, next_run_at = ${nextRunAt.toISOString()}::timestamptz, updated_at = now()
      WHERE name = ${name} AND paused AND cron = ${expression.cron} AND timezone = ${expression.timezone}
      RETURNING *
    ), notified AS (SELECT pg_notify(${SCHEDULES_CHANNEL}, name) FROM changed)
    SELECT ${columns.list}, (SELECT count(*) FROM notified) AS notified FROM changed`);
  return rows.length ? columns.decode(rows[0]) : null;
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

/**
 * Moves a schedule's next_run_at from `from` to `to` without a task: the ticks between were
 * missed by more than the schedule backfills. The same compare-and-set as a tick, so it never
 * passes over a tick that another process is making. Returns whether it moved.
 */
export async function skipTicks(db: Database, skip: { name: string; cron: string; timezone: string; from: Date; to: Date }): Promise<boolean> {
  const rows = await db.query(sql`
    UPDATE schedules SET next_run_at = ${skip.to.toISOString()}::timestamptz
    WHERE name = ${skip.name} AND date_trunc('milliseconds', next_run_at) = ${skip.from.toISOString()}::timestamptz
      AND cron = ${skip.cron} AND timezone = ${skip.timezone} AND NOT paused
    RETURNING name`);
  return rows.length > 0;
}

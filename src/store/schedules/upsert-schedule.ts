import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { SCHEDULES_CHANNEL } from '../notices.js';
import { jsonbOrNull } from './schedule-row.js';

/** A schedule as stored: every field given its value or default (schedules/intake.ts checks them). */
export interface ScheduleDefinition {
  name: string;
  cron: string;
  timezone: string;
  kind: string;
  input: unknown;
  queue: string;
  priority: number;
  maxAttempts: number;
  timeoutSeconds: number;
  backfillSeconds: number;
  /** null: a new schedule runs, an existing one stays as it is. */
  paused: boolean | null;
}

/**
 * Makes the schedule or changes it to the definition; paused null keeps an existing schedule's
 * state (a new one runs). `nextRunAt` is the first tick after now by this process's reading of
 * the cron; it is taken only when the ticks change (a new schedule, another cron or zone, or a
 * resume): an upsert of the same expression, as SCHEDULES_FILE makes at every start of every
 * process, keeps the tick due, so a tick missed while no process ran can still be backfilled.
 * A row left as it was is not written (no NOTIFY, updated_at unchanged). One statement, an
 * INSERT ... ON CONFLICT: processes that declare the same schedule at once do not conflict.
 * Returns whether anything changed.
 */
export async function upsertSchedule(db: Database, s: ScheduleDefinition, nextRunAt: Date): Promise<boolean> {
  const rows = await db.query(sql`
    WITH upserted AS (
      INSERT INTO schedules AS s (name, cron, timezone, kind, input, queue, priority, max_attempts, timeout_seconds, backfill_seconds, paused, next_run_at)
      VALUES (${s.name}, ${s.cron}, ${s.timezone}, ${s.kind}, ${jsonbOrNull(s.input)}::jsonb, ${s.queue}, ${s.priority}::int, ${s.maxAttempts}::int,
        ${s.timeoutSeconds}::int, ${s.backfillSeconds}::int, coalesce(${s.paused}::boolean, false), ${nextRunAt.toISOString()}::timestamptz)
      ON CONFLICT (name) DO UPDATE SET
        cron = excluded.cron, timezone = excluded.timezone, kind = excluded.kind, input = excluded.input, queue = excluded.queue,
        priority = excluded.priority, max_attempts = excluded.max_attempts, timeout_seconds = excluded.timeout_seconds,
        backfill_seconds = excluded.backfill_seconds, paused = coalesce(${s.paused}::boolean, s.paused),
        next_run_at = CASE WHEN s.cron = excluded.cron AND s.timezone = excluded.timezone AND NOT (s.paused AND NOT coalesce(${s.paused}::boolean, true))
          THEN s.next_run_at ELSE excluded.next_run_at END,
        updated_at = now()
      WHERE (s.cron, s.timezone, s.kind, s.queue, s.priority, s.max_attempts, s.timeout_seconds, s.backfill_seconds, s.paused)
          IS DISTINCT FROM (excluded.cron, excluded.timezone, excluded.kind, excluded.queue, excluded.priority, excluded.max_attempts,
            excluded.timeout_seconds, excluded.backfill_seconds, coalesce(${s.paused}::boolean, s.paused))
        OR s.input IS DISTINCT FROM excluded.input
      RETURNING s.name
    )
    SELECT pg_notify(${SCHEDULES_CHANNEL}, name) FROM upserted`);
  return rows.length > 0;
}

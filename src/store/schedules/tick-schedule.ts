import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { taskColumns, type Task } from '../rows.js';
import { eventStatement } from '../statement.js';

export interface Tick {
  name: string;
  /** The expression the caller computed `next` with: a schedule changed meanwhile is not ticked. */
  cron: string;
  timezone: string;
  /** The tick: the schedule's next_run_at as the caller read it. */
  due: Date;
  /** The tick after it. */
  next: Date;
}

const columns = taskColumns('changed');

/**
 * Makes a tick's task: one statement that moves the schedule's next_run_at from the tick to the
 * next one (compare-and-set) and inserts the task, with its `created` event, from the row it
 * moved. Processes that tick at once all update the same row: the first takes its lock, the others
 * wait for it to commit and then find next_run_at moved on, and update nothing, so they insert
 * nothing. The task's id is drawn by the update (last_task_id) and inserted as such, so the row
 * names its task in the same statement. The row's lock is taken before the event lock (the insert
 * reads the update), so a tick waiting for another never waits under it. next_run_at is compared
 * to the millisecond, the caller's precision (a value set by hand may have microseconds). Returns
 * the task, or null when another process made it, or the schedule was paused, deleted or changed.
 */
export async function tickSchedule(db: Database, tick: Tick): Promise<Task | null> {
  const due = tick.due.toISOString();
  const rows = await db.query(
    eventStatement({
      inputs: [
        {
          name: 'ticked',
          body: sql`UPDATE schedules SET next_run_at = ${tick.next.toISOString()}::timestamptz, last_run_at = next_run_at,
              last_task_id = nextval(pg_get_serial_sequence('tasks', 'id'))
            WHERE name = ${tick.name} AND date_trunc('milliseconds', next_run_at) = ${due}::timestamptz AND cron = ${tick.cron} AND timezone = ${tick.timezone} AND NOT paused
            RETURNING name, kind, input, queue, priority, max_attempts, timeout_seconds, last_task_id`,
        },
        {
          // As insertTasks does: only a queue not there yet, read by the insert so it is written
          // before the event lock is taken.
          name: 'queue_rows',
          body: sql`INSERT INTO queues (name) SELECT queue FROM ticked
            WHERE NOT EXISTS (SELECT 1 FROM queues q WHERE q.name = ticked.queue) ON CONFLICT DO NOTHING RETURNING name`,
        },
      ],
      // Pending and due now; the claim's gate applies the queue's rules (a paused queue holds it).
      changed: sql`
        INSERT INTO tasks (id, kind, input, priority, max_attempts, timeout_seconds, queue)
        OVERRIDING SYSTEM VALUE SELECT last_task_id, kind, input, priority, max_attempts, timeout_seconds, queue
        FROM ticked WHERE (SELECT count(*) FROM queue_rows) >= 0
        RETURNING *`,
      events: {
        wake: true,
        taskId: sql`id`,
        type: sql`'created'`,
        status: sql`status`,
        data: sql`jsonb_build_object('scheduled', ${tick.name}::text, 'tick', ${due}::text)`,
      },
      select: columns.list,
    }),
  );
  return rows.length ? columns.decode(rows[0]) : null;
}

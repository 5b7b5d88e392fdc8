import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { eventStatement } from '../statement.js';

export interface LogLimits {
  /** Lines per task, the notice of the cap not included. */
  maxLines: number;
  /** Bytes of message text per task. */
  maxBytes: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = { maxLines: 1000, maxBytes: 1_048_576 };

const capNotice = (logs: LogLimits) =>
  `Log limit reached (${logs.maxLines} lines or ${logs.maxBytes} bytes per task); later lines are dropped`;

/**
 * A log line of an attempt this worker holds, as an event; false when it no longer holds it.
 * Lines and bytes per task are capped: the line that would pass the cap is replaced by one
 * that says so, and later lines are dropped. The row lock orders concurrent lines of a task.
 */
export async function appendLog(
  db: Database,
  logs: LogLimits,
  line: { workerId: string; id: string; attempt: number | null; level: string; message: string },
): Promise<boolean> {
  const { workerId, id, attempt, level, message } = line;
  const bytes = Buffer.byteLength(message);
  const rows = await db.query<{ held: number }>(
    eventStatement({
      inputs: [
        {
          name: 'current',
          body: sql`SELECT id, status, log_lines, log_bytes FROM tasks
            WHERE id = ${id}::bigint AND status = 'running' AND worker_id = ${workerId}
              AND (${attempt}::int IS NULL OR attempts = ${attempt}::int)
            FOR UPDATE`,
        },
        {
          name: 'decided',
          body: sql`SELECT id, CASE WHEN log_lines > ${logs.maxLines}::int THEN 'drop'
              WHEN log_lines >= ${logs.maxLines}::int OR log_bytes + ${bytes}::int > ${logs.maxBytes}::int THEN 'cap'
              ELSE 'write' END AS action
            FROM current`,
        },
      ],
      changed: sql`
        UPDATE tasks t SET
          log_lines = CASE WHEN d.action = 'write' THEN t.log_lines + 1 ELSE ${logs.maxLines + 1}::int END,
          log_bytes = t.log_bytes + CASE WHEN d.action = 'write' THEN ${bytes}::int ELSE 0 END
        FROM decided d WHERE t.id = d.id AND d.action <> 'drop'
        RETURNING t.id, t.status, d.action`,
      events: {
        wake: false,
        taskId: sql`id`,
        type: sql`'log'`,
        status: sql`status`,
        data: sql`CASE WHEN action = 'write'
          THEN jsonb_build_object('level', ${level}::text, 'message', ${message}::text)
          ELSE jsonb_build_object('level', 'warn', 'message', ${capNotice(logs)}::text) END`,
      },
      select: sql`count(*)::int AS held`,
      selectFrom: sql`current`,
    }),
  );
  return rows[0].held > 0;
}

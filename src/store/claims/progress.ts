import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { eventStatement } from '../statement.js';

/**
 * Records progress of an attempt this worker holds; false when it no longer holds it. attempt
 * null: whichever attempt the worker holds (external workers do not name it).
 */
export async function progress(db: Database, workerId: string, id: string, attempt: number | null, fraction: number, message: string | null): Promise<boolean> {
  const rows = await db.query(
    eventStatement({
      changed: sql`
        UPDATE tasks SET progress = ${fraction}, progress_message = ${message}, updated_at = now()
        WHERE id = ${id}::bigint AND status = 'running' AND worker_id = ${workerId}
          AND (${attempt}::int IS NULL OR attempts = ${attempt}::int)
        RETURNING id, status`,
      events: {
        wake: false,
        taskId: sql`id`,
        type: sql`'progress'`,
        status: sql`status`,
        data: sql`jsonb_build_object('progress', ${fraction}::float8, 'message', ${message}::text)`,
      },
      select: sql`id`,
    }),
  );
  return rows.length > 0;
}

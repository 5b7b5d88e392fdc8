import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { notifyChanged } from './changed-worker.js';

/** An external worker's counters, with the attempts it just finished added (if any), and its running count now. */
export async function refreshCounts(db: Database, id: string, processed = 0, succeeded = 0): Promise<void> {
  await db.query(
    notifyChanged(sql`w AS (
      UPDATE workers w SET processed = processed + ${processed}, succeeded = succeeded + ${succeeded},
        failed = failed + ${processed - succeeded}, last_heartbeat_at = now(),
        running = (SELECT count(*) FROM tasks WHERE status = 'running' AND worker_id = ${id})
      WHERE id = ${id} RETURNING w.id)`),
  );
}

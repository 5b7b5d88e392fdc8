import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { workerColumns, type Worker } from '../rows.js';
import { changedWorkers } from './changed-worker.js';

/**
 * An external worker that calls in (a claim) is alive: its heartbeat time and running count are
 * refreshed, and a worker marked offline becomes active again. Its row as it is then, whose
 * state and concurrency decide what it may claim; null when there is no such external worker.
 */
export async function reactivateWithRunningCount(db: Database, id: string): Promise<Worker | null> {
  const rows = await db.query(
    changedWorkers(sql`w AS (
      UPDATE workers w SET running = (SELECT count(*) FROM tasks WHERE status = 'running' AND worker_id = ${id}),
        last_heartbeat_at = now(),
        state = CASE WHEN w.state = 'offline' THEN 'active'::worker_state ELSE w.state END
      WHERE id = ${id} AND kind = 'external' RETURNING w.*)`),
  );
  return rows.length ? workerColumns.decode(rows[0]) : null;
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { workerColumns, type Worker } from '../rows.js';
import { changedWorkers } from './changed-worker.js';

/**
 * An external worker's heartbeat: renews its tasks' leases, refreshes its running count, makes it
 * active again if it had been marked offline, and hands over (once) the ids of its tasks that were
 * cancelled since the last beat. Null when there is no such external worker.
 */
export async function beatExternal(db: Database, id: string): Promise<{ worker: Worker; cancelled: string[] } | null> {
  // Task rows first, then the worker row, the order cancelTask takes them in (the cancelled
  // task, then its worker's cancel notices): the other order deadlocked a beat against a cancel.
  const rows = await db.query(
    changedWorkers(
      sql`renewed AS (
        UPDATE tasks t SET lease_expires_at = now() + make_interval(secs => w.lease_seconds)
        FROM workers w WHERE w.id = ${id} AND t.status = 'running' AND t.worker_id = ${id}
        RETURNING t.id
      ), before AS MATERIALIZED (
        SELECT id, cancelled_task_ids FROM workers
        WHERE id = ${id} AND kind = 'external' AND (SELECT count(*) FROM renewed) >= 0
        FOR UPDATE
      ), w AS (
        UPDATE workers w SET last_heartbeat_at = now(), cancelled_task_ids = '{}',
          running = (SELECT count(*) FROM renewed),
          state = CASE WHEN w.state = 'offline' THEN 'active'::worker_state ELSE w.state END
        FROM before WHERE w.id = before.id
        RETURNING w.*
      )`,
      sql`, (SELECT to_jsonb(cancelled_task_ids::text[]) FROM before) AS cancelled`,
    ),
  );
  if (rows.length === 0) return null;
  return { worker: workerColumns.decode(rows[0]), cancelled: rows[0].cancelled as string[] };
}

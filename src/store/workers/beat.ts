import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { workerColumns, type NewWorker, type Worker } from '../rows.js';
import { idArray, IS_RUNNING, textArray } from '../statement.js';
import { changedWorkers } from './changed-worker.js';

/** What an embedded executor reports at each heartbeat. */
export interface WorkerReport {
  running: number;
  /** The ids of the tasks it holds: their leases are renewed. */
  held: string[];
  processed: number;
  succeeded: number;
  failed: number;
}

/**
 * An embedded executor's heartbeat, one statement: reports its counters, renews the leases of
 * the tasks it holds, and returns its row, whose concurrency and state are the commands it
 * follows. The row is created if missing (first beat, or forgotten after a long outage), and a
 * worker that was marked offline while it could not reach the database becomes active again.
 */
export async function beat(db: Database, worker: NewWorker, report: WorkerReport): Promise<Worker> {
  const rows = await db.query(
    changedWorkers(sql`w AS (
      INSERT INTO workers AS w (id, name, kind, host, pid, kinds, concurrency, lease_seconds,
        running, processed, succeeded, failed)
      VALUES (${worker.id}, ${worker.name}, ${worker.kind}, ${worker.host}, ${worker.pid},
        ${textArray(worker.kinds)}, ${worker.concurrency}, ${worker.leaseSeconds},
        ${report.running}, ${report.processed}, ${report.succeeded}, ${report.failed})
      ON CONFLICT (id) DO UPDATE SET running = excluded.running, processed = excluded.processed,
        succeeded = excluded.succeeded, failed = excluded.failed, kinds = excluded.kinds,
        last_heartbeat_at = now(),
        state = CASE WHEN w.state = 'offline' THEN 'active'::worker_state ELSE w.state END
      RETURNING *
    ), renewed AS (
      UPDATE tasks SET lease_expires_at = now() + make_interval(secs => ${worker.leaseSeconds})
      WHERE id = ANY(${idArray(report.held)}) AND ${IS_RUNNING} AND worker_id = ${worker.id}
    )`),
  );
  return workerColumns.decode(rows[0]);
}

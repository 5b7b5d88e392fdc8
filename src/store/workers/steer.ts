import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { workerColumns, type Worker } from '../rows.js';
import { changedWorkers } from './changed-worker.js';
import { getWorker } from './get-workers.js';

/**
 * A command: new concurrency and/or state, unless the worker is stopping or offline (then the
 * row is returned unchanged, and the caller says why). Null when no such worker exists.
 */
export async function steer(db: Database, id: string, change: { concurrency?: number; state?: 'active' | 'paused' }): Promise<Worker | null> {
  const rows = await db.query(
    changedWorkers(sql`w AS (
      UPDATE workers w SET updated_at = now(),
        concurrency = coalesce(${change.concurrency ?? null}::int, w.concurrency),
        state = coalesce(${change.state ?? null}::worker_state, w.state)
      WHERE id = ${id} AND state IN ('active', 'paused')
      RETURNING w.*)`),
  );
  if (rows.length) return workerColumns.decode(rows[0]);
  return getWorker(db, id);
}

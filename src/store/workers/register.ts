import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { workerColumns, type NewWorker, type Worker } from '../rows.js';
import { textArray } from '../statement.js';
import { changedWorkers } from './changed-worker.js';

/** An external worker's row, made when it registers. */
export async function register(db: Database, worker: NewWorker): Promise<Worker> {
  const rows = await db.query(
    changedWorkers(sql`w AS (
      INSERT INTO workers (id, name, kind, host, pid, kinds, concurrency, lease_seconds)
      VALUES (${worker.id}, ${worker.name}, ${worker.kind}, ${worker.host}, ${worker.pid},
        ${textArray(worker.kinds)}, ${worker.concurrency}, ${worker.leaseSeconds})
      RETURNING *)`),
  );
  return workerColumns.decode(rows[0]);
}

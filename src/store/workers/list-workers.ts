import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { workerColumns, type Worker, type WorkerState } from '../rows.js';

/** Every worker (of these states), embedded ones first, then by start time. */
export async function listWorkers(db: Database, states?: readonly WorkerState[]): Promise<Worker[]> {
  const rows = await db.query(sql`
    SELECT ${workerColumns.list} FROM workers w
    ${states?.length ? sql`WHERE state IN ${states.map((s) => sql`${s}::worker_state`)}` : sql``}
    ORDER BY w.kind, w.started_at, w.id`);
  return rows.map(workerColumns.decode);
}

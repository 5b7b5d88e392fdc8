import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { workerColumns, type Worker } from '../rows.js';

/** Several workers in one read (a burst of notifications). */
export async function getWorkers(db: Database, ids: readonly string[]): Promise<Worker[]> {
  if (ids.length === 0) return [];
  const rows = await db.query(sql`SELECT ${workerColumns.list} FROM workers w WHERE id IN ${ids}`);
  return rows.map(workerColumns.decode);
}

export async function getWorker(db: Database, id: string): Promise<Worker | null> {
  return (await getWorkers(db, [id]))[0] ?? null;
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { taskColumns, type Task } from '../rows.js';
import { idArray } from '../statement.js';

const columns = taskColumns('tasks');

/** One statement for many ids, so a burst of events or a page of edges costs one read. */
export async function getTasks(db: Database, ids: readonly string[]): Promise<Map<string, Task>> {
  const found = new Map<string, Task>();
  if (ids.length === 0) return found;
  const rows = await db.query(sql`SELECT ${columns.list} FROM tasks WHERE id = ANY(${idArray(ids)})`);
  for (const task of rows.map(columns.decode)) found.set(task.id, task);
  return found;
}

export async function getTask(db: Database, id: string): Promise<Task | null> {
  return (await getTasks(db, [id])).get(id) ?? null;
}

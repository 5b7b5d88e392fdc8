import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { taskColumns, type Task } from '../rows.js';

const columns = taskColumns('tasks');

/** The tasks that hold these idempotency keys (a repeated key answers with the stored task). */
export async function tasksByKeys(db: Database, keys: readonly string[]): Promise<Task[]> {
  if (keys.length === 0) return [];
  const rows = await db.query(sql`SELECT ${columns.list} FROM tasks WHERE idempotency_key IN ${keys}`);
  return rows.map(columns.decode);
}

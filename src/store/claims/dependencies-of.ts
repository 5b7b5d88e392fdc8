import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { selection } from '../columns.js';
import { tasks } from '../../db/schema.js';
import { idArray } from '../statement.js';

const columns = selection(tasks, 't', ['id', 'kind', 'status', 'result'], ['id']);

export type Dependency = ReturnType<typeof columns.decode>;

/** What a handler sees of the tasks its task depends on (ctx.dependencies), by id. */
export async function dependenciesOf(db: Database, ids: readonly string[]): Promise<Map<string, Dependency>> {
  const found = new Map<string, Dependency>();
  if (ids.length === 0) return found;
  for (const row of (await db.query(sql`SELECT ${columns.list} FROM tasks t WHERE t.id = ANY(${idArray(ids)})`)).map(columns.decode)) found.set(row.id, row);
  return found;
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { idArray } from '../statement.js';
import { decodeFlow, flowList, type Flow } from './rows.js';

/** Flows by id, with their counts, in one read. */
export async function getFlows(db: Database, ids: readonly string[]): Promise<Map<string, Flow>> {
  const found = new Map<string, Flow>();
  if (ids.length === 0) return found;
  for (const raw of await db.query<Record<string, unknown>>(sql`SELECT ${flowList} FROM flows f WHERE f.id = ANY(${idArray(ids)})`)) {
    const flow = decodeFlow(raw);
    found.set(flow.id, flow);
  }
  return found;
}

export async function getFlow(db: Database, id: string): Promise<Flow | null> {
  return (await getFlows(db, [id])).get(id) ?? null;
}

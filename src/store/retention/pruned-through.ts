import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

/** Events at or below this id may have been pruned: a cursor before it is expired. */
export async function prunedThrough(db: Database): Promise<number> {
  const rows = await db.query<{ id: string }>(sql`SELECT pruned_through::text AS id FROM event_log_state WHERE id = 1`);
  return Number(rows[0]?.id ?? 0);
}

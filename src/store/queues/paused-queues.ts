import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

/** The names of the paused queues: their pending tasks wait for QUEUE_PAUSED, held or not yet. */
export async function pausedQueues(db: Database): Promise<Set<string>> {
  const rows = await db.query<{ name: string }>(sql`SELECT name FROM queues WHERE paused`);
  return new Set(rows.map((r) => r.name));
}

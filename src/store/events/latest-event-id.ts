import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

export async function latestEventId(db: Database): Promise<number> {
  const rows = await db.query<{ id: string | null }>(sql`SELECT max(id)::text AS id FROM task_events`);
  return Number(rows[0].id ?? 0);
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

/** Pending and running counts, each read from its partial index: cheap at any history size. */
export async function queueDepth(db: Database): Promise<{ pending: number; running: number }> {
  const rows = await db.query<{ pending: number; running: number }>(sql`
    SELECT (SELECT count(*) FROM tasks WHERE status = 'pending')::int AS pending,
           (SELECT count(*) FROM tasks WHERE status = 'running')::int AS running`);
  return rows[0];
}

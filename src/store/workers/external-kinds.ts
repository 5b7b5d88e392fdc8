import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

/** The kinds registered by external workers: createTask accepts them. */
export async function externalKinds(db: Database): Promise<string[]> {
  const rows = await db.query<{ kind: string }>(sql`SELECT DISTINCT unnest(kinds) AS kind FROM workers WHERE kind = 'external' ORDER BY 1`);
  return rows.map((r) => r.kind);
}

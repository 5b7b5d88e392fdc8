import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { notifyChanged } from './changed-worker.js';

/** Stopping or offline: set by an embedded executor at shutdown. */
export async function setState(db: Database, id: string, state: 'stopping' | 'offline'): Promise<void> {
  await db.query(
    notifyChanged(sql`w AS (
      UPDATE workers w SET state = ${state}, updated_at = now(),
        running = CASE WHEN ${state} = 'offline' THEN 0 ELSE running END
      WHERE id = ${id} RETURNING w.id)`),
  );
}

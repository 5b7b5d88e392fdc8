import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { WORKERS_CHANNEL } from '../notices.js';

/** Offline workers are forgotten after this long; a kind only they served is then refused. */
const FORGET_OFFLINE = '1 day';

/**
 * Workers silent for longer than their lease go offline, and the leases of the tasks they held
 * end now, so the expiry sweep requeues those tasks at once. Long-offline workers are forgotten.
 */
export async function markSilentOffline(db: Database): Promise<string[]> {
  const rows = await db.query<{ id: string }>(sql`
    WITH w AS (
      UPDATE workers w SET state = 'offline', running = 0, updated_at = now()
      WHERE state <> 'offline' AND last_heartbeat_at < now() - make_interval(secs => lease_seconds)
      RETURNING w.id
    ), expired AS (
      UPDATE tasks SET lease_expires_at = now()
      WHERE status = 'running' AND lease_expires_at IS NOT NULL AND worker_id IN (SELECT id FROM w)
    ), forgotten AS (
      DELETE FROM workers WHERE state = 'offline' AND last_heartbeat_at < now() - interval '${sql.raw(FORGET_OFFLINE)}'
    )
    SELECT w.id, pg_notify(${WORKERS_CHANNEL}, w.id) FROM w`);
  return rows.map((r) => r.id);
}

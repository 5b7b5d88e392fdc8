import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { eventStatement, idArray, IS_RUNNING } from '../statement.js';

/** Why claimed tasks were handed back (a `requeued` event's `reason`; a lapsed lease is `lease_expired`). */
export type ReleaseReason = 'shutdown' | 'paused' | 'scaled_to_zero';

/**
 * Claimed attempts that will not run here go back to pending without counting as an attempt:
 * at shutdown, or claimed ahead (prefetch) by a worker since paused or scaled to zero. The
 * `requeued` event says which.
 */
export async function release(
  db: Database,
  workerId: string,
  attempts: ReadonlyArray<{ id: string; attempt: number }>,
  reason: ReleaseReason = 'shutdown',
): Promise<string[]> {
  if (attempts.length === 0) return [];
  const attemptById = Object.fromEntries(attempts.map((a) => [a.id, a.attempt]));
  const rows = await db.query<{ id: string }>(
    eventStatement({
      inputs: [{ name: 'input', materialized: true, body: sql`SELECT ${JSON.stringify(attemptById)}::jsonb AS by_id` }],
      changed: sql`
        UPDATE tasks t SET status = 'pending', attempts = t.attempts - 1, worker_id = NULL,
          lease_expires_at = NULL, run_at = now(), updated_at = now()
        WHERE t.id = ANY(${idArray(attempts.map((a) => a.id))}) AND ${IS_RUNNING}
          AND t.worker_id = ${workerId} AND t.attempts = ((SELECT by_id FROM input) ->> t.id::text)::int
        RETURNING t.id, t.status`,
      events: {
        wake: true,
        taskId: sql`id`,
        type: sql`'requeued'`,
        status: sql`status`,
        data: sql`jsonb_build_object('reason', ${reason}::text)`,
        orderBy: sql`id`,
      },
      select: sql`id`,
    }),
  );
  return rows.map((r) => String(r.id));
}

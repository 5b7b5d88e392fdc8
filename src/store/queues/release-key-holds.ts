import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { eventStatement } from '../statement.js';

/**
 * Releases tasks held by their concurrency key where the key has a free slot: its running tasks fewer
 * than the queue's keyConcurrency. A finishing task releases the next of its key itself (see
 * finish.ts); this is for slots freed otherwise: keyConcurrency raised, or a release that lost a
 * race with a claim. Up to `keys` keys per call (of one queue, if named), head first; the claim's
 * gate decides again whether each may start. Returns how many were released.
 */
export async function releaseKeyHolds(db: Database, keys: number, queue?: string): Promise<number> {
  const rows = await db.query(
    eventStatement({
      inputs: [
        {
          name: 'held_keys',
          body: sql`SELECT DISTINCT queue, concurrency_key FROM tasks
            WHERE status = 'pending' AND waiting_for = 'KEY_CONCURRENCY' ${queue === undefined ? sql`` : sql`AND queue = ${queue}`}
            LIMIT ${keys}`,
        },
        {
          name: 'free_slots',
          // The key's limit, less what runs and what is claimable already (released, not yet claimed).
          body: sql`SELECT k.queue, k.concurrency_key, coalesce(q.key_concurrency, 1) - (
              SELECT count(*) FROM tasks r WHERE r.status = 'running' AND r.concurrency_key IS NOT NULL AND r.queue = k.queue AND r.concurrency_key = k.concurrency_key) - (
              SELECT count(*) FROM (
                SELECT 1 FROM tasks p WHERE p.status = 'pending' AND p.concurrency_key IS NOT NULL AND p.queue = k.queue
                  AND p.concurrency_key = k.concurrency_key AND p.waiting_for IS NULL
                LIMIT coalesce(q.key_concurrency, 1)) AS claimable) AS n
            FROM held_keys k JOIN queues q ON q.name = k.queue`,
        },
      ],
      changed: sql`
        UPDATE tasks t SET waiting_for = NULL, updated_at = now()
        FROM free_slots AS free, LATERAL (
          SELECT held.id FROM tasks held
          WHERE held.status = 'pending' AND held.concurrency_key IS NOT NULL AND held.waiting_for = 'KEY_CONCURRENCY'
            AND held.queue = free.queue AND held.concurrency_key = free.concurrency_key AND held.run_at <= now()
          ORDER BY held.priority DESC NULLS LAST, held.run_at, held.id LIMIT greatest(free.n, 0)
          FOR UPDATE SKIP LOCKED) h
        WHERE t.id = h.id
        RETURNING t.id, t.status`,
      events: { wake: true, taskId: sql`id`, type: sql`'released'`, status: sql`status`, orderBy: sql`id` },
      select: sql`id`,
    }),
  );
  return rows.length;
}

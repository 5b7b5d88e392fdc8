import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { QUEUES_CHANNEL } from '../notices.js';

/** A change of a queue's rules: a field left out stays as it is; null clears a limit. */
export interface QueueChange {
  paused?: boolean;
  concurrency?: number | null;
  keyConcurrency?: number | null;
  rateLimit?: { limit: number; periodSeconds: number } | null;
}

/**
 * Sets a queue's rules, making the queue if it does not exist yet. The claim statement reads them
 * under the queue's row lock, so they hold from the moment this commits, in every process. The
 * queue's name goes out on QUEUES_CHANNEL (queueUpdated). The tasks that new slots release are
 * released by statements that follow (queues/rules.ts), which see every hold made before this.
 */
export async function changeQueue(db: Database, name: string, change: QueueChange): Promise<void> {
  const values: Array<[string, SQL]> = [];
  if (change.paused !== undefined) values.push(['paused', sql`${change.paused}::boolean`]);
  if (change.concurrency !== undefined) values.push(['concurrency', sql`${change.concurrency}::int`]);
  if (change.keyConcurrency !== undefined) values.push(['key_concurrency', sql`${change.keyConcurrency}::int`]);
  if (change.rateLimit !== undefined) {
    values.push(['rate_limit', sql`${change.rateLimit?.limit ?? null}::int`], ['rate_period_seconds', sql`${change.rateLimit?.periodSeconds ?? null}::int`]);
  }
  const names = sql.raw(['name', ...values.map(([column]) => column)].join(', '));
  const updates = sql.raw(['updated_at = now()', ...values.map(([column]) => `${column} = excluded.${column}`)].join(', '));
  await db.query(sql`
    WITH q AS (
      INSERT INTO queues AS q (${names}) VALUES (${sql.join([sql`${name}`, ...values.map(([, value]) => value)], sql`, `)})
      ON CONFLICT (name) DO UPDATE SET ${updates}
      RETURNING q.name
    )
    SELECT pg_notify(${QUEUES_CHANNEL}, q.name) FROM q`);
}

import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { queues } from '../../db/schema.js';
import { selection, type Decoded } from '../columns.js';
import { heldByQueue, textArray } from '../statement.js';

const columns = selection(queues, 'q', ['name', 'paused', 'concurrency', 'keyConcurrency', 'rateLimit', 'ratePeriodSeconds', 'updatedAt']);

/** A queue's rules and how many of its tasks are pending (held ones among them), running and held. */
export type Queue = Decoded<typeof queues, 'name' | 'paused' | 'concurrency' | 'keyConcurrency' | 'rateLimit' | 'ratePeriodSeconds' | 'updatedAt'> & {
  pending: number;
  running: number;
  held: number;
};

/**
 * Queues (the named ones, or all) by name. Counts come from task_counts, kept by triggers, and
 * held tasks from their two partial indexes, so reading them costs little at any history size.
 */
export async function listQueues(db: Database, names?: readonly string[]): Promise<Queue[]> {
  const rows = await db.query<Record<string, unknown>>(sql`
    SELECT ${columns.list},
      coalesce((SELECT sum(n) FROM task_counts c WHERE c.queue = q.name AND c.status = 'pending'), 0)::float8 AS pending,
      coalesce((SELECT sum(n) FROM task_counts c WHERE c.queue = q.name AND c.status = 'running'), 0)::float8 AS running,
      ((SELECT count(*) FROM tasks t WHERE t.queue = q.name AND ${sql.raw(heldByQueue('t'))})
        + (SELECT count(*) FROM tasks t WHERE t.queue = q.name AND t.status = 'pending' AND t.waiting_for = 'KEY_CONCURRENCY'))::float8 AS held
    FROM queues q ${names ? sql`WHERE q.name = ANY(${textArray(names)})` : sql``}
    ORDER BY q.name`);
  return rows.map((row) => ({ ...columns.decode(row), pending: Number(row.pending), running: Number(row.running), held: Number(row.held) }));
}

// A flow as its statements return it: its row, and its tasks counted by status (flow_counts).
import { sql } from 'drizzle-orm';
import { flows } from '../../db/schema.js';
import { selection, type Decoded } from '../columns.js';
import type { TaskStatus } from '../rows.js';

export type Flow = Decoded<typeof flows, 'id' | 'name' | 'status' | 'createdAt' | 'finishedAt', 'id'> & {
  counts: Record<TaskStatus, number>;
};

const row = selection(flows, 'f', ['id', 'name', 'status', 'createdAt', 'finishedAt'], ['id']);

/** The select list over `flows f`, with the counts. */
export const flowList = sql`${row.list}, (SELECT jsonb_object_agg(c.status, c.n) FROM flow_counts c WHERE c.flow_id = f.id) AS counts`;

const NONE: Record<TaskStatus, number> = { waiting: 0, pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, timed_out: 0 };

export function decodeFlow(raw: Record<string, unknown>): Flow {
  const counts = { ...NONE, ...((raw.counts as Partial<Record<TaskStatus, number>> | null) ?? {}) };
  return { ...row.decode(raw), counts };
}

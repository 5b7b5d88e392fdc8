import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { TaskStatus } from '../rows.js';

export interface FlowSnapshot {
  /** Every task of the flow, with its status as of `mark`. */
  statuses: Map<string, TaskStatus>;
  /** The latest event id committed: the statuses reflect every event up to it and none after. */
  mark: number;
  /** The flow's own latest event at or below mark (0: none, or not asked for). */
  lastEvent: number;
}

/**
 * What a flow's event stream starts from, in one statement, so one snapshot: event ids are drawn
 * in commit order (statement.ts), so the highest one visible is a line below which every event is
 * reflected in the statuses read, and above which none is. The flow's last event, a look into each
 * of its tasks' events, is read only when asked for (a stream resumed from a cursor). Null when
 * the flow does not exist.
 */
export async function flowSnapshot(db: Database, flowId: string, withLastEvent = false): Promise<FlowSnapshot | null> {
  const [row] = await db.query<{ exists: boolean; mark: number; last_event: number; statuses: Record<string, TaskStatus> | null }>(sql`
    SELECT EXISTS (SELECT 1 FROM flows WHERE id = ${flowId}::bigint) AS exists,
      (SELECT coalesce(max(id), 0) FROM task_events)::float8 AS mark,
      CASE WHEN ${withLastEvent}::boolean THEN (SELECT coalesce(max(m.id), 0) FROM tasks t,
         LATERAL (SELECT max(e.id) AS id FROM task_events e WHERE e.task_id = t.id) m
       WHERE t.flow_id = ${flowId}::bigint) ELSE 0 END::float8 AS last_event,
      (SELECT jsonb_object_agg(id::text, status) FROM tasks WHERE flow_id = ${flowId}::bigint) AS statuses`);
  if (!row.exists) return null;
  return { statuses: new Map(Object.entries(row.statuses ?? {})), mark: Number(row.mark), lastEvent: Number(row.last_event) };
}

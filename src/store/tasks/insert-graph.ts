// Creating tasks that depend on others (createTask with dependsOn) and whole flows (createFlow):
// one INSERT for the tasks, their edges and the flow, with their events, all or none.
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { DependenciesNotFound } from '../errors.js';
import { taskColumns, type Task } from '../rows.js';
import { eventStatement, idArray } from '../statement.js';
import type { NewTask } from './insert-tasks.js';

/** A task of a graph: keys are not taken here (intake refuses them with dependencies). */
export interface GraphTask extends Omit<NewTask, 'idempotencyKey' | 'uniqueKey' | 'uniqueSeconds'> {
  /** Ids of existing tasks it runs after. */
  dependsOn: readonly string[];
  /** Positions, in the same insert, of the tasks it runs after. */
  after: readonly number[];
  /** Run once every dependency has ended, whatever its outcome, instead of being cancelled by one that did not complete. */
  runIfDependenciesFail: boolean;
}

const columns = taskColumns('changed');
const ENDED_BADLY = `('failed', 'cancelled', 'timed_out')`;

/** The tasks cancelled at once, each with the dependency that did not complete, and its status. */
const DOOMED = sql.raw(`WITH RECURSIVE d (ord, culprit) AS (
    SELECT e.ord, e.parent FROM edges e JOIN input i USING (ord) WHERE e.status IN ${ENDED_BADLY} AND NOT i.anyway
    UNION
    SELECT e.ord, e.parent FROM edges e JOIN d ON e.parent_ord = d.ord JOIN input i ON i.ord = e.ord WHERE NOT i.anyway)
  SELECT g.ord, g.culprit, (SELECT upper(e.status) FROM edges e WHERE e.parent = g.culprit AND e.status IS NOT NULL LIMIT 1) AS culprit_status
  FROM (SELECT ord, min(culprit) AS culprit FROM d GROUP BY ord) g`);

/** Per task: its dependencies, and how many are still to settle. */
const WAITS = sql.raw(`SELECT i.ord, array_agg(e.parent ORDER BY e.parent) AS depends_on,
    count(*) FILTER (WHERE e.status IS DISTINCT FROM 'completed' AND NOT (i.anyway AND (
      coalesce(e.status IN ${ENDED_BADLY}, false) OR coalesce(e.parent_ord IN (SELECT ord FROM doomed), false)))) AS n
  FROM input i JOIN edges e USING (ord) GROUP BY i.ord, i.anyway`);

/** Every task in input order, waiting, pending or cancelled at once, in its flow. */
const INSERT = sql.raw(`INSERT INTO tasks (id, kind, input, priority, run_at, max_attempts, timeout_seconds, queue, concurrency_key,
    status, depends_on, dependencies_left, run_if_dependencies_fail, has_dependents, flow_id, error, finished_at, trace_parent)
  OVERRIDING SYSTEM VALUE
  SELECT d.id, i.kind, i.input, i.priority, coalesce(i.run_at, now()), i.max_attempts, i.timeout_seconds, i.queue, i.concurrency_key,
    CASE WHEN x.ord IS NOT NULL THEN 'cancelled' WHEN w.n > 0 THEN 'waiting' ELSE 'pending' END::task_status,
    w.depends_on, coalesce(w.n, 0), i.anyway, EXISTS (SELECT 1 FROM edges e WHERE e.parent_ord = i.ord), (SELECT id FROM flow),
    CASE WHEN x.ord IS NOT NULL THEN jsonb_build_object('code', 'DEPENDENCY_FAILED',
      'message', format('dependency %s ended %s', x.culprit, coalesce(x.culprit_status, 'CANCELLED')), 'dependencyId', x.culprit::text) END,
    CASE WHEN x.ord IS NOT NULL THEN now() END, i.trace_parent
  FROM input i JOIN drawn d USING (ord) LEFT JOIN waits w USING (ord) LEFT JOIN doomed x USING (ord)
  ORDER BY i.ord
  RETURNING *`);

/**
 * Existing dependencies are marked has_dependents (which locks them, in id order) before the
 * tasks are inserted: an outcome of one that commits first is read here as it now is, and one
 * that waited for this statement's commit finds these tasks (task_settle_dependents reads a fresh
 * snapshot). A task whose dependencies have all completed is pending at once; one with a
 * dependency already failed, cancelled or timed out is cancelled at once with DEPENDENCY_FAILED
 * naming it (unless it runs anyway), and so are its dependents in the graph, as if it had ended
 * after. Refused whole (DependenciesNotFound) when a dependency does not exist.
 */
export async function insertGraph(db: Database, tasks: readonly GraphTask[], flow?: { name: string | null }): Promise<Task[]> {
  const parents = [...new Set(tasks.flatMap((t) => t.dependsOn))];
  const rows = tasks.map((t, ord) => ({
    ord, kind: t.kind, input: t.input, priority: t.priority, run_at: t.runAt?.toISOString() ?? null, max_attempts: t.maxAttempts,
    timeout_seconds: t.timeoutSeconds, queue: t.queue, concurrency_key: t.concurrencyKey, anyway: t.runIfDependenciesFail,
    parents: t.dependsOn, after: t.after, trace_parent: t.traceParent ?? undefined,
  }));
  const inserted = await db.query(
    eventStatement({
      inputs: [
        {
          name: 'input',
          body: sql`SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(
            ord int, kind text, input jsonb, priority int, run_at timestamptz, max_attempts int, timeout_seconds int,
            queue text, concurrency_key text, anyway boolean, parents bigint[], after int[], trace_parent text)`,
        },
        {
          name: 'parents',
          materialized: true,
          body: sql`UPDATE tasks p SET has_dependents = true
            FROM (SELECT id FROM tasks WHERE id = ANY(${idArray(parents)}) ORDER BY id FOR UPDATE) l
            WHERE p.id = l.id RETURNING p.id, p.status::text AS status`,
        },
        // Nothing is written unless every dependency exists.
        { name: 'complete', materialized: true, body: sql`SELECT 1 WHERE (SELECT count(*) FROM parents) = ${parents.length}` },
        {
          name: 'queue_rows',
          body: sql`INSERT INTO queues (name) SELECT DISTINCT queue FROM input, complete
            WHERE NOT EXISTS (SELECT 1 FROM queues q WHERE q.name = input.queue) ON CONFLICT DO NOTHING RETURNING name`,
        },
        { name: 'flow', materialized: true, body: sql`INSERT INTO flows (name) SELECT ${flow?.name ?? null}::text FROM complete WHERE ${!!flow} RETURNING id` },
        { name: 'drawn', materialized: true, body: sql`SELECT ord, nextval(pg_get_serial_sequence('tasks', 'id')) AS id FROM input, complete ORDER BY ord` },
        {
          // (task, dependency): an existing one with its status, or one of the graph by position.
          name: 'edges',
          materialized: true,
          body: sql`SELECT i.ord, p.id AS parent, NULL::int AS parent_ord, p.status FROM input i, unnest(i.parents) AS u (id) JOIN parents p USING (id)
            UNION ALL
            SELECT i.ord, d.id, a.ord, NULL FROM input i, unnest(i.after) AS a (ord) JOIN drawn d ON d.ord = a.ord`,
        },
        {
          name: 'doomed',
          materialized: true,
          body: DOOMED,
        },
        {
          name: 'waits',
          materialized: true,
          body: WAITS,
        },
      ],
      changed: INSERT,
      effects: [
        { name: 'edges_written', body: sql`INSERT INTO task_dependencies (depends_on, task_id) SELECT DISTINCT e.parent, d.id FROM edges e JOIN drawn d USING (ord)` },
      ],
      events: {
        wake: sql`CASE WHEN EXISTS (SELECT 1 FROM changed WHERE status = 'pending') THEN 'n' ELSE '' END`,
        // A task cancelled at once was created waiting, then cancelled.
        from: sql`changed, LATERAL (
          SELECT 'created' AS type, CASE WHEN changed.status = 'cancelled' THEN 'waiting' ELSE changed.status END AS status, NULL::jsonb AS data
          UNION ALL
          SELECT 'cancelled', changed.status, jsonb_build_object('error', changed.error) WHERE changed.status = 'cancelled') AS e`,
        taskId: sql`id`,
        type: sql`e.type`,
        status: sql`e.status`,
        data: sql`e.data`,
        orderBy: sql`id, e.type = 'cancelled'`,
      },
      dueLater: tasks.some((t) => t.runAt !== null) ? sql`SELECT run_at, kind FROM changed WHERE status = 'pending'` : undefined,
      select: columns.list,
      orderBy: sql`changed.id`,
    }),
  );
  if (inserted.length === 0 && tasks.length > 0) {
    const found = new Set((await db.query<{ id: string }>(sql`SELECT id::text AS id FROM tasks WHERE id = ANY(${idArray(parents)})`)).map((r) => r.id));
    throw new DependenciesNotFound(parents.filter((id) => !found.has(id)));
  }
  return inserted.map(columns.decode);
}

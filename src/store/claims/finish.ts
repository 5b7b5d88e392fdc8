import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { ClaimedTask, TaskError, TaskStatus } from '../rows.js';
import {
  changedThenReleased, eventStatement, idArray, IS_RUNNING, releasedOrReady, releaseHolds, settleDependents, type TakeReady,
} from '../statement.js';

export interface Outcome {
  id: string;
  attempt: number;
  status: Extract<TaskStatus, 'completed' | 'pending' | 'failed' | 'timed_out'>;
  result?: unknown;
  error?: TaskError;
  /** For status pending: how long until the next attempt may run. */
  delayMs?: number;
}

/** The event an outcome writes: its status, except that going back to pending is a retry. */
export const eventOf = (status: Outcome['status']) => (status === 'pending' ? 'retrying' : status);

export interface Finished {
  /** The outcomes applied; the others had lost their claim and are void. */
  applied: Set<string>;
  /** Dependents made ready and started for the worker (`take`): its to run. */
  started: ClaimedTask[];
}

/** A started dependent as the statement gives it: its static columns, its attempt from the event. */
const STARTED = sql`(SELECT coalesce(jsonb_agg(jsonb_build_object('id', t.id::text, 'kind', t.kind, 'input', t.input,
    'attempts', (s.event_data ->> 'attempt')::int, 'maxAttempts', t.max_attempts, 'timeoutSeconds', t.timeout_seconds,
    'dependsOn', to_jsonb(t.depends_on::text[]), 'hasDependents', t.has_dependents, 'queue', t.queue, 'traceParent', t.trace_parent)), '[]'::jsonb)
  FROM settled s JOIN tasks t ON t.id = s.event_task_id WHERE s.event_type = 'started') AS started`;

/**
 * Applies many attempts' outcomes in one statement. Returns the ids that were applied; the
 * others had lost their claim and their outcome is void. With `take`, dependents the outcomes
 * made ready are started for that worker in the same statement (task_settle_dependents). What
 * the outcomes set travels as JSON keyed by id (`changes`) and is read through an InitPlan, not
 * joined as a row set: a join's plan rests on row estimates for 'running' that are always stale
 * on a busy queue, and measured, the planner then rescanned the outcome list once per task (half
 * a second for 1,000). A row reads one record for every column it sets: a lookup per column was
 * measured at 7 of the statement's 13 ms per 500.
 */
export async function finish(db: Database, workerId: string, outcomes: readonly Outcome[], take?: TakeReady): Promise<Finished> {
  if (outcomes.length === 0) return { applied: new Set(), started: [] };
  const { inputs, set, attempt } = changes(outcomes);
  const type = sql`CASE WHEN status = 'pending' THEN 'retrying' ELSE status::text END`;
  // A plain first completion's data is one constant; building it per row cost up to a tenth of the statement.
  const data = sql`CASE WHEN attempts = 1 AND status = 'completed' THEN '{"attempt": 1}'::jsonb
    ELSE jsonb_strip_nulls(jsonb_build_object('attempt', attempts, 'error', error,
      'retryInMs', CASE WHEN status = 'pending' THEN round(extract(epoch FROM run_at - now()) * 1000)::int END)) END`;
  // A task back to pending now is work; so is one a freed slot released, or a dependent made ready.
  const retryNow = outcomes.some((x) => x.status === 'pending' && !x.delayMs);
  const [row] = await db.query<{ ids: string; started: Array<Omit<ClaimedTask, 'runAt'>> }>(
    eventStatement({
      inputs,
      changed: sql`
        UPDATE tasks t SET ${set},
          updated_at = now(), worker_id = NULL, lease_expires_at = NULL
        WHERE t.id = ANY(${idArray(outcomes.map((x) => x.id))}) AND ${IS_RUNNING}
          AND t.worker_id = ${workerId} AND t.attempts = ${attempt}
        RETURNING t.id, t.kind, t.status, t.attempts, t.error, t.run_at, t.queue, t.concurrency_key, t.has_dependents`,
      // Every slot freed goes to a task held for it in the same statement: a queue's concurrency
      // or a key's may have been set after these tasks were claimed. A task that ended settles
      // its dependents in it too.
      alsoChanged: [
        { name: 'released', body: releaseHolds('changed') },
        { name: 'settled', body: settleDependents(take) },
      ],
      events: {
        wake: sql`CASE WHEN ${retryNow} OR ${releasedOrReady} THEN 'n' ELSE '' END`,
        ...changedThenReleased(sql`SELECT id, ${type} AS type, status, ${data} AS data FROM changed`),
      },
      dueLater: outcomes.some((x) => x.status === 'pending' && !!x.delayMs)
        ? sql`SELECT run_at, kind FROM changed WHERE status = 'pending'`
        : undefined,
      // One row, not one per task: parsing 500 rows costs the process more than splitting one.
      select: sql`coalesce(string_agg(id::text, ','), '') AS ids, ${take ? STARTED : sql`'[]'::jsonb AS started`}`,
    }),
  );
  // Started by this statement: due now, as far as the queue wait the executor measures goes.
  const now = new Date();
  return { applied: new Set(row.ids ? row.ids.split(',') : []), started: row.started.map((t) => ({ ...t, runAt: now })) };
}

/**
 * What a batch's UPDATE sets and the attempt each row must be at. A batch of plain completions
 * (no result) of one attempt, a drain's usual batch, needs no JSON: the same columns for every
 * row, one attempt for the guard. Otherwise the outcomes travel as objects keyed by id, written
 * out rather than built for JSON.stringify (ids as keys make an object a sparse array to V8): each
 * outcome's attempt unless they share one, and only the outcomes that set more than a plain
 * completion, with what they set (nulls left out, which jsonb_to_record gives for missing keys).
 * Parsing an object per outcome was a tenth of Postgres's drain time (0.9 ms per 500), and each
 * row's lookups in them about a fifth of the UPDATE.
 */
function changes(outcomes: readonly Outcome[]) {
  const attempt = outcomes[0].attempt;
  const oneAttempt = outcomes.every((o) => o.attempt === attempt);
  const attempts: string[] = [];
  const extras: string[] = [];
  for (const o of outcomes) {
    if (!oneAttempt) attempts.push(`"${o.id}":${o.attempt}`);
    if (o.status === 'completed' && o.result == null) continue;
    let entry = `"${o.id}":{"status":"${o.status}"`;
    if (o.result != null) entry += `,"result":${JSON.stringify(o.result) ?? 'null'}`;
    if (o.error != null) entry += `,"error":${JSON.stringify(o.error)}`;
    if (o.delayMs) entry += `,"delay_ms":${o.delayMs}`;
    extras.push(`${entry}}`);
  }
  const columns = [
    ...(oneAttempt ? [] : [sql`${`{${attempts.join(',')}}`}::jsonb AS attempt_of`]),
    ...(extras.length === 0 ? [] : [sql`${`{${extras.join(',')}}`}::jsonb AS extra_of`]),
  ];
  return {
    inputs: columns.length === 0 ? [] : [{ name: 'input', materialized: true, body: sql`SELECT ${sql.join(columns, sql`, `)}` }],
    set: extras.length === 0
      ? sql`status = 'completed', result = NULL, error = NULL, progress = 1, finished_at = now()`
      : sql`(status, result, error, progress, run_at, finished_at) = (
          SELECT coalesce(o.status, 'completed')::task_status, o.result, o.error,
            CASE WHEN o.status IS NULL OR o.status = 'completed' THEN 1 ELSE t.progress END,
            CASE WHEN o.status = 'pending' THEN now() + make_interval(secs => coalesce(o.delay_ms, 0) / 1000.0) ELSE t.run_at END,
            CASE WHEN o.status = 'pending' THEN NULL ELSE now() END
          FROM jsonb_to_record((SELECT extra_of FROM input) -> t.id::text) AS o(status text, result jsonb, error jsonb, delay_ms int))`,
    attempt: oneAttempt ? sql`${attempt}::int` : sql`((SELECT attempt_of FROM input) ->> t.id::text)::int`,
  };
}

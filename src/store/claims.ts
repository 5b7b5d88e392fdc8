// The statements an executor runs: claim, finish attempts in batches, report progress and logs,
// keep leases alive, requeue what a dead process left behind, and hand tasks back at shutdown.
// Every change is guarded by status, worker and attempt: zero rows means the change lost a race
// (cancelled, timed out or reclaimed meanwhile) and must be discarded, never applied twice.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { WORKERS_CHANNEL } from './workers.js';
import { dueNotice, IS_RUNNING, NOTIFIED, writeEvents, idArray, textArray, TASK_COLUMNS, toClaimedTask, toTask, type ClaimedTask, type Task, type TaskError, type TaskStatus } from './rows.js';

export interface Outcome {
  id: string;
  attempt: number;
  status: Extract<TaskStatus, 'completed' | 'pending' | 'failed' | 'timed_out'>;
  result?: unknown;
  error?: TaskError;
  /** For status pending: how long until the next attempt may run. */
  delayMs?: number;
}

/** Why claimed tasks were handed back (a `requeued` event's `reason`; a lapsed lease is `lease_expired`). */
export type ReleaseReason = 'shutdown' | 'paused' | 'scaled_to_zero';

/** The event an outcome writes: its status, except that going back to pending is a retry. */
export const eventOf = (status: Outcome['status']) => (status === 'pending' ? 'retrying' : status);

export interface LogLimits {
  /** Lines per task, the notice of the cap not included. */
  maxLines: number;
  /** Bytes of message text per task. */
  maxBytes: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = { maxLines: 1000, maxBytes: 1_048_576 };

const capNotice = (logs: LogLimits) =>
  `Log limit reached (${logs.maxLines} lines or ${logs.maxBytes} bytes per task); later lines are dropped`;

export function claimStore(db: Database, logs: LogLimits = DEFAULT_LOG_LIMITS) {
  return {
    /**
     * Claims up to `limit` due tasks of the given kinds in one statement, in priority, run_at, id
     * order, skipping rows another claimer holds. Served by the partial index over pending tasks.
     * A worker paused or scaled to zero in its row claims nothing.
     */
    async claim(workerId: string, kinds: string[], limit: number, leaseSeconds: number): Promise<ClaimedTask[]> {
      if (limit <= 0 || kinds.length === 0) return [];
      const rows = await db.query(sql`
        -- claim_tasks (drizzle/0004) locks up to limit due tasks in claim order and marks them
        -- running; as PL/pgSQL its plans are kept, and made with table scans ruled out.
        WITH changed AS (
          SELECT * FROM claim_tasks(${workerId}, ${textArray(kinds)}, ${limit}::int, ${leaseSeconds}::int)
        ), ${writeEvents(false, ['started'], sql`
          INSERT INTO task_events (task_id, type, status, data)
          SELECT id, 'started', status, jsonb_build_object('attempt', attempts, 'workerId', worker_id)
          FROM changed, locked ORDER BY id`)}
        SELECT id::text AS id, kind, input, attempts, max_attempts, timeout_seconds,
          (extract(epoch FROM run_at) * 1000)::float8 AS run_at, ${NOTIFIED}
        FROM changed ORDER BY changed.priority DESC, changed.run_at, changed.id`);
      return rows.map(toClaimedTask);
    },

    /**
     * Applies many attempts' outcomes in one statement. Returns the ids that were applied; the
     * others had lost their claim and their outcome is void. The outcomes travel as one JSON
     * object keyed by id and read through an InitPlan, not joined as a row set: a join's plan
     * rests on row estimates for 'running' that are always stale on a busy queue, and measured,
     * the planner then rescanned the outcome list once per task (half a second for 1,000). Each
     * row looks its outcome up twice (the attempt guard, then one record for every column it
     * sets); a lookup per column was measured at 7 of the statement's 13 ms per 500 tasks.
     */
    async finish(workerId: string, outcomes: Outcome[]): Promise<Set<string>> {
      if (outcomes.length === 0) return new Set();
      const byId: Record<string, unknown> = {};
      for (const o of outcomes) {
        byId[o.id] = { attempt: o.attempt, status: o.status, result: o.result ?? null, error: o.error ?? null, delay_ms: o.delayMs ?? 0 };
      }
      const wake = outcomes.some((x) => x.status === 'pending' && !x.delayMs);
      const due = dueNotice(outcomes.some((x) => x.status === 'pending' && !!x.delayMs), sql`SELECT run_at, kind FROM changed WHERE status = 'pending'`);
      const applied = await db.query<{ ids: string }>(sql`
        WITH input AS MATERIALIZED (SELECT ${JSON.stringify(byId)}::jsonb AS by_id),
        changed AS (
          UPDATE tasks t SET (status, result, error, progress, run_at, finished_at) = (
              SELECT o.status::task_status, o.result, o.error,
                CASE WHEN o.status = 'completed' THEN 1 ELSE t.progress END,
                CASE WHEN o.status = 'pending' THEN now() + make_interval(secs => o.delay_ms / 1000.0) ELSE t.run_at END,
                CASE WHEN o.status = 'pending' THEN NULL ELSE now() END
              FROM jsonb_to_record((SELECT by_id FROM input) -> t.id::text) AS o(status text, result jsonb, error jsonb, delay_ms int)),
            updated_at = now(), worker_id = NULL, lease_expires_at = NULL
          WHERE t.id = ANY(${idArray(outcomes.map((x) => x.id))}) AND ${IS_RUNNING}
            AND t.worker_id = ${workerId} AND t.attempts = ((SELECT by_id FROM input) -> t.id::text ->> 'attempt')::int
          RETURNING t.id, t.kind, t.status, t.attempts, t.error, t.run_at
        ), ${writeEvents(wake, [...new Set(outcomes.map((x) => eventOf(x.status)))], sql`
          INSERT INTO task_events (task_id, type, status, data)
          SELECT id, CASE WHEN status = 'pending' THEN 'retrying' ELSE status::text END, status,
            jsonb_strip_nulls(jsonb_build_object('attempt', attempts, 'error', error,
              'retryInMs', CASE WHEN status = 'pending' THEN round(extract(epoch FROM run_at - now()) * 1000)::int END))
          FROM changed, locked ORDER BY id`)}${due.cte}
        -- One row, not one per task: parsing 500 rows costs the process more than splitting one.
        SELECT coalesce(string_agg(id::text, ','), '') AS ids, ${NOTIFIED}${due.read} FROM changed`);
      return new Set(applied[0].ids ? applied[0].ids.split(',') : []);
    },

    /**
     * Records progress of an attempt this worker holds; false when it no longer holds it. attempt
     * null: whichever attempt the worker holds (external workers do not name it).
     */
    async progress(workerId: string, id: string, attempt: number | null, fraction: number, message: string | null) {
      const rows = await db.query(sql`
        WITH changed AS (
          UPDATE tasks SET progress = ${fraction}, progress_message = ${message}, updated_at = now()
          WHERE id = ${id}::bigint AND status = 'running' AND worker_id = ${workerId}
            AND (${attempt}::int IS NULL OR attempts = ${attempt}::int)
          RETURNING id, status
        ), ${writeEvents(false, ['progress'], sql`
          INSERT INTO task_events (task_id, type, status, data)
          SELECT id, 'progress', status, jsonb_build_object('progress', ${fraction}::float8, 'message', ${message}::text)
          FROM changed, locked`)}
        SELECT id, ${NOTIFIED} FROM changed`);
      return rows.length > 0;
    },

    /**
     * A log line of an attempt this worker holds, as an event; false when it no longer holds it.
     * Lines and bytes per task are capped: the line that would pass the cap is replaced by one
     * that says so, and later lines are dropped. The row lock orders concurrent lines of a task.
     */
    async log(workerId: string, id: string, attempt: number | null, level: string, message: string) {
      const bytes = Buffer.byteLength(message);
      const rows = await db.query<{ held: number }>(sql`
        WITH current AS (
          SELECT id, status, log_lines, log_bytes FROM tasks
          WHERE id = ${id}::bigint AND status = 'running' AND worker_id = ${workerId}
            AND (${attempt}::int IS NULL OR attempts = ${attempt}::int)
          FOR UPDATE
        ), decided AS (
          SELECT id, CASE WHEN log_lines > ${logs.maxLines}::int THEN 'drop'
            WHEN log_lines >= ${logs.maxLines}::int OR log_bytes + ${bytes}::int > ${logs.maxBytes}::int THEN 'cap'
            ELSE 'write' END AS action
          FROM current
        ), changed AS (
          UPDATE tasks t SET
            log_lines = CASE WHEN d.action = 'write' THEN t.log_lines + 1 ELSE ${logs.maxLines + 1}::int END,
            log_bytes = t.log_bytes + CASE WHEN d.action = 'write' THEN ${bytes}::int ELSE 0 END
          FROM decided d WHERE t.id = d.id AND d.action <> 'drop'
          RETURNING t.id, t.status, d.action
        ), ${writeEvents(false, ['log'], sql`
          INSERT INTO task_events (task_id, type, status, data)
          SELECT id, 'log', status, CASE WHEN action = 'write'
            THEN jsonb_build_object('level', ${level}::text, 'message', ${message}::text)
            ELSE jsonb_build_object('level', 'warn', 'message', ${capNotice(logs)}::text) END
          FROM changed, locked`)}
        SELECT count(*)::int AS held, ${NOTIFIED} FROM current`);
      return rows[0].held > 0;
    },

    /**
     * Running tasks whose lease expired belong to a process that died or lost its database: they go
     * back to pending, or fail when no attempt is left. Any process may run this; SKIP LOCKED keeps
     * two sweepers from fighting over a row.
     */
    async requeueExpired(limit = 1000): Promise<Task[]> {
      const rows = await db.query(sql`
        WITH changed AS (
          UPDATE tasks t SET
            status = CASE WHEN t.attempts >= t.max_attempts THEN 'failed'::task_status ELSE 'pending'::task_status END,
            finished_at = CASE WHEN t.attempts >= t.max_attempts THEN now() END,
            error = jsonb_build_object('code', 'LEASE_EXPIRED',
              'message', 'The worker running this task stopped renewing its lease'),
            worker_id = NULL, lease_expires_at = NULL, run_at = now(), updated_at = now()
          FROM (
            SELECT id, worker_id FROM tasks WHERE status = 'running' AND lease_expires_at < now()
            LIMIT ${limit} FOR UPDATE SKIP LOCKED
          ) expired
          WHERE t.id = expired.id
          RETURNING t.*, expired.worker_id AS lost_by
        ), ${writeEvents(true, ['failed', 'requeued'], sql`
          INSERT INTO task_events (task_id, type, status, data)
          SELECT id, CASE WHEN status = 'failed' THEN 'failed' ELSE 'requeued' END, status,
                 jsonb_build_object('attempt', attempts, 'error', error, 'reason', 'lease_expired')
          FROM changed, locked ORDER BY id`)}, relieved AS (
          -- A worker that is still alive but let a lease lapse no longer runs the task: its running
          -- count says so now, not at its next heartbeat.
          UPDATE workers w SET running = greatest(w.running - lost.n, 0), updated_at = now()
          FROM (SELECT lost_by, count(*)::int AS n FROM changed WHERE lost_by IS NOT NULL GROUP BY lost_by) lost
          WHERE w.id = lost.lost_by
          RETURNING pg_notify(${WORKERS_CHANNEL}, w.id)
        )
        -- relieved is read so that its notifications are certain to be sent.
        SELECT ${TASK_COLUMNS}, (SELECT count(*) FROM relieved) AS relieved, ${NOTIFIED} FROM changed`);
      return rows.map(toTask);
    },

    /**
     * Tasks an external worker holds past their timeout. The embedded executor times out its own
     * tasks with a timer; for an external worker's tasks only the server can.
     */
    async overdueExternal(limit = 1000): Promise<Array<ClaimedTask & { workerId: string }>> {
      const rows = await db.query(sql`
        SELECT t.id::text AS id, t.kind, NULL AS input, t.attempts, t.max_attempts, t.timeout_seconds,
          (extract(epoch FROM t.run_at) * 1000)::float8 AS run_at, t.worker_id
        FROM tasks t JOIN workers w ON w.id = t.worker_id AND w.kind = 'external'
        WHERE t.status = 'running' AND t.lease_expires_at IS NOT NULL
          AND t.started_at + make_interval(secs => t.timeout_seconds) < now()
        LIMIT ${limit}`);
      return rows.map((row) => ({ ...toClaimedTask(row), workerId: row.worker_id as string }));
    },

    /**
     * Claimed attempts that will not run here go back to pending without counting as an attempt:
     * at shutdown, or claimed ahead (prefetch) by a worker since paused or scaled to zero. The
     * `requeued` event says which.
     */
    async release(workerId: string, attempts: Array<{ id: string; attempt: number }>, reason: ReleaseReason = 'shutdown'): Promise<number> {
      if (attempts.length === 0) return 0;
      const attemptById = Object.fromEntries(attempts.map((a) => [a.id, a.attempt]));
      const rows = await db.query(sql`
        WITH input AS MATERIALIZED (SELECT ${JSON.stringify(attemptById)}::jsonb AS by_id),
        changed AS (
          UPDATE tasks t SET status = 'pending', attempts = t.attempts - 1, worker_id = NULL,
            lease_expires_at = NULL, run_at = now(), updated_at = now()
          WHERE t.id = ANY(${idArray(attempts.map((a) => a.id))}) AND ${IS_RUNNING}
            AND t.worker_id = ${workerId} AND t.attempts = ((SELECT by_id FROM input) ->> t.id::text)::int
          RETURNING t.id, t.status
        ), ${writeEvents(true, ['requeued'], sql`
          INSERT INTO task_events (task_id, type, status, data)
          SELECT id, 'requeued', status, jsonb_build_object('reason', ${reason}::text) FROM changed, locked ORDER BY id`)}
        SELECT id, ${NOTIFIED} FROM changed`);
      return rows.length;
    },
  };
}

export type ClaimStore = ReturnType<typeof claimStore>;

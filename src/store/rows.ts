import { sql, type SQL } from 'drizzle-orm';
import type { Row } from '../db/client.js';

export type TaskStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'timed_out';

export const TERMINAL: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled', 'timed_out']);

export interface TaskError {
  message: string;
  code: string;
}

export interface Task {
  id: string;
  kind: string;
  input: unknown;
  status: TaskStatus;
  priority: number;
  attempts: number;
  maxAttempts: number;
  timeoutSeconds: number;
  runAt: Date;
  progress: number | null;
  progressMessage: string | null;
  result: unknown;
  error: TaskError | null;
  idempotencyKey: string | null;
  workerId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

/** What an executor needs of a task it claimed: no more columns than it reads. */
export type ClaimedTask = Pick<Task, 'id' | 'kind' | 'input' | 'attempts' | 'maxAttempts' | 'timeoutSeconds'> & {
  /** When it became due, epoch ms: its queue wait is start minus this. */
  runAtMs: number;
};

export interface TaskEvent {
  id: number;
  taskId: string;
  type: string;
  status: TaskStatus;
  data: Record<string, unknown> | null;
  at: Date;
}

// Both drivers return int8 and timestamptz as text in different shapes; reading timestamps as epoch
// milliseconds and ids as text gives one shape for postgres.js and PGlite alike.
const ms = (column: string) => sql.raw(`(extract(epoch FROM ${column}) * 1000)::float8 AS ${column}`);

export const TASK_COLUMNS = sql.join(
  [
    sql.raw('id::text AS id, kind, input, status, priority, attempts, max_attempts, timeout_seconds'),
    sql.raw('progress, progress_message, result, error, idempotency_key, worker_id'),
    ms('run_at'),
    ms('created_at'),
    ms('started_at'),
    ms('finished_at'),
    ms('updated_at'),
  ],
  sql`, `,
);

/** The columns of task_events, aliased `e`, as toEvent reads them. */
export const EVENT_COLUMNS = sql.raw(
  'e.id::text AS id, e.task_id::text AS task_id, e.type, e.status, e.data, (extract(epoch FROM e.at) * 1000)::float8 AS at',
);

const date = (value: unknown) => (value === null || value === undefined ? null : new Date(Number(value)));

export function toTask(row: Row): Task {
  return {
    id: String(row.id),
    kind: row.kind as string,
    input: row.input ?? null,
    status: row.status as TaskStatus,
    priority: row.priority as number,
    attempts: row.attempts as number,
    maxAttempts: row.max_attempts as number,
    timeoutSeconds: row.timeout_seconds as number,
    runAt: date(row.run_at)!,
    progress: (row.progress as number | null) ?? null,
    progressMessage: (row.progress_message as string | null) ?? null,
    result: row.result ?? null,
    error: (row.error as TaskError | null) ?? null,
    idempotencyKey: (row.idempotency_key as string | null) ?? null,
    workerId: (row.worker_id as string | null) ?? null,
    createdAt: date(row.created_at)!,
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
    updatedAt: date(row.updated_at)!,
  };
}

export function toClaimedTask(row: Row): ClaimedTask {
  return {
    id: String(row.id),
    kind: row.kind as string,
    input: row.input ?? null,
    attempts: row.attempts as number,
    maxAttempts: row.max_attempts as number,
    timeoutSeconds: row.timeout_seconds as number,
    runAtMs: row.run_at as number,
  };
}

/** A task a statement has just claimed, as the executor holds it. */
export function claimedOf(task: Task): ClaimedTask {
  const { id, kind, input, attempts, maxAttempts, timeoutSeconds } = task;
  return { id, kind, input, attempts, maxAttempts, timeoutSeconds, runAtMs: task.runAt.getTime() };
}

export function toEvent(row: Row): TaskEvent {
  return {
    id: Number(row.id),
    taskId: String(row.task_id),
    type: row.type as string,
    status: row.status as TaskStatus,
    data: (row.data as Record<string, unknown> | null) ?? null,
    at: date(row.at)!,
  };
}

export const EVENTS_CHANNEL = 'task_events';
// Also taken by claim_tasks (drizzle/0004), once its rows are updated and before its statistics
// trigger fires; a test checks that the two agree.
export const EVENT_LOCK = 7_411_002;

/**
 * What a NOTIFY on EVENTS_CHANNEL says besides "new events": whether a task may be claimable now,
 * the types of event the transaction wrote, and the ids around its events: every event at or below
 * `before` is committed or rolled back, and its own are above it, up to `last`. A process where no
 * one follows those types, and that has seen everything up to `before`, moves its cursor to `last`
 * without reading the table. Never task data.
 */
export interface EventNotice {
  wake: boolean;
  types: string[];
  before: number;
  last: number;
}

/** `n|started,completed|1200|1234`; null for anything else (treated as "read to find out"). */
export function parseEventNotice(payload: string): EventNotice | null {
  const [wake, types, before, last, extra] = payload.split('|');
  if (extra !== undefined || (wake !== 'n' && wake !== '') || !/^\d+$/.test(before ?? '') || !/^\d+$/.test(last ?? '')) return null;
  return { wake: wake === 'n', types: types.split(','), before: Number(before), last: Number(last) };
}

/**
 * The CTEs that write a statement's events, given a CTE named `changed` holding the rows it
 * changed, `insert`, its INSERT INTO task_events ... SELECT ... FROM changed, locked, and `wake`,
 * whether the change may have made a task claimable (or a SQL expression giving 'n' or '').
 * When anything changed: `locked` takes the transaction-scoped advisory lock before the first
 * event id is drawn, held until commit, so event ids are in commit order; `events` inserts them;
 * and `notified` queues one NOTIFY (a wake-up and an EventNotice, never data) whose ids come from
 * the rows inserted. When nothing changed there is no lock and no NOTIFY, so an idle poll wakes no
 * one. A CTE that only reads runs only if read: the statement's final SELECT must include NOTIFIED.
 */
export function writeEvents(wake: boolean | SQL, types: readonly string[], insert: SQL): SQL {
  const rest = `|${types.join(',')}|`;
  const head = typeof wake === 'boolean' ? sql`${`${wake ? 'n' : ''}${rest}`}` : sql`(${wake}) || ${rest}`;
  return sql`locked AS MATERIALIZED (
    SELECT pg_advisory_xact_lock(${sql.raw(String(EVENT_LOCK))}) FROM (SELECT 1 FROM changed LIMIT 1) AS any_change
  ), events AS (${insert} RETURNING id), notified AS MATERIALIZED (
    SELECT pg_notify(${EVENTS_CHANNEL}, ${head} || (min(id) - 1)::text || '|' || max(id)::text)
    FROM events HAVING count(*) > 0)`;
}

/** For a final SELECT list: reads `notified`, so the NOTIFY of writeEvents is sent. */
export const NOTIFIED = sql`(SELECT count(*) FROM notified) AS notified`;

/**
 * A channel of its own, so that servers of an earlier version, which do not listen on it, are not
 * disturbed: when tasks a statement made pending become due later (a retry's backoff, a runAt),
 * its payload lists in how many ms, from the statement's now(), the earliest of those times come,
 * each with its kind (at most DUE_TIMES, `ms:kind`, comma-separated; kind names hold no comma).
 * The executors that run the kind claim then, instead of at their next poll.
 */
export const TASKS_DUE_CHANNEL = 'task_due';
const DUE_TIMES = 20;

export interface DueTime {
  inMs: number;
  kind: string;
}

/** `350:email.send,1200:report`; entries not of that form are skipped. */
export function parseDueNotice(payload: string): DueTime[] {
  const due: DueTime[] = [];
  for (const entry of payload.split(',')) {
    const match = /^(\d+):(.+)$/.exec(entry);
    if (match) due.push({ inMs: Number(match[1]), kind: match[2] });
  }
  return due;
}

/**
 * For statements that may make tasks pending for later (`maybe`, known before they are sent;
 * otherwise nothing is added, so the common statement stays as it was): a CTE queueing the
 * TASKS_DUE_CHANNEL notification for the later (run_at, kind) rows that `runAts` selects, and the
 * item of the final SELECT list that reads it, without which it would not be sent.
 */
export function dueNotice(maybe: boolean, runAts: SQL): { cte: SQL; read: SQL } {
  if (!maybe) return { cte: sql``, read: sql`` };
  return {
    cte: sql`, due_notified AS MATERIALIZED (
      SELECT pg_notify(${TASKS_DUE_CHANNEL}, string_agg(ms::text || ':' || kind, ',' ORDER BY ms)) FROM (
        SELECT DISTINCT ceil(extract(epoch FROM run_at - now()) * 1000)::bigint AS ms, kind
        FROM (${runAts}) AS later (run_at, kind) WHERE run_at > now() ORDER BY ms LIMIT ${sql.raw(String(DUE_TIMES))}
      ) AS soon HAVING count(*) > 0)`,
    read: sql`, (SELECT count(*) FROM due_notified) AS due_notified`,
  };
}

/**
 * `status = 'running'` for statements that name their tasks by id. Compared as text: the partial
 * index over running tasks would match `status = 'running'`, and the planner, its estimate for
 * running rows always stale on a busy queue, reads every running task of every worker through it
 * and checks each against the whole id list; by primary key it reads only the named ones
 * (measured on the batch of outcomes: 4 % more tasks/s in a drain).
 */
export const IS_RUNNING = sql`status::text = 'running'`;

/**
 * A bigint[] parameter. `id = ANY(...)` with it gives the planner an exact row count, so a batch
 * statement looks its rows up by primary key instead of guessing a hash join over the table.
 */
export function idArray(ids: readonly string[]): SQL {
  return sql`${`{${ids.join(',')}}`}::bigint[]`;
}

/** A text[] parameter that both drivers accept. */
export function textArray(values: readonly string[]): SQL {
  return sql`${`{${values.map((v) => JSON.stringify(v)).join(',')}}`}::text[]`;
}

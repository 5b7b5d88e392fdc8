// How a statement that changes tasks writes its events: one statement, so there is no transaction
// to hold open. Its shape is fixed here rather than by convention: the change is the CTE `changed`;
// `locked` takes the transaction-scoped event lock before the first event id is drawn, held until
// commit, so event ids are in commit order and a cursor is gap-free (README, How it works); `events` inserts
// one row per change; `notified` queues one NOTIFY whose ids and types come from the rows inserted. When
// nothing changed there is no lock and no NOTIFY, so an idle poll wakes no one. A CTE that only
// reads runs only if read, so the final SELECT always reads `notified`, and any due notice.
import { sql, type SQL } from 'drizzle-orm';
import { DUE_TIMES, EVENTS_CHANNEL, TASKS_DUE_CHANNEL } from './notices.js';

/**
 * The event lock's key lives in the database (drizzle/0006), for claim_tasks and these statements
 * alike; an immutable SQL function is inlined to its constant.
 */
const EVENT_LOCK = sql.raw('task_event_lock()');

export interface EventRows {
  /** Whether the change may have made a task claimable: known before it is sent, or SQL giving 'n' or ''. */
  wake: boolean | SQL;
  /** Each event's columns, read from `from`. */
  taskId: SQL;
  type: SQL;
  status: SQL;
  data?: SQL;
  /** Where the events come from; `changed` by default. */
  from?: SQL;
  /** Event ids are drawn in this order. */
  orderBy?: SQL;
}

/** A data-changing CTE that follows from the change; `returns` when its RETURNING must be read (a NOTIFY in it). */
export interface Effect {
  name: string;
  body: SQL;
  returns?: boolean;
}

export interface EventStatement {
  /** CTEs before `changed`: its input, the rows it locks. */
  inputs?: ReadonlyArray<{ name: string; body: SQL; materialized?: boolean }>;
  /** A data-changing statement with RETURNING: the rows it changed. */
  changed: SQL;
  /** Further changes that follow from `changed` and write events too (events.from names them). */
  alsoChanged?: ReadonlyArray<{ name: string; body: SQL }>;
  events: EventRows;
  effects?: readonly Effect[];
  /**
   * (run_at, kind) of the rows it may have made pending for later, given only when that is known
   * to be possible before it is sent (otherwise the statement stays as it was): a NOTIFY on
   * TASKS_DUE_CHANNEL names when the earliest become due.
   */
  dueLater?: SQL;
  /** The final SELECT's list and source (`changed` by default). */
  select: SQL;
  selectFrom?: SQL;
  orderBy?: SQL;
}

export function eventStatement(s: EventStatement): SQL {
  const { events } = s;
  const wake = typeof events.wake === 'boolean' ? sql`${events.wake ? 'n' : ''}` : sql`(${events.wake})`;
  const ctes: SQL[] = (s.inputs ?? []).map(({ name, body, materialized }) => sql`${sql.raw(`${name} AS ${materialized ? 'MATERIALIZED ' : ''}`)}(${body})`);
  ctes.push(sql`changed AS (${s.changed})`);
  for (const { name, body } of s.alsoChanged ?? []) ctes.push(sql`${sql.raw(name)} AS (${body})`);
  ctes.push(
    // Counted, not probed for one row: every row is written before the lock is taken, so a row
    // that waits for another transaction (a unique key it inserts too) never waits under the lock.
    sql`locked AS MATERIALIZED (
      SELECT pg_advisory_xact_lock(${EVENT_LOCK}) FROM (SELECT count(*) AS n FROM ${anyChange(s)}) AS changes WHERE changes.n > 0)`,
    sql`events AS (
      INSERT INTO task_events (task_id, type, status, data)
      SELECT ${events.taskId}, ${events.type}, ${events.status}, ${events.data ?? sql`NULL::jsonb`}
      FROM ${events.from ?? sql`changed`}, locked ${orderBy(events.orderBy)}
      RETURNING id, type)`,
    // The types are those written, not those the statement might write: a process where no one
    // follows them moves past the events without reading them (tasks/events.ts, planNotice).
    sql`notified AS MATERIALIZED (
      SELECT pg_notify(${EVENTS_CHANNEL}, ${wake} || '|' || string_agg(DISTINCT type, ',') || '|' || (min(id) - 1)::text || '|' || max(id)::text)
      FROM events HAVING count(*) > 0)`,
  );
  // Effects are read before notified, whose read takes the event lock: a statement must not hold
  // that lock, which every event writer waits for, while it waits for the rows of an effect.
  const reads: SQL[] = [];
  for (const effect of s.effects ?? []) {
    ctes.push(sql`${sql.raw(effect.name)} AS (${effect.body})`);
    if (effect.returns) reads.push(sql.raw(`(SELECT count(*) FROM ${effect.name}) AS ${effect.name}`));
  }
  reads.push(sql`(SELECT count(*) FROM notified) AS notified`);
  if (s.dueLater) {
    ctes.push(sql`due_notified AS MATERIALIZED (
      SELECT pg_notify(${TASKS_DUE_CHANNEL}, string_agg(ms::text || ':' || kind, ',' ORDER BY ms)) FROM (
        SELECT DISTINCT ceil(extract(epoch FROM run_at - now()) * 1000)::bigint AS ms, kind
        FROM (${s.dueLater}) AS later (run_at, kind) WHERE run_at > now() ORDER BY ms LIMIT ${sql.raw(String(DUE_TIMES))}
      ) AS soon HAVING count(*) > 0)`);
    reads.push(sql`(SELECT count(*) FROM due_notified) AS due_notified`);
  }
  return sql`WITH ${sql.join(ctes, sql`, `)}
    SELECT ${s.select}, ${sql.join(reads, sql`, `)} FROM ${s.selectFrom ?? sql`changed`} ${orderBy(s.orderBy)}`;
}

const orderBy = (by: SQL | undefined) => (by ? sql`ORDER BY ${by}` : sql``);

/** The rows whose events the lock guards: `changed`, and any further rows (a subset, or changed too). */
function anyChange(s: EventStatement): SQL {
  const names = ['changed', ...(s.alsoChanged ?? []).map((c) => c.name)];
  return names.length === 1 ? sql`changed` : sql.raw(`(${names.map((n) => `SELECT 1 FROM ${n}`).join(' UNION ALL ')}) AS changed_rows`);
}

/**
 * `alias` is a task its queue holds (paused, at its concurrency, over its rate): the predicate of
 * tasks_queue_held_idx (drizzle/0007) word for word, so that the planner reads that index; a
 * narrower reason goes in a condition of its own beside it.
 */
export const heldByQueue = (alias: string) => `${alias}.status = 'pending' AND ${alias}.waiting_for IN ('QUEUE_PAUSED', 'QUEUE_CONCURRENCY', 'RATE_LIMIT')`;

/**
 * A CTE body (for alsoChanged) that gives the slots of the tasks in `from` that left running
 * (finished, failed, retried, cancelled) to held tasks, head first: as many of a key's held tasks
 * as left the key, and as many of a queue's held for its concurrency as left the queue (unless it
 * is paused; held while it was paused too, for those a resume left held for want of a free slot). SKIP LOCKED: a
 * held task another statement is releasing is left to it; a slot missed in a race (a task held by
 * a statement that had not committed yet) is caught by the sweep (queues/release-queue-holds.ts,
 * release-key-holds.ts). The claim's gate still decides whether a released task may start
 * (claim_tasks), so a release that races another only costs a hold.
 */
export function releaseHolds(from: 'changed' | 'freed'): SQL {
  return sql.raw(`
    UPDATE tasks t SET waiting_for = NULL, updated_at = now()
    FROM (
      SELECT h.id FROM (SELECT queue, concurrency_key, count(*) AS n FROM ${from} WHERE concurrency_key IS NOT NULL GROUP BY 1, 2) k,
      LATERAL (
        SELECT held.id FROM tasks held
        WHERE held.status = 'pending' AND held.concurrency_key IS NOT NULL AND held.waiting_for = 'KEY_CONCURRENCY'
          AND held.queue = k.queue AND held.concurrency_key = k.concurrency_key AND held.run_at <= now()
        ORDER BY held.priority DESC NULLS LAST, held.run_at, held.id LIMIT k.n
        FOR UPDATE SKIP LOCKED) h
      UNION
      SELECT h.id FROM (
        SELECT f.queue, f.n FROM (SELECT queue, count(*) AS n FROM ${from} GROUP BY queue) f
        JOIN queues q ON q.name = f.queue AND NOT q.paused) k,
      LATERAL (
        SELECT held.id FROM tasks held
        WHERE ${heldByQueue('held')}
          AND held.waiting_for IN ('QUEUE_PAUSED', 'QUEUE_CONCURRENCY') AND held.queue = k.queue AND held.run_at <= now()
        ORDER BY held.priority DESC NULLS LAST, held.run_at, held.id LIMIT k.n
        FOR UPDATE SKIP LOCKED) h
    ) r
    WHERE t.id = r.id
    RETURNING t.id, t.status`);
}

/** Dependents made ready that the worker whose outcomes made them so starts at once. */
export interface TakeReady {
  workerId: string;
  kinds: readonly string[];
  limit: number;
  leaseSeconds: number;
}

/**
 * A CTE body (for alsoChanged, named `settled`) that settles the dependents of the tasks in
 * `changed` that have just ended (task_settle_dependents, drizzle/0008): made pending by their last
 * dependency, or cancelled by a failed one; with `take`, some of those made ready started for that
 * worker. Only tasks with dependents call it, so a statement over tasks without any pays one look
 * at its own rows.
 */
export function settleDependents(take?: TakeReady): SQL {
  const taking = take ? sql`, ${take.workerId}::text, ${textArray(take.kinds)}, ${take.limit}::int, ${take.leaseSeconds}::int` : sql``;
  return sql`
    SELECT s.* FROM task_settle_dependents(ARRAY(
      SELECT id FROM changed WHERE has_dependents AND status::text IN ('completed', 'failed', 'cancelled', 'timed_out'))${taking})
      WITH ORDINALITY AS s (event_task_id, event_type, event_status, event_data, ord)
    WHERE EXISTS (SELECT 1 FROM changed WHERE has_dependents)`;
}

/** Whether a change that may release holds and settle dependents has made a task claimable. */
export const releasedOrReady = sql`EXISTS (SELECT 1 FROM released) OR EXISTS (SELECT 1 FROM settled WHERE event_type = 'ready')`;

/**
 * The events of a change that frees slots and may end tasks with dependents (`changes` selects
 * id, type, status, data from `changed`): then a `released` event for each task in the CTE
 * `released` (releaseHolds), then those of `settled` (settleDependents) in the order it gave them:
 * each release follows the change that freed its slot, each dependent the change that settled it.
 */
export function changedThenReleased(changes: SQL): Pick<EventRows, 'from' | 'taskId' | 'type' | 'status' | 'data' | 'orderBy'> {
  return {
    from: sql`(SELECT id, type, status, data, 0 AS step, id AS ord FROM (${changes}) AS c
      UNION ALL SELECT id, 'released', status, NULL::jsonb, 1, id FROM released
      UNION ALL SELECT event_task_id, event_type, event_status, event_data, 2, ord FROM settled) AS e`,
    taskId: sql`e.id`,
    type: sql`e.type`,
    status: sql`e.status`,
    data: sql`e.data`,
    orderBy: sql`e.step, e.ord`,
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

/**
 * A text[] parameter that both drivers accept: an array literal in which every element is quoted,
 * with `"` and `\` escaped, so commas, quotes, backslashes and newlines arrive as they were sent.
 */
export function textArray(values: readonly string[]): SQL {
  return sql`${arrayLiteral(values)}::text[]`;
}

export const arrayLiteral = (values: readonly string[]) => `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

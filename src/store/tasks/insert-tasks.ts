// Creating tasks: one INSERT for a whole burst (see tasks/creator.ts), with their events.
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { taskColumns, type Task } from '../rows.js';
import { eventStatement } from '../statement.js';

export interface NewTask {
  kind: string;
  input: unknown;
  priority: number;
  runAt: Date | null;
  maxAttempts: number;
  timeoutSeconds: number;
  idempotencyKey: string | null;
  queue: string;
  concurrencyKey: string | null;
  uniqueKey: string | null;
  /** With a uniqueKey: the key is taken for this long from creation; null: while pending or running. */
  uniqueSeconds: number | null;
  /** The W3C traceparent of the creating request (telemetry/trace-parent.ts); left out when it was not traced. */
  traceParent?: string | null;
}

/** Who takes tasks as they are created, and which: claim[i] for tasks[i]. */
export interface Claimant {
  workerId: string;
  leaseSeconds: number;
  claim: readonly boolean[];
}

const columns = taskColumns('changed');

/**
 * A due task is held from its creation when its queue is paused or already runs all its
 * concurrency allows (a task leaving running releases it), or when its key already has as many
 * tasks running or due as its keyConcurrency: it does not enter the claim index only to be held by
 * the next claim. A task due later, or claimed by its creator, is not.
 */
const HELD_AT_CREATION = sql.raw(`CASE WHEN c.worker_id IS NOT NULL OR coalesce(input.run_at, now()) > now() THEN NULL
    WHEN r.paused THEN 'QUEUE_PAUSED'
    WHEN r.running >= r.concurrency THEN 'QUEUE_CONCURRENCY'
    WHEN input.concurrency_key IS NOT NULL AND (
      SELECT count(*) FROM (
        SELECT 1 FROM tasks k WHERE k.status = 'running' AND k.concurrency_key IS NOT NULL
          AND k.queue = input.queue AND k.concurrency_key = input.concurrency_key
        UNION ALL
        SELECT 1 FROM tasks k WHERE k.status = 'pending' AND k.concurrency_key IS NOT NULL AND k.queue = input.queue
          AND k.concurrency_key = input.concurrency_key AND k.run_at <= now()
        LIMIT coalesce(r.key_limit, 1)) AS busy) >= coalesce(r.key_limit, 1) THEN 'KEY_CONCURRENCY'
  END`);

const DRAWN_IDS = sql`SELECT ord, nextval(pg_get_serial_sequence('tasks', 'id')) AS id FROM (SELECT ord FROM input ORDER BY ord) o`;

/**
 * The windows of keys taken for a time, in key order; one whose task's idempotency key exists
 * already is not taken (that task is not inserted). An expired window is taken over.
 */
const WINDOWS = sql`INSERT INTO task_unique_windows AS w (unique_key, task_id, until)
  SELECT i.unique_key, d.id, now() + make_interval(secs => i.unique_seconds)
  FROM input i JOIN drawn d USING (ord)
  WHERE i.unique_seconds IS NOT NULL
    AND (i.idempotency_key IS NULL OR NOT EXISTS (SELECT 1 FROM tasks t WHERE t.idempotency_key = i.idempotency_key))
  ORDER BY i.unique_key
  ON CONFLICT (unique_key) DO UPDATE SET task_id = excluded.task_id, until = excluded.until WHERE w.until <= now()
  RETURNING task_id`;

/**
 * Inserts tasks in one statement and returns the rows it inserted, in input order. A task whose
 * idempotency key exists already, or whose unique key is taken, is not inserted. Each queue named
 * gets its row. With a claimant, the tasks it marks are inserted already claimed by that worker
 * (RUNNING, attempt 1, leased, with their `started` event after `created`), unless its row says
 * paused or scaled to zero, or the task is in a queue with a rule or has a concurrency key (those
 * go through the claim's gate): an executor in this process with free slots starts them without
 * a claim statement.
 */
export async function insertTasks(db: Database, tasks: readonly NewTask[], claimant?: Claimant): Promise<Task[]> {
  const rows = inputRows(tasks, claimant);
  const workerId = claimant?.workerId ?? null;
  // A unique key is inserted in key order, so that two creates of overlapping keys wait for each
  // other in turn rather than in a cycle; its ids are drawn first, in input order. A key taken for
  // a time is claimed in task_unique_windows by its task's id. The common statement leaves the ids
  // to the identity column.
  const keyed = tasks.some((t) => t.uniqueKey !== null);
  const windowed = tasks.some((t) => t.uniqueKey !== null && t.uniqueSeconds !== null);
  const inserted = await db.query(
    eventStatement({
      inputs: [
        {
          name: 'input',
          body: sql`SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(
            ord int, kind text, input jsonb, priority int, run_at timestamptz, max_attempts int, timeout_seconds int,
            idempotency_key text, queue text, concurrency_key text, unique_key text, unique_seconds int, claim boolean, trace_parent text)`,
        },
        {
          // Only queues not there yet: inserting over an existing row would wait for any claim that
          // has it locked.
          name: 'queue_rows',
          body: sql`INSERT INTO queues (name) SELECT DISTINCT queue FROM input
            WHERE NOT EXISTS (SELECT 1 FROM queues q WHERE q.name = input.queue) ON CONFLICT DO NOTHING RETURNING name`,
        },
        {
          // Read by the insert, so queue_rows is written before the event lock is taken (a new
          // queue another create is inserting too is waited for, and not under that lock).
          name: 'rules',
          materialized: true,
          body: sql`SELECT name, paused, concurrency, coalesce(key_concurrency, 1) AS key_limit,
              CASE WHEN concurrency IS NOT NULL THEN (SELECT coalesce(sum(n), 0) FROM task_counts c WHERE c.queue = queues.name AND c.status = 'running') END AS running
            FROM queues WHERE name IN (SELECT queue FROM input) AND (SELECT count(*) FROM queue_rows) >= 0`,
        },
        {
          // The claim statement's checks: a worker paused or scaled to zero in its row claims nothing.
          name: 'claimant',
          materialized: true,
          body: sql`SELECT ${workerId}::text AS worker_id, ${claimant?.leaseSeconds ?? 0}::int AS lease_seconds
            WHERE ${workerId}::text IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM workers w WHERE w.id = ${workerId}::text AND (w.state = 'paused' OR w.concurrency = 0))`,
        },
        ...(keyed ? [{ name: 'drawn', materialized: true, body: DRAWN_IDS }] : []),
        ...(windowed ? [{ name: 'windows', body: WINDOWS }] : []),
      ],
      changed: sql`
        INSERT INTO tasks (${sql.raw(keyed ? 'id, ' : '')}kind, input, priority, run_at, max_attempts, timeout_seconds, idempotency_key,
          queue, concurrency_key, unique_key, unique_until, waiting_for, status, attempts, worker_id, started_at, lease_expires_at, trace_parent)
        ${sql.raw(keyed ? 'OVERRIDING SYSTEM VALUE ' : '')}SELECT ${sql.raw(keyed ? 'd.id, ' : '')}kind, input, priority, coalesce(run_at, now()),
          max_attempts, timeout_seconds, idempotency_key, queue, concurrency_key, unique_key,
          now() + make_interval(secs => unique_seconds), ${HELD_AT_CREATION},
          CASE WHEN c.worker_id IS NULL THEN 'pending' ELSE 'running' END::task_status,
          CASE WHEN c.worker_id IS NULL THEN 0 ELSE 1 END, c.worker_id,
          CASE WHEN c.worker_id IS NOT NULL THEN now() END, now() + make_interval(secs => c.lease_seconds), input.trace_parent
        -- Due by the database's clock, as a claim would judge it; not in a queue with a rule nor with a key.
        FROM input LEFT JOIN rules r ON r.name = input.queue
          LEFT JOIN claimant c ON input.claim AND coalesce(input.run_at, now()) <= now() AND input.concurrency_key IS NULL
            AND NOT EXISTS (SELECT 1 FROM queues q WHERE q.name = input.queue AND (q.paused OR q.concurrency IS NOT NULL OR q.rate_limit IS NOT NULL))
        ${keyed ? sql`JOIN drawn d USING (ord)` : sql``}
        ${windowed ? sql`WHERE input.unique_seconds IS NULL OR d.id IN (SELECT task_id FROM windows)` : sql``}
        ORDER BY ${keyed ? sql`input.unique_key, ord` : sql`ord`}
        ON CONFLICT DO NOTHING
        RETURNING *`,
      events: {
        // Only tasks left pending are work for the other executors.
        wake: sql`CASE WHEN EXISTS (SELECT 1 FROM changed WHERE status = 'pending') THEN 'n' ELSE '' END`,
        from: sql`changed, LATERAL (
          SELECT 'created' AS type, 'pending'::task_status AS status,
            CASE WHEN changed.waiting_for IS NOT NULL THEN jsonb_build_object('waitingFor', changed.waiting_for) END AS data
          UNION ALL
          -- Built only for the tasks claimed, not for every task of a bulk create.
          SELECT 'started', 'running', jsonb_build_object('attempt', attempts, 'workerId', worker_id)
          WHERE changed.status = 'running') AS e`,
        taskId: sql`id`,
        type: sql`e.type`,
        status: sql`e.status`,
        data: sql`e.data`,
        orderBy: sql`id, e.type = 'started'`,
      },
      dueLater: tasks.some((t) => t.runAt !== null) ? sql`SELECT run_at, kind FROM changed WHERE status = 'pending'` : undefined,
      select: columns.list,
      orderBy: sql`changed.id`,
    }),
  );
  return inserted.map(columns.decode);
}

/** The tasks as the statement's input reads them, in input order (ord). */
function inputRows(tasks: readonly NewTask[], claimant?: Claimant) {
  return tasks.map((t, ord) => ({
    ord,
    kind: t.kind,
    input: t.input,
    priority: t.priority,
    run_at: t.runAt?.toISOString() ?? null,
    max_attempts: t.maxAttempts,
    timeout_seconds: t.timeoutSeconds,
    idempotency_key: t.idempotencyKey,
    queue: t.queue,
    concurrency_key: t.concurrencyKey,
    unique_key: t.uniqueKey,
    unique_seconds: t.uniqueKey === null ? null : t.uniqueSeconds,
    // Left out unless true (JSON.stringify drops undefined): NULL joins no claimant.
    claim: claimant?.claim[ord] || undefined,
    // Likewise: an untraced task adds nothing to the statement's JSON.
    trace_parent: t.traceParent ?? undefined,
  }));
}

import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  primaryKey,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const taskStatus = pgEnum('task_status', [
  // Until every task it depends on has completed (then pending, in the statement of the last one).
  'waiting',
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
  'timed_out',
]);

/** The one definition of a task's status; GraphQL, the store and the dashboard derive theirs from it. */
export type TaskStatus = (typeof taskStatus.enumValues)[number];

/** What holds a pending task back: its queue paused, at its concurrency, at its rate, or its key at its concurrency. */
export const WAITING_FOR = ['QUEUE_PAUSED', 'QUEUE_CONCURRENCY', 'KEY_CONCURRENCY', 'RATE_LIMIT'] as const;
export type WaitingFor = (typeof WAITING_FOR)[number];

/** Why an attempt failed, as stored in tasks.error and in events. */
export interface TaskError {
  message: string;
  code: string;
}

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const tasks = pgTable(
  'tasks',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text('kind').notNull(),
    input: jsonb('input'),
    status: taskStatus('status').notNull().default('pending'),
    priority: integer('priority').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(3),
    timeoutSeconds: integer('timeout_seconds').notNull().default(1800),
    runAt: tz('run_at').notNull().defaultNow(),
    progress: real('progress'),
    progressMessage: text('progress_message'),
    result: jsonb('result'),
    error: jsonb('error').$type<TaskError>(),
    idempotencyKey: text('idempotency_key'),
    workerId: text('worker_id'),
    leaseExpiresAt: tz('lease_expires_at'),
    createdAt: tz('created_at').notNull().defaultNow(),
    startedAt: tz('started_at'),
    finishedAt: tz('finished_at'),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    // Log lines and bytes written so far, so a runaway task's log is capped in the same statement
    // that would write past the cap.
    logLines: integer('log_lines').notNull().default(0),
    logBytes: integer('log_bytes').notNull().default(0),
    queue: text('queue').notNull().default('default'),
    // Tasks of one queue with the same key run at most the queue's keyConcurrency at once.
    concurrencyKey: text('concurrency_key'),
    // Why a pending task is held back by a limit (see WaitingFor); null when claimable once due.
    // A held task is outside the claim index, so claims do not scan past a blocked backlog.
    waitingFor: text('waiting_for').$type<WaitingFor>(),
    // While a task with this key is pending or running (or, with uniqueUntil, until then), a
    // create with the same key returns it instead of a new task.
    uniqueKey: text('unique_key'),
    uniqueUntil: tz('unique_until'),
    // The tasks this one runs after (null: none); task_dependencies holds the same edges by parent.
    dependsOn: bigint('depends_on', { mode: 'number' }).array(),
    // Of those, how many have not settled yet (completed, or, with runIfDependenciesFail, ended
    // otherwise): kept by the statements that settle them, so that the last one makes it pending
    // without reading every sibling (a fan-in of thousands).
    dependenciesLeft: integer('dependencies_left').notNull().default(0),
    runIfDependenciesFail: boolean('run_if_dependencies_fail').notNull().default(false),
    // Set when a task that depends on this one is created: only the outcomes of such tasks look for
    // dependents to settle, so a queue without dependencies pays nothing for them.
    hasDependents: boolean('has_dependents').notNull().default(false),
    flowId: bigint('flow_id', { mode: 'number' }),
    // The W3C traceparent of the request that created it, when that request was traced: each
    // attempt's span links to it. Null otherwise, so a server without tracing stores nothing.
    traceParent: text('trace_parent'),
  },
  // Every index here is paid for on every state change (a status change is never a HOT update),
  // so there are as few as the reads need.
  (t) => [
    // The claim reads this index in claim order and nothing else: pending rows not held by a
    // limit, so it stays small however long the history or a blocked backlog grows.
    index('tasks_claim_idx')
      .on(t.priority.desc(), t.runAt, t.id)
      .where(sql`status = 'pending' AND waiting_for IS NULL`),
    // Tasks held by their queue (paused, at its concurrency or rate), in claim order: a claim that
    // finds a free slot releases the head.
    index('tasks_queue_held_idx')
      .on(t.queue, t.priority.desc(), t.runAt, t.id)
      .where(sql`status = 'pending' AND waiting_for IN ('QUEUE_PAUSED', 'QUEUE_CONCURRENCY', 'RATE_LIMIT')`),
    // Pending tasks with a key, by key in claim order: a task of the key that finishes releases the
    // head of the held ones, and the claim starts none while an earlier one of its key waits.
    index('tasks_key_pending_idx')
      .on(t.queue, t.concurrencyKey, t.priority.desc(), t.runAt, t.id)
      .where(sql`status = 'pending' AND concurrency_key IS NOT NULL`),
    // Running tasks per key: what a key's limit counts before a claim takes more. Only tasks with
    // a key are in it; a queue's running tasks are counted in task_counts.
    index('tasks_running_key_idx')
      .on(t.queue, t.concurrencyKey)
      .where(sql`status = 'running' AND concurrency_key IS NOT NULL`),
    uniqueIndex('tasks_unique_active_idx')
      .on(t.uniqueKey)
      .where(sql`unique_key IS NOT NULL AND unique_until IS NULL AND status IN ('pending', 'running')`),
    // Lease expiry sweeps and renewals touch running rows only: at most the total concurrency.
    index('tasks_running_lease_idx')
      .on(t.leaseExpiresAt)
      .where(sql`status = 'running'`),
    // Statistics read the most recently finished tasks; only finished rows are in it, and a row
    // enters it once, when it finishes.
    index('tasks_finished_idx')
      .on(t.finishedAt)
      .where(sql`finished_at IS NOT NULL`),
    // A flow's tasks, for its page and its counts.
    index('tasks_flow_idx')
      .on(t.flowId, t.id)
      .where(sql`flow_id IS NOT NULL`),
    uniqueIndex('tasks_idempotency_key_idx')
      .on(t.idempotencyKey)
      .where(sql`idempotency_key IS NOT NULL`),
  ],
);

// One row: the highest event id pruned so far, so a cursor from before it is refused as expired
// rather than resumed with a silent gap.
export const eventLogState = pgTable('event_log_state', {
  id: integer('id').primaryKey().default(1),
  prunedThrough: bigint('pruned_through', { mode: 'number' }).notNull().default(0),
});

// Append-only. Ids are taken under a transaction-scoped advisory lock held until commit, so id
// order is commit order and a reader that has seen id N has seen every committed event below N.
export const taskEvents = pgTable(
  'task_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    taskId: bigint('task_id', { mode: 'number' }).notNull(),
    type: text('type').notNull(),
    status: taskStatus('status').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>(),
    at: tz('at').notNull().defaultNow(),
  },
  (t) => [index('task_events_task_id_idx').on(t.taskId, t.id)],
);

export const workerKind = pgEnum('worker_kind', ['embedded', 'external']);
export const workerState = pgEnum('worker_state', ['active', 'paused', 'stopping', 'offline']);
export type WorkerKind = (typeof workerKind.enumValues)[number];
export type WorkerState = (typeof workerState.enumValues)[number];

// Every executor: the embedded one in each server process and each external worker. The row is
// also the command channel: a client changes concurrency or state here, from any process, and the
// worker's own process picks it up on NOTIFY or, failing that, at its next heartbeat.
export const workers = pgTable('workers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: workerKind('kind').notNull(),
  host: text('host'),
  pid: integer('pid'),
  kinds: text('kinds').array().notNull(),
  concurrency: integer('concurrency').notNull(),
  running: integer('running').notNull().default(0),
  processed: bigint('processed', { mode: 'number' }).notNull().default(0),
  succeeded: bigint('succeeded', { mode: 'number' }).notNull().default(0),
  failed: bigint('failed', { mode: 'number' }).notNull().default(0),
  state: workerState('state').notNull().default('active'),
  leaseSeconds: integer('lease_seconds').notNull(),
  startedAt: tz('started_at').notNull().defaultNow(),
  lastHeartbeatAt: tz('last_heartbeat_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
  // Ids of this external worker's tasks cancelled since its last heartbeat, which hands them over.
  cancelledTaskIds: bigint('cancelled_task_ids', { mode: 'number' }).array().notNull().default(sql`'{}'`),
});

// Tasks per queue, kind and status, kept exact by statement-level triggers on tasks (one upsert
// per group a statement touched, not one per row), so counting a million tasks reads a few rows.
export const taskCounts = pgTable(
  'task_counts',
  {
    queue: text('queue').notNull().default('default'),
    kind: text('kind').notNull(),
    status: taskStatus('status').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.queue, t.kind, t.status] })],
);

// Tasks that reached a final status, per second, kind and status: throughput over the last minute
// and hour is a sum over at most 3,600 rows per kind. Kept by the same triggers; pruned after a day.
export const taskFinishes = pgTable(
  'task_finishes',
  {
    second: tz('second').notNull(),
    queue: text('queue').notNull().default('default'),
    kind: text('kind').notNull(),
    status: taskStatus('status').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.second, t.queue, t.kind, t.status] })],
);

// A queue exists once a task names it or its limits are set. Its rules are read and enforced by
// the claim (claim_tasks), under this row's lock, so they hold across every process and worker.
export const queues = pgTable('queues', {
  name: text('name').primaryKey(),
  paused: boolean('paused').notNull().default(false),
  /** At most this many of its tasks running at once; null: no limit. */
  concurrency: integer('concurrency'),
  /** At most this many running at once per concurrency key; null: 1. */
  keyConcurrency: integer('key_concurrency'),
  /** At most rateLimit starts in any window of ratePeriodSeconds; null: no limit. */
  rateLimit: integer('rate_limit'),
  ratePeriodSeconds: integer('rate_period_seconds'),
  /** The starts within the last period, [[epoch ms, n], ...], kept by the claim. */
  rateStarts: jsonb('rate_starts').$type<Array<[number, number]>>().notNull().default(sql`'[]'::jsonb`),
  createdAt: tz('created_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

// A uniqueKey with a time window (uniqueWhile FOR_SECONDS): the task that holds the key, until when.
export const taskUniqueWindows = pgTable('task_unique_windows', {
  uniqueKey: text('unique_key').primaryKey(),
  taskId: bigint('task_id', { mode: 'number' }).notNull(),
  until: tz('until').notNull(),
});

// The edges of the dependency graph by parent: the tasks to settle when `dependsOn` ends.
export const taskDependencies = pgTable(
  'task_dependencies',
  {
    dependsOn: bigint('depends_on', { mode: 'number' }).notNull(),
    taskId: bigint('task_id', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.dependsOn, t.taskId] })],
);

// A graph of tasks created in one createFlow. Its status follows its tasks' (flow_counts, kept by
// the statistics triggers): running while any is waiting, pending or running, then completed if
// every one completed, otherwise failed.
export const flows = pgTable('flows', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  name: text('name'),
  status: text('status').$type<'running' | 'completed' | 'failed'>().notNull().default('running'),
  createdAt: tz('created_at').notNull().defaultNow(),
  finishedAt: tz('finished_at'),
});

// A flow's tasks per status, exact, kept by the same statement-level triggers as task_counts.
export const flowCounts = pgTable(
  'flow_counts',
  {
    flowId: bigint('flow_id', { mode: 'number' }).notNull(),
    status: taskStatus('status').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.status] })],
);

// A cron schedule: a task of its kind at every tick. next_run_at is the tick due next; the one
// statement that moves it from a tick to the following one (a compare-and-set) creates that
// tick's task, so a tick gets one task however many processes run the scheduler (store/schedules).
export const schedules = pgTable('schedules', {
  name: text('name').primaryKey(),
  /** Five fields, or six with seconds first (croner). */
  cron: text('cron').notNull(),
  /** The IANA zone the fields are read in. */
  timezone: text('timezone').notNull().default('UTC'),
  kind: text('kind').notNull(),
  input: jsonb('input'),
  queue: text('queue').notNull().default('default'),
  priority: integer('priority').notNull().default(0),
  maxAttempts: integer('max_attempts').notNull().default(3),
  timeoutSeconds: integer('timeout_seconds').notNull().default(1800),
  /** A tick missed while no process ran is still made this long after it; 0: skipped. */
  backfillSeconds: integer('backfill_seconds').notNull().default(0),
  paused: boolean('paused').notNull().default(false),
  nextRunAt: tz('next_run_at').notNull(),
  /** The tick of the last task made, and that task. */
  lastRunAt: tz('last_run_at'),
  lastTaskId: bigint('last_task_id', { mode: 'number' }),
  createdAt: tz('created_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

// A task create_task (drizzle/0010) has staged in the caller's transaction: a deferred trigger
// writes it as a task at that transaction's commit and deletes the row, so the queue's locks are
// held for the commit only, not from the call on. A row never outlives its transaction. No
// foreign key to queues: checking one would lock the queue's row from the call on.
export const taskIntents = pgTable('task_intents', {
  /** The task's id, drawn from the tasks sequence at the call and returned to the caller. */
  id: bigint('id', { mode: 'number' }).primaryKey(),
  kind: text('kind').notNull(),
  input: jsonb('input'),
  queue: text('queue').notNull(),
  priority: integer('priority').notNull(),
  maxAttempts: integer('max_attempts').notNull(),
  timeoutSeconds: integer('timeout_seconds').notNull(),
  /** Null: due at once, from the commit that writes the task. */
  runAt: tz('run_at'),
  concurrencyKey: text('concurrency_key'),
  idempotencyKey: text('idempotency_key'),
  uniqueKey: text('unique_key'),
  uniqueSeconds: integer('unique_seconds'),
});

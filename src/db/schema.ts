import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
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
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
  'timed_out',
]);

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
    error: jsonb('error'),
    idempotencyKey: text('idempotency_key'),
    workerId: text('worker_id'),
    leaseExpiresAt: tz('lease_expires_at'),
    createdAt: tz('created_at').notNull().defaultNow(),
    startedAt: tz('started_at'),
    finishedAt: tz('finished_at'),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  // Every index here is paid for on every state change (a status change is never a HOT update),
  // so there are as few as the reads need.
  (t) => [
    // The claim reads this index in claim order and nothing else: pending rows only, so it stays
    // small however long the history grows.
    index('tasks_claim_idx')
      .on(t.priority.desc(), t.runAt, t.id)
      .where(sql`status = 'pending'`),
    // Lease expiry sweeps and renewals touch running rows only: at most the total concurrency.
    index('tasks_running_lease_idx')
      .on(t.leaseExpiresAt)
      .where(sql`status = 'running'`),
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
    data: jsonb('data'),
    at: tz('at').notNull().defaultNow(),
  },
  (t) => [index('task_events_task_id_idx').on(t.taskId, t.id)],
);

// The NOTIFY channels and what their payloads say. A notification is only a wake-up: it never
// carries task data (and Postgres caps payloads at 8,000 bytes); the tables are the truth.

/** Sent by every statement that writes task events (see statement.ts). */
export const EVENTS_CHANNEL = 'task_events';

/** Sent with a worker's id by every statement that changes its row (see workers/). */
export const WORKERS_CHANNEL = 'task_workers';

/** Sent with a queue's name when its rules change (see queues/). */
export const QUEUES_CHANNEL = 'task_queues';

/** Sent with a schedule's name when it is made, changed, paused, resumed or deleted (see schedules/). */
export const SCHEDULES_CHANNEL = 'task_schedules';

/**
 * What a NOTIFY on EVENTS_CHANNEL says besides "new events": whether a task may be claimable now,
 * the types of event the transaction wrote, and the ids around its events: every event at or below
 * `before` is committed or rolled back, and its own are above it, up to `last`. A process where no
 * one follows those types, and that has seen everything up to `before`, moves its cursor to `last`
 * without reading the table.
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
 * A channel of its own, so that servers of an earlier version, which do not listen on it, are not
 * disturbed: when tasks a statement made pending become due later (a retry's backoff, a runAt),
 * its payload lists in how many ms, from the statement's now(), the earliest of those times come,
 * each with its kind (at most DUE_TIMES, `ms:kind`, comma-separated; kind names hold no comma).
 * The executors that run the kind claim then, instead of at their next poll.
 */
export const TASKS_DUE_CHANNEL = 'task_due';
export const DUE_TIMES = 20;

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

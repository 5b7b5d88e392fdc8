// Every SQL statement of the product, one per file under src/store/, grouped by who runs it; this
// binds them to a database. Outside src/store/, only the migrations (drizzle/, db/migrate.ts) do SQL.
import type { Database } from '../db/client.js';
import * as claims from './claims/index.js';
import { DEFAULT_LOG_LIMITS, type LogLimits } from './claims/append-log.js';
import * as events from './events/index.js';
import * as flows from './flows/index.js';
import * as queues from './queues/index.js';
import * as retention from './retention/index.js';
import * as schedules from './schedules/index.js';
import { taskStats } from './stats/task-stats.js';
import * as tasks from './tasks/index.js';
import * as workers from './workers/index.js';

type Statement = (db: Database, ...args: never[]) => unknown;
type Bound<T> = { [K in keyof T]: T[K] extends (db: Database, ...args: infer A) => infer R ? (...args: A) => R : never };

/** Each statement with its database given. */
function bind<T extends Record<string, Statement>>(db: Database, statements: T): Bound<T> {
  const bound: Record<string, unknown> = {};
  for (const [name, statement] of Object.entries(statements)) bound[name] = (...args: never[]) => statement(db, ...args);
  return bound as Bound<T>;
}

export function createStore(db: Database, options: { logs?: LogLimits } = {}) {
  const { appendLog, ...claimStatements } = claims;
  const logs = options.logs ?? DEFAULT_LOG_LIMITS;
  return {
    tasks: bind(db, tasks),
    claims: { ...bind(db, claimStatements), appendLog: (line: Parameters<typeof appendLog>[2]) => appendLog(db, logs, line) },
    events: bind(db, events),
    flows: bind(db, flows),
    queues: bind(db, queues),
    retention: bind(db, retention),
    schedules: bind(db, schedules),
    stats: bind(db, { taskStats }),
    workers: bind(db, workers),
  };
}

export type Store = ReturnType<typeof createStore>;
export type ClaimStore = Store['claims'];
export type { ClaimedTask, NewWorker, Task, TaskError, TaskEvent, TaskStatus, Worker, WorkerKind, WorkerState } from './rows.js';
export { TERMINAL } from './rows.js';
export type { LogLimits } from './claims/append-log.js';
export { eventOf, type Finished, type Outcome } from './claims/finish.js';
export type { TakeReady } from './statement.js';
export type { Claimed } from './claims/claim.js';
export type { OverdueTask } from './claims/overdue-external.js';
export type { ReleaseReason } from './claims/release.js';
export type { EventFilter } from './events/read-next.js';
export type { Flow, FlowPage, FlowSnapshot } from './flows/index.js';
export type { Queue, QueueChange } from './queues/index.js';
export type { Schedule, ScheduleDefinition, Tick } from './schedules/index.js';
export type { Durations, TaskStats } from './stats/task-stats.js';
export { STATS_SAMPLE } from './stats/task-stats.js';
export type { Claimant, NewTask } from './tasks/insert-tasks.js';
export type { GraphTask } from './tasks/insert-graph.js';
export type { TaskFilter } from './tasks/task-filter.js';
export type { WorkerReport } from './workers/beat.js';
export { DependenciesNotFound, TaskInWrongState, TaskNotFound, UniqueKeyTaken } from './errors.js';
export { EVENTS_CHANNEL, QUEUES_CHANNEL, SCHEDULES_CHANNEL, TASKS_DUE_CHANNEL, WORKERS_CHANNEL, parseDueNotice, parseEventNotice, type DueTime, type EventNotice } from './notices.js';

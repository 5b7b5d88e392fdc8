// What the store's statements return, as the drizzle schema types them (see columns.ts).
import { taskEvents, tasks, workers, type TaskStatus } from '../db/schema.js';
import { selection, type Decoded } from './columns.js';

export type { TaskError, TaskStatus, WaitingFor, WorkerKind, WorkerState } from '../db/schema.js';

export const TERMINAL: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled', 'timed_out']);

const TASK_KEYS = [
  'id', 'kind', 'input', 'status', 'priority', 'attempts', 'maxAttempts', 'timeoutSeconds', 'runAt', 'progress',
  'progressMessage', 'result', 'error', 'idempotencyKey', 'workerId', 'createdAt', 'startedAt', 'finishedAt', 'updatedAt',
  'queue', 'concurrencyKey', 'waitingFor', 'uniqueKey', 'uniqueUntil', 'dependsOn', 'runIfDependenciesFail', 'flowId', 'hasDependents',
  'traceParent',
] as const;

export type Task = Decoded<typeof tasks, (typeof TASK_KEYS)[number], 'id' | 'dependsOn' | 'flowId'>;

/** A task's columns as clients see them, read from `alias`. */
export const taskColumns = (alias: string) => selection(tasks, alias, TASK_KEYS, ['id', 'dependsOn', 'flowId']);

/** What an executor needs of a task it claimed: no more columns than it reads. */
/** hasDependents: tasks depend on it, so its outcome may make them ready (and start them here). */
/** queue and traceParent: for the attempt's span (null unless its creation was traced). */
export type ClaimedTask = Pick<
  Task,
  'id' | 'kind' | 'input' | 'attempts' | 'maxAttempts' | 'timeoutSeconds' | 'runAt' | 'dependsOn' | 'hasDependents' | 'queue' | 'traceParent'
>;

export const claimedColumns = (alias: string) =>
  selection(
    tasks,
    alias,
    ['id', 'kind', 'input', 'attempts', 'maxAttempts', 'timeoutSeconds', 'runAt', 'dependsOn', 'hasDependents', 'queue', 'traceParent'],
    ['id', 'dependsOn'],
  );

export type TaskEvent = Decoded<typeof taskEvents, 'id' | 'taskId' | 'type' | 'status' | 'data' | 'at', 'taskId'>;

export const eventColumns = selection(taskEvents, 'e', ['id', 'taskId', 'type', 'status', 'data', 'at'], ['taskId']);

const WORKER_KEYS = [
  'id', 'name', 'kind', 'host', 'pid', 'kinds', 'concurrency', 'running', 'processed', 'succeeded', 'failed', 'state',
  'leaseSeconds', 'startedAt', 'lastHeartbeatAt', 'updatedAt',
] as const;

export type Worker = Decoded<typeof workers, (typeof WORKER_KEYS)[number]>;

/** What a worker says of itself when it registers. */
export type NewWorker = Pick<Worker, 'id' | 'name' | 'kind' | 'host' | 'pid' | 'kinds' | 'concurrency' | 'leaseSeconds'>;

export const workerColumns = selection(workers, 'w', WORKER_KEYS);

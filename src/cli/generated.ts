/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CreateFlowInput = {
  name?: string | null | undefined;
  /** Written in one statement: all or none. At most 10,000. */
  tasks: Array<FlowTaskInput>;
};

export type CreateTaskInput = {
  /** Tasks of its queue with the same key run at most the queue's keyConcurrency (default 1) at once, in priority and runAt order; other keys go on. */
  concurrencyKey?: string | null | undefined;
  /** Tasks that must complete first: until then this task is WAITING, and PENDING in the statement that completes the last of them. */
  dependsOn?: Array<string | number> | null | undefined;
  /** A repeated key returns the existing task instead of a new one, for good. Not with dependsOn. */
  idempotencyKey?: string | null | undefined;
  /** Passed to the handler as is (a typed kind checks it against its schema). */
  input?: unknown;
  kind: string;
  /** Attempts before the task fails for good; default 3. */
  maxAttempts?: number | null | undefined;
  /** Higher runs first; -1000 to 1000; default 0. */
  priority?: number | null | undefined;
  /** The queue whose rules it runs under: 1 to 64 letters, digits, ".", "_" or "-"; default "default". */
  queue?: string | null | undefined;
  /** Do not run before this time; default now. */
  runAt?: string | null | undefined;
  /** Run once every dependency has ended, whatever its outcome; by default a dependency that fails, is cancelled or times out cancels this task (DEPENDENCY_FAILED). */
  runIfDependenciesFail?: boolean | null | undefined;
  /** An attempt running longer is aborted; default 1800. */
  timeoutSeconds?: number | null | undefined;
  /** While a task with this key is PENDING or RUNNING (or, with FOR_SECONDS, for that long), createTask returns it instead of a new one (deduplicated: true). Unlike idempotencyKey, the key is free again afterwards. Not with dependsOn. */
  uniqueKey?: string | null | undefined;
  /** With uniqueWhile FOR_SECONDS: for how many seconds. */
  uniqueSeconds?: number | null | undefined;
  /** How long uniqueKey is taken; default ACTIVE. A key taken FOR_SECONDS and the same key taken ACTIVE do not exclude each other. */
  uniqueWhile?: UniqueWhile | null | undefined;
};

export type FlowStatus =
  /** Every one of its tasks COMPLETED. */
  | 'COMPLETED'
  /** Every one of its tasks ended, and not all COMPLETED. */
  | 'FAILED'
  /** Some of its tasks are WAITING, PENDING or RUNNING. */
  | 'RUNNING';

export type FlowTaskInput = {
  /** Tasks of its queue with the same key run at most the queue's keyConcurrency (default 1) at once, in priority and runAt order; other keys go on. */
  concurrencyKey?: string | null | undefined;
  /** Refs of tasks of this flow, or ids of existing tasks, that must complete first. */
  dependsOn?: Array<string> | null | undefined;
  /** A repeated key returns the existing task instead of a new one, for good. Not with dependsOn. */
  idempotencyKey?: string | null | undefined;
  /** Passed to the handler as is (a typed kind checks it against its schema). */
  input?: unknown;
  kind: string;
  /** Attempts before the task fails for good; default 3. */
  maxAttempts?: number | null | undefined;
  /** Higher runs first; -1000 to 1000; default 0. */
  priority?: number | null | undefined;
  /** The queue whose rules it runs under: 1 to 64 letters, digits, ".", "_" or "-"; default "default". */
  queue?: string | null | undefined;
  /** Its name within the flow, for the dependsOn of the others. */
  ref: string;
  /** Do not run before this time; default now. */
  runAt?: string | null | undefined;
  /** Run once every dependency has ended, whatever its outcome; by default a dependency that fails, is cancelled or times out cancels this task (DEPENDENCY_FAILED). */
  runIfDependenciesFail?: boolean | null | undefined;
  /** An attempt running longer is aborted; default 1800. */
  timeoutSeconds?: number | null | undefined;
  /** While a task with this key is PENDING or RUNNING (or, with FOR_SECONDS, for that long), createTask returns it instead of a new one (deduplicated: true). Unlike idempotencyKey, the key is free again afterwards. Not with dependsOn. */
  uniqueKey?: string | null | undefined;
  /** With uniqueWhile FOR_SECONDS: for how many seconds. */
  uniqueSeconds?: number | null | undefined;
  /** How long uniqueKey is taken; default ACTIVE. A key taken FOR_SECONDS and the same key taken ACTIVE do not exclude each other. */
  uniqueWhile?: UniqueWhile | null | undefined;
};

export type RateLimitInput = {
  /** Starts allowed per window; 0 or more. */
  limit: number;
  /** The window, in seconds; 1 or more. */
  periodSeconds: number;
};

export type TaskStatus =
  /** Cancelled by a client, or because a task it depended on did not complete (error.code DEPENDENCY_FAILED). */
  | 'CANCELLED'
  /** Finished with a result. */
  | 'COMPLETED'
  /** Failed on its last allowed attempt. */
  | 'FAILED'
  /** Waiting to be claimed (possibly until runAt). */
  | 'PENDING'
  /** Claimed by a worker; its handler is running. */
  | 'RUNNING'
  /** Its last allowed attempt ran past timeoutSeconds. */
  | 'TIMED_OUT'
  /** Waits for the tasks it depends on (dependsOn) to complete; then pending. */
  | 'WAITING';

export type UniqueWhile =
  /** The key is taken while its task is PENDING or RUNNING. */
  | 'ACTIVE'
  /** The key is taken for uniqueSeconds from the creation of its task, whatever becomes of it. */
  | 'FOR_SECONDS';

export type UpsertScheduleInput = {
  /** A tick missed while no server process ran is still made at start if it is at most this old, each such tick its own task, in order (at most the latest 100); 0 to 31622400, default 0: missed ticks are skipped. */
  backfillSeconds?: number | null | undefined;
  /** Five fields (minute hour day-of-month month day-of-week), or six with seconds first, as croner reads them; @daily and the like too. */
  cron: string;
  /** The task's input, the same at every tick. */
  input?: unknown;
  /** The kind of task each tick makes; it must be known now, as for createTask. */
  kind: string;
  /** Of its tasks; default 3. */
  maxAttempts?: number | null | undefined;
  /** Its name: 1 to 64 letters, digits, ".", "_" or "-". */
  name: string;
  /** True: no tick makes a task until resumed. Left out: a new schedule runs, an existing one keeps its state. */
  paused?: boolean | null | undefined;
  /** Of its tasks; -1000 to 1000; default 0. */
  priority?: number | null | undefined;
  /** The queue of its tasks; default "default". */
  queue?: string | null | undefined;
  /** Of its tasks; default 1800. */
  timeoutSeconds?: number | null | undefined;
  /** The IANA time zone the fields are read in, like Europe/Berlin; default UTC. */
  timezone?: string | null | undefined;
};

export type WorkerKind =
  /** The executor inside a server process. */
  | 'EMBEDDED'
  /** A worker that claims tasks over GraphQL. */
  | 'EXTERNAL';

export type WorkerState =
  /** Claiming and running tasks. */
  | 'ACTIVE'
  /** Stopped, or silent for longer than its lease (its tasks were requeued). */
  | 'OFFLINE'
  /** Claims nothing; tasks already running finish. */
  | 'PAUSED'
  /** Shutting down: finishing or handing back its tasks. */
  | 'STOPPING';

export type CliTaskFragment = { id: string, kind: string, status: TaskStatus, queue: string, waitingFor: string | null, attempts: number, maxAttempts: number, progress: number | null, progressMessage: string | null, result: unknown, createdAt: string, finishedAt: string | null, error: { code: string, message: string } | null };

export type CliWorkerFragment = { id: string, name: string, kind: WorkerKind, state: WorkerState, concurrency: number, running: number, processed: number, succeeded: number, failed: number, kinds: Array<string>, lastHeartbeatAt: string };

export type CliCreateMutationVariables = Exact<{
  input: CreateTaskInput;
}>;


export type CliCreateMutation = { createTask: { task: { id: string, kind: string, status: TaskStatus, queue: string, waitingFor: string | null, attempts: number, maxAttempts: number, progress: number | null, progressMessage: string | null, result: unknown, createdAt: string, finishedAt: string | null, error: { code: string, message: string } | null } } };

export type CliGetQueryVariables = Exact<{
  id: string | number;
}>;


export type CliGetQuery = { task: { id: string, kind: string, status: TaskStatus, queue: string, waitingFor: string | null, attempts: number, maxAttempts: number, progress: number | null, progressMessage: string | null, result: unknown, createdAt: string, finishedAt: string | null, error: { code: string, message: string } | null } | null };

export type CliCancelMutationVariables = Exact<{
  id: string | number;
}>;


export type CliCancelMutation = { cancelTask: { task: { id: string, kind: string, status: TaskStatus, queue: string, waitingFor: string | null, attempts: number, maxAttempts: number, progress: number | null, progressMessage: string | null, result: unknown, createdAt: string, finishedAt: string | null, error: { code: string, message: string } | null } } };

export type CliRetryMutationVariables = Exact<{
  id: string | number;
}>;


export type CliRetryMutation = { retryTask: { task: { id: string, kind: string, status: TaskStatus, queue: string, waitingFor: string | null, attempts: number, maxAttempts: number, progress: number | null, progressMessage: string | null, result: unknown, createdAt: string, finishedAt: string | null, error: { code: string, message: string } | null } } };

export type CliListQueryVariables = Exact<{
  status?: Array<TaskStatus> | TaskStatus | null | undefined;
  kind?: Array<string> | string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CliListQuery = { tasks: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, kind: string, status: TaskStatus, queue: string, waitingFor: string | null, attempts: number, maxAttempts: number, progress: number | null, progressMessage: string | null, result: unknown, createdAt: string, finishedAt: string | null, error: { code: string, message: string } | null }> } };

export type CliStatsQueryVariables = Exact<{
  kind?: string | null | undefined;
}>;


export type CliStatsQuery = { taskStats: { pending: number, running: number, completed: number, failed: number, cancelled: number, timedOut: number, total: number, successRate: number | null, queueWait: { p50Ms: number | null, p95Ms: number | null }, runTime: { p50Ms: number | null, p95Ms: number | null }, throughput: { lastMinute: number, lastHour: number } } };

export type CliWorkersQueryVariables = Exact<{
  states?: Array<WorkerState> | WorkerState | null | undefined;
}>;


export type CliWorkersQuery = { workers: Array<{ id: string, name: string, kind: WorkerKind, state: WorkerState, concurrency: number, running: number, processed: number, succeeded: number, failed: number, kinds: Array<string>, lastHeartbeatAt: string }> };

export type CliPauseMutationVariables = Exact<{
  id: string | number;
}>;


export type CliPauseMutation = { pauseWorker: { id: string, name: string, kind: WorkerKind, state: WorkerState, concurrency: number, running: number, processed: number, succeeded: number, failed: number, kinds: Array<string>, lastHeartbeatAt: string } };

export type CliResumeMutationVariables = Exact<{
  id: string | number;
}>;


export type CliResumeMutation = { resumeWorker: { id: string, name: string, kind: WorkerKind, state: WorkerState, concurrency: number, running: number, processed: number, succeeded: number, failed: number, kinds: Array<string>, lastHeartbeatAt: string } };

export type CliScaleMutationVariables = Exact<{
  id: string | number;
  n: number;
}>;


export type CliScaleMutation = { setWorkerConcurrency: { id: string, name: string, kind: WorkerKind, state: WorkerState, concurrency: number, running: number, processed: number, succeeded: number, failed: number, kinds: Array<string>, lastHeartbeatAt: string } };

export type CliFollowSubscriptionVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
}>;


export type CliFollowSubscription = { taskEvents: { cursor: string, type: string, status: TaskStatus, data: unknown, task: { id: string, kind: string, status: TaskStatus, queue: string, waitingFor: string | null, attempts: number, maxAttempts: number, progress: number | null, progressMessage: string | null, result: unknown, createdAt: string, finishedAt: string | null, error: { code: string, message: string } | null } } };

export type CliQueueFragment = { name: string, paused: boolean, concurrency: number | null, keyConcurrency: number | null, pending: number, running: number, waitingForLimit: number, rateLimit: { limit: number, periodSeconds: number } | null };

export type CliQueuesQueryVariables = Exact<{ [key: string]: never; }>;


export type CliQueuesQuery = { queues: Array<{ name: string, paused: boolean, concurrency: number | null, keyConcurrency: number | null, pending: number, running: number, waitingForLimit: number, rateLimit: { limit: number, periodSeconds: number } | null }> };

export type CliQueueLimitsMutationVariables = Exact<{
  name: string;
  concurrency?: number | null | undefined;
  keyConcurrency?: number | null | undefined;
  rateLimit?: RateLimitInput | null | undefined;
}>;


export type CliQueueLimitsMutation = { setQueueLimits: { name: string, paused: boolean, concurrency: number | null, keyConcurrency: number | null, pending: number, running: number, waitingForLimit: number, rateLimit: { limit: number, periodSeconds: number } | null } };

export type CliPauseQueueMutationVariables = Exact<{
  name: string;
}>;


export type CliPauseQueueMutation = { pauseQueue: { name: string, paused: boolean, concurrency: number | null, keyConcurrency: number | null, pending: number, running: number, waitingForLimit: number, rateLimit: { limit: number, periodSeconds: number } | null } };

export type CliResumeQueueMutationVariables = Exact<{
  name: string;
}>;


export type CliResumeQueueMutation = { resumeQueue: { name: string, paused: boolean, concurrency: number | null, keyConcurrency: number | null, pending: number, running: number, waitingForLimit: number, rateLimit: { limit: number, periodSeconds: number } | null } };

export type CliScheduleFragment = { name: string, cron: string, timezone: string, kind: string, input: unknown, queue: string, priority: number, maxAttempts: number, timeoutSeconds: number, backfillSeconds: number, paused: boolean, nextRunAt: string | null, lastRunAt: string | null, createdAt: string, updatedAt: string, lastTask: { id: string, status: TaskStatus } | null };

export type CliSchedulesQueryVariables = Exact<{ [key: string]: never; }>;


export type CliSchedulesQuery = { schedules: Array<{ name: string, cron: string, timezone: string, kind: string, input: unknown, queue: string, priority: number, maxAttempts: number, timeoutSeconds: number, backfillSeconds: number, paused: boolean, nextRunAt: string | null, lastRunAt: string | null, createdAt: string, updatedAt: string, lastTask: { id: string, status: TaskStatus } | null }> };

export type CliUpsertScheduleMutationVariables = Exact<{
  input: UpsertScheduleInput;
}>;


export type CliUpsertScheduleMutation = { upsertSchedule: { name: string, cron: string, timezone: string, kind: string, input: unknown, queue: string, priority: number, maxAttempts: number, timeoutSeconds: number, backfillSeconds: number, paused: boolean, nextRunAt: string | null, lastRunAt: string | null, createdAt: string, updatedAt: string, lastTask: { id: string, status: TaskStatus } | null } };

export type CliDeleteScheduleMutationVariables = Exact<{
  name: string;
}>;


export type CliDeleteScheduleMutation = { deleteSchedule: { name: string, cron: string, timezone: string, kind: string, input: unknown, queue: string, priority: number, maxAttempts: number, timeoutSeconds: number, backfillSeconds: number, paused: boolean, nextRunAt: string | null, lastRunAt: string | null, createdAt: string, updatedAt: string, lastTask: { id: string, status: TaskStatus } | null } };

export type CliPauseScheduleMutationVariables = Exact<{
  name: string;
}>;


export type CliPauseScheduleMutation = { pauseSchedule: { name: string, cron: string, timezone: string, kind: string, input: unknown, queue: string, priority: number, maxAttempts: number, timeoutSeconds: number, backfillSeconds: number, paused: boolean, nextRunAt: string | null, lastRunAt: string | null, createdAt: string, updatedAt: string, lastTask: { id: string, status: TaskStatus } | null } };

export type CliResumeScheduleMutationVariables = Exact<{
  name: string;
}>;


export type CliResumeScheduleMutation = { resumeSchedule: { name: string, cron: string, timezone: string, kind: string, input: unknown, queue: string, priority: number, maxAttempts: number, timeoutSeconds: number, backfillSeconds: number, paused: boolean, nextRunAt: string | null, lastRunAt: string | null, createdAt: string, updatedAt: string, lastTask: { id: string, status: TaskStatus } | null } };

export type CliFlowFragment = { id: string, name: string | null, status: FlowStatus, total: number, progress: number, createdAt: string, finishedAt: string | null, counts: { waiting: number, pending: number, running: number, completed: number, failed: number, cancelled: number, timedOut: number } };

export type CliCreateFlowMutationVariables = Exact<{
  input: CreateFlowInput;
}>;


export type CliCreateFlowMutation = { createFlow: { id: string, name: string | null, status: FlowStatus, total: number, progress: number, createdAt: string, finishedAt: string | null, counts: { waiting: number, pending: number, running: number, completed: number, failed: number, cancelled: number, timedOut: number } } };

export type CliFlowGetQueryVariables = Exact<{
  id: string | number;
}>;


export type CliFlowGetQuery = { flow: { id: string, name: string | null, status: FlowStatus, total: number, progress: number, createdAt: string, finishedAt: string | null, counts: { waiting: number, pending: number, running: number, completed: number, failed: number, cancelled: number, timedOut: number } } | null };

export type CliCancelFlowMutationVariables = Exact<{
  id: string | number;
}>;


export type CliCancelFlowMutation = { cancelFlow: { id: string, name: string | null, status: FlowStatus, total: number, progress: number, createdAt: string, finishedAt: string | null, counts: { waiting: number, pending: number, running: number, completed: number, failed: number, cancelled: number, timedOut: number } } };

export type CliFollowFlowSubscriptionVariables = Exact<{
  flowId: string | number;
  after?: string | null | undefined;
}>;


export type CliFollowFlowSubscription = { taskEvents: { cursor: string, type: string, status: TaskStatus, taskId: string, task: { kind: string, error: { code: string, message: string } | null } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const CliTaskFragmentDoc = new TypedDocumentString(`
    fragment CliTask on Task {
  id
  kind
  status
  queue
  waitingFor
  attempts
  maxAttempts
  progress
  progressMessage
  result
  error {
    code
    message
  }
  createdAt
  finishedAt
}
    `, {"fragmentName":"CliTask"}) as unknown as TypedDocumentString<CliTaskFragment, unknown>;
export const CliWorkerFragmentDoc = new TypedDocumentString(`
    fragment CliWorker on Worker {
  id
  name
  kind
  state
  concurrency
  running
  processed
  succeeded
  failed
  kinds
  lastHeartbeatAt
}
    `, {"fragmentName":"CliWorker"}) as unknown as TypedDocumentString<CliWorkerFragment, unknown>;
export const CliQueueFragmentDoc = new TypedDocumentString(`
    fragment CliQueue on Queue {
  name
  paused
  concurrency
  keyConcurrency
  rateLimit {
    limit
    periodSeconds
  }
  pending
  running
  waitingForLimit
}
    `, {"fragmentName":"CliQueue"}) as unknown as TypedDocumentString<CliQueueFragment, unknown>;
export const CliScheduleFragmentDoc = new TypedDocumentString(`
    fragment CliSchedule on Schedule {
  name
  cron
  timezone
  kind
  input
  queue
  priority
  maxAttempts
  timeoutSeconds
  backfillSeconds
  paused
  nextRunAt
  lastRunAt
  lastTask {
    id
    status
  }
  createdAt
  updatedAt
}
    `, {"fragmentName":"CliSchedule"}) as unknown as TypedDocumentString<CliScheduleFragment, unknown>;
export const CliFlowFragmentDoc = new TypedDocumentString(`
    fragment CliFlow on Flow {
  id
  name
  status
  total
  progress
  createdAt
  finishedAt
  counts {
    waiting
    pending
    running
    completed
    failed
    cancelled
    timedOut
  }
}
    `, {"fragmentName":"CliFlow"}) as unknown as TypedDocumentString<CliFlowFragment, unknown>;
export const CliCreateDocument = new TypedDocumentString(`
    mutation CliCreate($input: CreateTaskInput!) {
  createTask(input: $input) {
    task {
      ...CliTask
    }
  }
}
    fragment CliTask on Task {
  id
  kind
  status
  queue
  waitingFor
  attempts
  maxAttempts
  progress
  progressMessage
  result
  error {
    code
    message
  }
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<CliCreateMutation, CliCreateMutationVariables>;
export const CliGetDocument = new TypedDocumentString(`
    query CliGet($id: ID!) {
  task(id: $id) {
    ...CliTask
  }
}
    fragment CliTask on Task {
  id
  kind
  status
  queue
  waitingFor
  attempts
  maxAttempts
  progress
  progressMessage
  result
  error {
    code
    message
  }
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<CliGetQuery, CliGetQueryVariables>;
export const CliCancelDocument = new TypedDocumentString(`
    mutation CliCancel($id: ID!) {
  cancelTask(id: $id) {
    task {
      ...CliTask
    }
  }
}
    fragment CliTask on Task {
  id
  kind
  status
  queue
  waitingFor
  attempts
  maxAttempts
  progress
  progressMessage
  result
  error {
    code
    message
  }
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<CliCancelMutation, CliCancelMutationVariables>;
export const CliRetryDocument = new TypedDocumentString(`
    mutation CliRetry($id: ID!) {
  retryTask(id: $id) {
    task {
      ...CliTask
    }
  }
}
    fragment CliTask on Task {
  id
  kind
  status
  queue
  waitingFor
  attempts
  maxAttempts
  progress
  progressMessage
  result
  error {
    code
    message
  }
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<CliRetryMutation, CliRetryMutationVariables>;
export const CliListDocument = new TypedDocumentString(`
    query CliList($status: [TaskStatus!], $kind: [String!], $first: Int, $after: String) {
  tasks(status: $status, kind: $kind, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      ...CliTask
    }
  }
}
    fragment CliTask on Task {
  id
  kind
  status
  queue
  waitingFor
  attempts
  maxAttempts
  progress
  progressMessage
  result
  error {
    code
    message
  }
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<CliListQuery, CliListQueryVariables>;
export const CliStatsDocument = new TypedDocumentString(`
    query CliStats($kind: String) {
  taskStats(kind: $kind) {
    pending
    running
    completed
    failed
    cancelled
    timedOut
    total
    successRate
    queueWait {
      p50Ms
      p95Ms
    }
    runTime {
      p50Ms
      p95Ms
    }
    throughput {
      lastMinute
      lastHour
    }
  }
}
    `) as unknown as TypedDocumentString<CliStatsQuery, CliStatsQueryVariables>;
export const CliWorkersDocument = new TypedDocumentString(`
    query CliWorkers($states: [WorkerState!]) {
  workers(state: $states) {
    ...CliWorker
  }
}
    fragment CliWorker on Worker {
  id
  name
  kind
  state
  concurrency
  running
  processed
  succeeded
  failed
  kinds
  lastHeartbeatAt
}`) as unknown as TypedDocumentString<CliWorkersQuery, CliWorkersQueryVariables>;
export const CliPauseDocument = new TypedDocumentString(`
    mutation CliPause($id: ID!) {
  pauseWorker(id: $id) {
    ...CliWorker
  }
}
    fragment CliWorker on Worker {
  id
  name
  kind
  state
  concurrency
  running
  processed
  succeeded
  failed
  kinds
  lastHeartbeatAt
}`) as unknown as TypedDocumentString<CliPauseMutation, CliPauseMutationVariables>;
export const CliResumeDocument = new TypedDocumentString(`
    mutation CliResume($id: ID!) {
  resumeWorker(id: $id) {
    ...CliWorker
  }
}
    fragment CliWorker on Worker {
  id
  name
  kind
  state
  concurrency
  running
  processed
  succeeded
  failed
  kinds
  lastHeartbeatAt
}`) as unknown as TypedDocumentString<CliResumeMutation, CliResumeMutationVariables>;
export const CliScaleDocument = new TypedDocumentString(`
    mutation CliScale($id: ID!, $n: Int!) {
  setWorkerConcurrency(id: $id, concurrency: $n) {
    ...CliWorker
  }
}
    fragment CliWorker on Worker {
  id
  name
  kind
  state
  concurrency
  running
  processed
  succeeded
  failed
  kinds
  lastHeartbeatAt
}`) as unknown as TypedDocumentString<CliScaleMutation, CliScaleMutationVariables>;
export const CliFollowDocument = new TypedDocumentString(`
    subscription CliFollow($id: ID!, $after: String) {
  taskEvents(taskId: $id, after: $after) {
    cursor
    type
    status
    data
    task {
      ...CliTask
    }
  }
}
    fragment CliTask on Task {
  id
  kind
  status
  queue
  waitingFor
  attempts
  maxAttempts
  progress
  progressMessage
  result
  error {
    code
    message
  }
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<CliFollowSubscription, CliFollowSubscriptionVariables>;
export const CliQueuesDocument = new TypedDocumentString(`
    query CliQueues {
  queues {
    ...CliQueue
  }
}
    fragment CliQueue on Queue {
  name
  paused
  concurrency
  keyConcurrency
  rateLimit {
    limit
    periodSeconds
  }
  pending
  running
  waitingForLimit
}`) as unknown as TypedDocumentString<CliQueuesQuery, CliQueuesQueryVariables>;
export const CliQueueLimitsDocument = new TypedDocumentString(`
    mutation CliQueueLimits($name: String!, $concurrency: Int, $keyConcurrency: Int, $rateLimit: RateLimitInput) {
  setQueueLimits(
    name: $name
    concurrency: $concurrency
    keyConcurrency: $keyConcurrency
    rateLimit: $rateLimit
  ) {
    ...CliQueue
  }
}
    fragment CliQueue on Queue {
  name
  paused
  concurrency
  keyConcurrency
  rateLimit {
    limit
    periodSeconds
  }
  pending
  running
  waitingForLimit
}`) as unknown as TypedDocumentString<CliQueueLimitsMutation, CliQueueLimitsMutationVariables>;
export const CliPauseQueueDocument = new TypedDocumentString(`
    mutation CliPauseQueue($name: String!) {
  pauseQueue(name: $name) {
    ...CliQueue
  }
}
    fragment CliQueue on Queue {
  name
  paused
  concurrency
  keyConcurrency
  rateLimit {
    limit
    periodSeconds
  }
  pending
  running
  waitingForLimit
}`) as unknown as TypedDocumentString<CliPauseQueueMutation, CliPauseQueueMutationVariables>;
export const CliResumeQueueDocument = new TypedDocumentString(`
    mutation CliResumeQueue($name: String!) {
  resumeQueue(name: $name) {
    ...CliQueue
  }
}
    fragment CliQueue on Queue {
  name
  paused
  concurrency
  keyConcurrency
  rateLimit {
    limit
    periodSeconds
  }
  pending
  running
  waitingForLimit
}`) as unknown as TypedDocumentString<CliResumeQueueMutation, CliResumeQueueMutationVariables>;
export const CliSchedulesDocument = new TypedDocumentString(`
    query CliSchedules {
  schedules {
    ...CliSchedule
  }
}
    fragment CliSchedule on Schedule {
  name
  cron
  timezone
  kind
  input
  queue
  priority
  maxAttempts
  timeoutSeconds
  backfillSeconds
  paused
  nextRunAt
  lastRunAt
  lastTask {
    id
    status
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CliSchedulesQuery, CliSchedulesQueryVariables>;
export const CliUpsertScheduleDocument = new TypedDocumentString(`
    mutation CliUpsertSchedule($input: UpsertScheduleInput!) {
  upsertSchedule(input: $input) {
    ...CliSchedule
  }
}
    fragment CliSchedule on Schedule {
  name
  cron
  timezone
  kind
  input
  queue
  priority
  maxAttempts
  timeoutSeconds
  backfillSeconds
  paused
  nextRunAt
  lastRunAt
  lastTask {
    id
    status
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CliUpsertScheduleMutation, CliUpsertScheduleMutationVariables>;
export const CliDeleteScheduleDocument = new TypedDocumentString(`
    mutation CliDeleteSchedule($name: String!) {
  deleteSchedule(name: $name) {
    ...CliSchedule
  }
}
    fragment CliSchedule on Schedule {
  name
  cron
  timezone
  kind
  input
  queue
  priority
  maxAttempts
  timeoutSeconds
  backfillSeconds
  paused
  nextRunAt
  lastRunAt
  lastTask {
    id
    status
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CliDeleteScheduleMutation, CliDeleteScheduleMutationVariables>;
export const CliPauseScheduleDocument = new TypedDocumentString(`
    mutation CliPauseSchedule($name: String!) {
  pauseSchedule(name: $name) {
    ...CliSchedule
  }
}
    fragment CliSchedule on Schedule {
  name
  cron
  timezone
  kind
  input
  queue
  priority
  maxAttempts
  timeoutSeconds
  backfillSeconds
  paused
  nextRunAt
  lastRunAt
  lastTask {
    id
    status
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CliPauseScheduleMutation, CliPauseScheduleMutationVariables>;
export const CliResumeScheduleDocument = new TypedDocumentString(`
    mutation CliResumeSchedule($name: String!) {
  resumeSchedule(name: $name) {
    ...CliSchedule
  }
}
    fragment CliSchedule on Schedule {
  name
  cron
  timezone
  kind
  input
  queue
  priority
  maxAttempts
  timeoutSeconds
  backfillSeconds
  paused
  nextRunAt
  lastRunAt
  lastTask {
    id
    status
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CliResumeScheduleMutation, CliResumeScheduleMutationVariables>;
export const CliCreateFlowDocument = new TypedDocumentString(`
    mutation CliCreateFlow($input: CreateFlowInput!) {
  createFlow(input: $input) {
    ...CliFlow
  }
}
    fragment CliFlow on Flow {
  id
  name
  status
  total
  progress
  createdAt
  finishedAt
  counts {
    waiting
    pending
    running
    completed
    failed
    cancelled
    timedOut
  }
}`) as unknown as TypedDocumentString<CliCreateFlowMutation, CliCreateFlowMutationVariables>;
export const CliFlowGetDocument = new TypedDocumentString(`
    query CliFlowGet($id: ID!) {
  flow(id: $id) {
    ...CliFlow
  }
}
    fragment CliFlow on Flow {
  id
  name
  status
  total
  progress
  createdAt
  finishedAt
  counts {
    waiting
    pending
    running
    completed
    failed
    cancelled
    timedOut
  }
}`) as unknown as TypedDocumentString<CliFlowGetQuery, CliFlowGetQueryVariables>;
export const CliCancelFlowDocument = new TypedDocumentString(`
    mutation CliCancelFlow($id: ID!) {
  cancelFlow(id: $id) {
    ...CliFlow
  }
}
    fragment CliFlow on Flow {
  id
  name
  status
  total
  progress
  createdAt
  finishedAt
  counts {
    waiting
    pending
    running
    completed
    failed
    cancelled
    timedOut
  }
}`) as unknown as TypedDocumentString<CliCancelFlowMutation, CliCancelFlowMutationVariables>;
export const CliFollowFlowDocument = new TypedDocumentString(`
    subscription CliFollowFlow($flowId: ID!, $after: String) {
  taskEvents(flowId: $flowId, after: $after) {
    cursor
    type
    status
    taskId
    task {
      kind
      error {
        code
        message
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CliFollowFlowSubscription, CliFollowFlowSubscriptionVariables>;
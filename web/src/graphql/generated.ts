/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
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

export type TaskRowFragment = { id: string, kind: string, status: TaskStatus, progress: number | null, progressMessage: string | null, attempts: number, maxAttempts: number, priority: number, createdAt: string, startedAt: string | null, finishedAt: string | null, queue: string, waitingFor: string | null };

export type TaskDetailFragment = { input: unknown, result: unknown, timeoutSeconds: number, runAt: string, updatedAt: string, idempotencyKey: string | null, workerId: string | null, queue: string, concurrencyKey: string | null, uniqueKey: string | null, id: string, kind: string, status: TaskStatus, progress: number | null, progressMessage: string | null, attempts: number, maxAttempts: number, priority: number, createdAt: string, startedAt: string | null, finishedAt: string | null, waitingFor: string | null, error: { code: string, message: string } | null };

export type TasksQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
  status?: Array<TaskStatus> | TaskStatus | null | undefined;
  kind?: Array<string> | string | null | undefined;
}>;


export type TasksQuery = { tasks: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, nodes: Array<{ id: string, kind: string, status: TaskStatus, progress: number | null, progressMessage: string | null, attempts: number, maxAttempts: number, priority: number, createdAt: string, startedAt: string | null, finishedAt: string | null, queue: string, waitingFor: string | null }> } };

export type TaskQueryVariables = Exact<{
  id: string | number;
}>;


export type TaskQuery = { task: { input: unknown, result: unknown, timeoutSeconds: number, runAt: string, updatedAt: string, idempotencyKey: string | null, workerId: string | null, queue: string, concurrencyKey: string | null, uniqueKey: string | null, id: string, kind: string, status: TaskStatus, progress: number | null, progressMessage: string | null, attempts: number, maxAttempts: number, priority: number, createdAt: string, startedAt: string | null, finishedAt: string | null, waitingFor: string | null, error: { code: string, message: string } | null } | null };

export type DurationsFragment = { averageMs: number | null, p50Ms: number | null, p95Ms: number | null };

export type StatsQueryVariables = Exact<{ [key: string]: never; }>;


export type StatsQuery = { taskStats: { waiting: number, pending: number, running: number, completed: number, failed: number, cancelled: number, timedOut: number, total: number, successRate: number | null, throughput: { lastMinute: number, lastHour: number }, queueWait: { averageMs: number | null, p50Ms: number | null, p95Ms: number | null }, runTime: { averageMs: number | null, p50Ms: number | null, p95Ms: number | null } } };

export type KindsQueryVariables = Exact<{ [key: string]: never; }>;


export type KindsQuery = { taskKinds: Array<string> };

export type CreateMutationVariables = Exact<{
  input: CreateTaskInput;
}>;


export type CreateMutation = { createTask: { task: { id: string, status: TaskStatus } } };

export type CancelMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelMutation = { cancelTask: { task: { input: unknown, result: unknown, timeoutSeconds: number, runAt: string, updatedAt: string, idempotencyKey: string | null, workerId: string | null, queue: string, concurrencyKey: string | null, uniqueKey: string | null, id: string, kind: string, status: TaskStatus, progress: number | null, progressMessage: string | null, attempts: number, maxAttempts: number, priority: number, createdAt: string, startedAt: string | null, finishedAt: string | null, waitingFor: string | null, error: { code: string, message: string } | null } } };

export type RetryMutationVariables = Exact<{
  id: string | number;
}>;


export type RetryMutation = { retryTask: { task: { input: unknown, result: unknown, timeoutSeconds: number, runAt: string, updatedAt: string, idempotencyKey: string | null, workerId: string | null, queue: string, concurrencyKey: string | null, uniqueKey: string | null, id: string, kind: string, status: TaskStatus, progress: number | null, progressMessage: string | null, attempts: number, maxAttempts: number, priority: number, createdAt: string, startedAt: string | null, finishedAt: string | null, waitingFor: string | null, error: { code: string, message: string } | null } } };

export type EventsSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type EventsSubscription = { taskEvents: { cursor: string, type: string, at: string, taskId: string, data: unknown, task: { id: string, kind: string, status: TaskStatus, progress: number | null, progressMessage: string | null, attempts: number, maxAttempts: number, priority: number, createdAt: string, startedAt: string | null, finishedAt: string | null, queue: string, waitingFor: string | null } } };

export type TaskEventsSubscriptionVariables = Exact<{
  taskId: string | number;
  after?: string | null | undefined;
}>;


export type TaskEventsSubscription = { taskEvents: { cursor: string, type: string, at: string, taskId: string, data: unknown, task: { input: unknown, result: unknown, timeoutSeconds: number, runAt: string, updatedAt: string, idempotencyKey: string | null, workerId: string | null, queue: string, concurrencyKey: string | null, uniqueKey: string | null, id: string, kind: string, status: TaskStatus, progress: number | null, progressMessage: string | null, attempts: number, maxAttempts: number, priority: number, createdAt: string, startedAt: string | null, finishedAt: string | null, waitingFor: string | null, error: { code: string, message: string } | null } } };

export type WorkerFieldsFragment = { id: string, name: string, kind: WorkerKind, host: string | null, pid: number | null, kinds: Array<string>, concurrency: number, running: number, processed: number, succeeded: number, failed: number, state: WorkerState, startedAt: string, lastHeartbeatAt: string, leaseSeconds: number };

export type WorkersQueryVariables = Exact<{ [key: string]: never; }>;


export type WorkersQuery = { workers: Array<{ id: string, name: string, kind: WorkerKind, host: string | null, pid: number | null, kinds: Array<string>, concurrency: number, running: number, processed: number, succeeded: number, failed: number, state: WorkerState, startedAt: string, lastHeartbeatAt: string, leaseSeconds: number }> };

export type WorkerUpdatedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type WorkerUpdatedSubscription = { workerUpdated: { id: string, name: string, kind: WorkerKind, host: string | null, pid: number | null, kinds: Array<string>, concurrency: number, running: number, processed: number, succeeded: number, failed: number, state: WorkerState, startedAt: string, lastHeartbeatAt: string, leaseSeconds: number } };

export type PauseWorkerMutationVariables = Exact<{
  id: string | number;
}>;


export type PauseWorkerMutation = { pauseWorker: { id: string, name: string, kind: WorkerKind, host: string | null, pid: number | null, kinds: Array<string>, concurrency: number, running: number, processed: number, succeeded: number, failed: number, state: WorkerState, startedAt: string, lastHeartbeatAt: string, leaseSeconds: number } };

export type ResumeWorkerMutationVariables = Exact<{
  id: string | number;
}>;


export type ResumeWorkerMutation = { resumeWorker: { id: string, name: string, kind: WorkerKind, host: string | null, pid: number | null, kinds: Array<string>, concurrency: number, running: number, processed: number, succeeded: number, failed: number, state: WorkerState, startedAt: string, lastHeartbeatAt: string, leaseSeconds: number } };

export type SetConcurrencyMutationVariables = Exact<{
  id: string | number;
  concurrency: number;
}>;


export type SetConcurrencyMutation = { setWorkerConcurrency: { id: string, name: string, kind: WorkerKind, host: string | null, pid: number | null, kinds: Array<string>, concurrency: number, running: number, processed: number, succeeded: number, failed: number, state: WorkerState, startedAt: string, lastHeartbeatAt: string, leaseSeconds: number } };

export type QueueFieldsFragment = { name: string, paused: boolean, concurrency: number | null, keyConcurrency: number | null, pending: number, running: number, waitingForLimit: number, rateLimit: { limit: number, periodSeconds: number } | null };

export type QueuesQueryVariables = Exact<{ [key: string]: never; }>;


export type QueuesQuery = { queues: Array<{ name: string, paused: boolean, concurrency: number | null, keyConcurrency: number | null, pending: number, running: number, waitingForLimit: number, rateLimit: { limit: number, periodSeconds: number } | null }> };

export type QueueUpdatedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type QueueUpdatedSubscription = { queueUpdated: { name: string, paused: boolean, concurrency: number | null, keyConcurrency: number | null, pending: number, running: number, waitingForLimit: number, rateLimit: { limit: number, periodSeconds: number } | null } };

export type PauseQueueMutationVariables = Exact<{
  name: string;
}>;


export type PauseQueueMutation = { pauseQueue: { name: string, paused: boolean, concurrency: number | null, keyConcurrency: number | null, pending: number, running: number, waitingForLimit: number, rateLimit: { limit: number, periodSeconds: number } | null } };

export type ResumeQueueMutationVariables = Exact<{
  name: string;
}>;


export type ResumeQueueMutation = { resumeQueue: { name: string, paused: boolean, concurrency: number | null, keyConcurrency: number | null, pending: number, running: number, waitingForLimit: number, rateLimit: { limit: number, periodSeconds: number } | null } };

export type SetQueueLimitsMutationVariables = Exact<{
  name: string;
  concurrency?: number | null | undefined;
  keyConcurrency?: number | null | undefined;
  rateLimit?: RateLimitInput | null | undefined;
}>;


export type SetQueueLimitsMutation = { setQueueLimits: { name: string, paused: boolean, concurrency: number | null, keyConcurrency: number | null, pending: number, running: number, waitingForLimit: number, rateLimit: { limit: number, periodSeconds: number } | null } };

export type FlowFieldsFragment = { id: string, name: string | null, status: FlowStatus, total: number, progress: number, createdAt: string, finishedAt: string | null, counts: { waiting: number, pending: number, running: number, completed: number, failed: number, cancelled: number, timedOut: number } };

export type FlowsQueryVariables = Exact<{ [key: string]: never; }>;


export type FlowsQuery = { flows: { nodes: Array<{ id: string, name: string | null, status: FlowStatus, total: number, progress: number, createdAt: string, finishedAt: string | null, counts: { waiting: number, pending: number, running: number, completed: number, failed: number, cancelled: number, timedOut: number } }> } };

export type FlowGraphQueryVariables = Exact<{
  id: string | number;
}>;


export type FlowGraphQuery = { flow: { id: string, name: string | null, status: FlowStatus, total: number, progress: number, createdAt: string, finishedAt: string | null, tasks: { totalCount: number, nodes: Array<{ id: string, kind: string, status: TaskStatus, dependsOn: Array<string> }> }, counts: { waiting: number, pending: number, running: number, completed: number, failed: number, cancelled: number, timedOut: number } } | null };

export type FlowUpdatedSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type FlowUpdatedSubscription = { flowUpdated: { id: string, name: string | null, status: FlowStatus, total: number, progress: number, createdAt: string, finishedAt: string | null, counts: { waiting: number, pending: number, running: number, completed: number, failed: number, cancelled: number, timedOut: number } } };

export type FlowEventsSubscriptionVariables = Exact<{
  flowId: string | number;
  after?: string | null | undefined;
}>;


export type FlowEventsSubscription = { taskEvents: { cursor: string, taskId: string, status: TaskStatus } };

export type CancelFlowMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelFlowMutation = { cancelFlow: { id: string, name: string | null, status: FlowStatus, total: number, progress: number, createdAt: string, finishedAt: string | null, counts: { waiting: number, pending: number, running: number, completed: number, failed: number, cancelled: number, timedOut: number } } };

export type ScheduleFieldsFragment = { name: string, cron: string, timezone: string, kind: string, queue: string, paused: boolean, nextRunAt: string | null, lastRunAt: string | null, lastTask: { id: string, status: TaskStatus } | null };

export type SchedulesQueryVariables = Exact<{ [key: string]: never; }>;


export type SchedulesQuery = { schedules: Array<{ name: string, cron: string, timezone: string, kind: string, queue: string, paused: boolean, nextRunAt: string | null, lastRunAt: string | null, lastTask: { id: string, status: TaskStatus } | null }> };

export type PauseScheduleMutationVariables = Exact<{
  name: string;
}>;


export type PauseScheduleMutation = { pauseSchedule: { name: string, cron: string, timezone: string, kind: string, queue: string, paused: boolean, nextRunAt: string | null, lastRunAt: string | null, lastTask: { id: string, status: TaskStatus } | null } };

export type ResumeScheduleMutationVariables = Exact<{
  name: string;
}>;


export type ResumeScheduleMutation = { resumeSchedule: { name: string, cron: string, timezone: string, kind: string, queue: string, paused: boolean, nextRunAt: string | null, lastRunAt: string | null, lastTask: { id: string, status: TaskStatus } | null } };

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
export const TaskRowFragmentDoc = new TypedDocumentString(`
    fragment TaskRow on Task {
  id
  kind
  status
  progress
  progressMessage
  attempts
  maxAttempts
  priority
  createdAt
  startedAt
  finishedAt
  queue
  waitingFor
}
    `, {"fragmentName":"TaskRow"}) as unknown as TypedDocumentString<TaskRowFragment, unknown>;
export const TaskDetailFragmentDoc = new TypedDocumentString(`
    fragment TaskDetail on Task {
  ...TaskRow
  input
  result
  error {
    code
    message
  }
  timeoutSeconds
  runAt
  updatedAt
  idempotencyKey
  workerId
  queue
  concurrencyKey
  uniqueKey
}
    fragment TaskRow on Task {
  id
  kind
  status
  progress
  progressMessage
  attempts
  maxAttempts
  priority
  createdAt
  startedAt
  finishedAt
  queue
  waitingFor
}`, {"fragmentName":"TaskDetail"}) as unknown as TypedDocumentString<TaskDetailFragment, unknown>;
export const DurationsFragmentDoc = new TypedDocumentString(`
    fragment Durations on Durations {
  averageMs
  p50Ms
  p95Ms
}
    `, {"fragmentName":"Durations"}) as unknown as TypedDocumentString<DurationsFragment, unknown>;
export const WorkerFieldsFragmentDoc = new TypedDocumentString(`
    fragment WorkerFields on Worker {
  id
  name
  kind
  host
  pid
  kinds
  concurrency
  running
  processed
  succeeded
  failed
  state
  startedAt
  lastHeartbeatAt
  leaseSeconds
}
    `, {"fragmentName":"WorkerFields"}) as unknown as TypedDocumentString<WorkerFieldsFragment, unknown>;
export const QueueFieldsFragmentDoc = new TypedDocumentString(`
    fragment QueueFields on Queue {
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
    `, {"fragmentName":"QueueFields"}) as unknown as TypedDocumentString<QueueFieldsFragment, unknown>;
export const FlowFieldsFragmentDoc = new TypedDocumentString(`
    fragment FlowFields on Flow {
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
    `, {"fragmentName":"FlowFields"}) as unknown as TypedDocumentString<FlowFieldsFragment, unknown>;
export const ScheduleFieldsFragmentDoc = new TypedDocumentString(`
    fragment ScheduleFields on Schedule {
  name
  cron
  timezone
  kind
  queue
  paused
  nextRunAt
  lastRunAt
  lastTask {
    id
    status
  }
}
    `, {"fragmentName":"ScheduleFields"}) as unknown as TypedDocumentString<ScheduleFieldsFragment, unknown>;
export const TasksDocument = new TypedDocumentString(`
    query Tasks($first: Int, $after: String, $last: Int, $before: String, $status: [TaskStatus!], $kind: [String!]) {
  tasks(
    first: $first
    after: $after
    last: $last
    before: $before
    status: $status
    kind: $kind
  ) {
    totalCount
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    nodes {
      ...TaskRow
    }
  }
}
    fragment TaskRow on Task {
  id
  kind
  status
  progress
  progressMessage
  attempts
  maxAttempts
  priority
  createdAt
  startedAt
  finishedAt
  queue
  waitingFor
}`) as unknown as TypedDocumentString<TasksQuery, TasksQueryVariables>;
export const TaskDocument = new TypedDocumentString(`
    query Task($id: ID!) {
  task(id: $id) {
    ...TaskDetail
  }
}
    fragment TaskRow on Task {
  id
  kind
  status
  progress
  progressMessage
  attempts
  maxAttempts
  priority
  createdAt
  startedAt
  finishedAt
  queue
  waitingFor
}
fragment TaskDetail on Task {
  ...TaskRow
  input
  result
  error {
    code
    message
  }
  timeoutSeconds
  runAt
  updatedAt
  idempotencyKey
  workerId
  queue
  concurrencyKey
  uniqueKey
}`) as unknown as TypedDocumentString<TaskQuery, TaskQueryVariables>;
export const StatsDocument = new TypedDocumentString(`
    query Stats {
  taskStats {
    waiting
    pending
    running
    completed
    failed
    cancelled
    timedOut
    total
    successRate
    throughput {
      lastMinute
      lastHour
    }
    queueWait {
      ...Durations
    }
    runTime {
      ...Durations
    }
  }
}
    fragment Durations on Durations {
  averageMs
  p50Ms
  p95Ms
}`) as unknown as TypedDocumentString<StatsQuery, StatsQueryVariables>;
export const KindsDocument = new TypedDocumentString(`
    query Kinds {
  taskKinds
}
    `) as unknown as TypedDocumentString<KindsQuery, KindsQueryVariables>;
export const CreateDocument = new TypedDocumentString(`
    mutation Create($input: CreateTaskInput!) {
  createTask(input: $input) {
    task {
      id
      status
    }
  }
}
    `) as unknown as TypedDocumentString<CreateMutation, CreateMutationVariables>;
export const CancelDocument = new TypedDocumentString(`
    mutation Cancel($id: ID!) {
  cancelTask(id: $id) {
    task {
      ...TaskDetail
    }
  }
}
    fragment TaskRow on Task {
  id
  kind
  status
  progress
  progressMessage
  attempts
  maxAttempts
  priority
  createdAt
  startedAt
  finishedAt
  queue
  waitingFor
}
fragment TaskDetail on Task {
  ...TaskRow
  input
  result
  error {
    code
    message
  }
  timeoutSeconds
  runAt
  updatedAt
  idempotencyKey
  workerId
  queue
  concurrencyKey
  uniqueKey
}`) as unknown as TypedDocumentString<CancelMutation, CancelMutationVariables>;
export const RetryDocument = new TypedDocumentString(`
    mutation Retry($id: ID!) {
  retryTask(id: $id) {
    task {
      ...TaskDetail
    }
  }
}
    fragment TaskRow on Task {
  id
  kind
  status
  progress
  progressMessage
  attempts
  maxAttempts
  priority
  createdAt
  startedAt
  finishedAt
  queue
  waitingFor
}
fragment TaskDetail on Task {
  ...TaskRow
  input
  result
  error {
    code
    message
  }
  timeoutSeconds
  runAt
  updatedAt
  idempotencyKey
  workerId
  queue
  concurrencyKey
  uniqueKey
}`) as unknown as TypedDocumentString<RetryMutation, RetryMutationVariables>;
export const EventsDocument = new TypedDocumentString(`
    subscription Events($after: String) {
  taskEvents(after: $after) {
    cursor
    type
    at
    taskId
    data
    task {
      ...TaskRow
    }
  }
}
    fragment TaskRow on Task {
  id
  kind
  status
  progress
  progressMessage
  attempts
  maxAttempts
  priority
  createdAt
  startedAt
  finishedAt
  queue
  waitingFor
}`) as unknown as TypedDocumentString<EventsSubscription, EventsSubscriptionVariables>;
export const TaskEventsDocument = new TypedDocumentString(`
    subscription TaskEvents($taskId: ID!, $after: String) {
  taskEvents(taskId: $taskId, after: $after) {
    cursor
    type
    at
    taskId
    data
    task {
      ...TaskDetail
    }
  }
}
    fragment TaskRow on Task {
  id
  kind
  status
  progress
  progressMessage
  attempts
  maxAttempts
  priority
  createdAt
  startedAt
  finishedAt
  queue
  waitingFor
}
fragment TaskDetail on Task {
  ...TaskRow
  input
  result
  error {
    code
    message
  }
  timeoutSeconds
  runAt
  updatedAt
  idempotencyKey
  workerId
  queue
  concurrencyKey
  uniqueKey
}`) as unknown as TypedDocumentString<TaskEventsSubscription, TaskEventsSubscriptionVariables>;
export const WorkersDocument = new TypedDocumentString(`
    query Workers {
  workers {
    ...WorkerFields
  }
}
    fragment WorkerFields on Worker {
  id
  name
  kind
  host
  pid
  kinds
  concurrency
  running
  processed
  succeeded
  failed
  state
  startedAt
  lastHeartbeatAt
  leaseSeconds
}`) as unknown as TypedDocumentString<WorkersQuery, WorkersQueryVariables>;
export const WorkerUpdatedDocument = new TypedDocumentString(`
    subscription WorkerUpdated {
  workerUpdated {
    ...WorkerFields
  }
}
    fragment WorkerFields on Worker {
  id
  name
  kind
  host
  pid
  kinds
  concurrency
  running
  processed
  succeeded
  failed
  state
  startedAt
  lastHeartbeatAt
  leaseSeconds
}`) as unknown as TypedDocumentString<WorkerUpdatedSubscription, WorkerUpdatedSubscriptionVariables>;
export const PauseWorkerDocument = new TypedDocumentString(`
    mutation PauseWorker($id: ID!) {
  pauseWorker(id: $id) {
    ...WorkerFields
  }
}
    fragment WorkerFields on Worker {
  id
  name
  kind
  host
  pid
  kinds
  concurrency
  running
  processed
  succeeded
  failed
  state
  startedAt
  lastHeartbeatAt
  leaseSeconds
}`) as unknown as TypedDocumentString<PauseWorkerMutation, PauseWorkerMutationVariables>;
export const ResumeWorkerDocument = new TypedDocumentString(`
    mutation ResumeWorker($id: ID!) {
  resumeWorker(id: $id) {
    ...WorkerFields
  }
}
    fragment WorkerFields on Worker {
  id
  name
  kind
  host
  pid
  kinds
  concurrency
  running
  processed
  succeeded
  failed
  state
  startedAt
  lastHeartbeatAt
  leaseSeconds
}`) as unknown as TypedDocumentString<ResumeWorkerMutation, ResumeWorkerMutationVariables>;
export const SetConcurrencyDocument = new TypedDocumentString(`
    mutation SetConcurrency($id: ID!, $concurrency: Int!) {
  setWorkerConcurrency(id: $id, concurrency: $concurrency) {
    ...WorkerFields
  }
}
    fragment WorkerFields on Worker {
  id
  name
  kind
  host
  pid
  kinds
  concurrency
  running
  processed
  succeeded
  failed
  state
  startedAt
  lastHeartbeatAt
  leaseSeconds
}`) as unknown as TypedDocumentString<SetConcurrencyMutation, SetConcurrencyMutationVariables>;
export const QueuesDocument = new TypedDocumentString(`
    query Queues {
  queues {
    ...QueueFields
  }
}
    fragment QueueFields on Queue {
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
}`) as unknown as TypedDocumentString<QueuesQuery, QueuesQueryVariables>;
export const QueueUpdatedDocument = new TypedDocumentString(`
    subscription QueueUpdated {
  queueUpdated {
    ...QueueFields
  }
}
    fragment QueueFields on Queue {
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
}`) as unknown as TypedDocumentString<QueueUpdatedSubscription, QueueUpdatedSubscriptionVariables>;
export const PauseQueueDocument = new TypedDocumentString(`
    mutation PauseQueue($name: String!) {
  pauseQueue(name: $name) {
    ...QueueFields
  }
}
    fragment QueueFields on Queue {
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
}`) as unknown as TypedDocumentString<PauseQueueMutation, PauseQueueMutationVariables>;
export const ResumeQueueDocument = new TypedDocumentString(`
    mutation ResumeQueue($name: String!) {
  resumeQueue(name: $name) {
    ...QueueFields
  }
}
    fragment QueueFields on Queue {
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
}`) as unknown as TypedDocumentString<ResumeQueueMutation, ResumeQueueMutationVariables>;
export const SetQueueLimitsDocument = new TypedDocumentString(`
    mutation SetQueueLimits($name: String!, $concurrency: Int, $keyConcurrency: Int, $rateLimit: RateLimitInput) {
  setQueueLimits(
    name: $name
    concurrency: $concurrency
    keyConcurrency: $keyConcurrency
    rateLimit: $rateLimit
  ) {
    ...QueueFields
  }
}
    fragment QueueFields on Queue {
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
}`) as unknown as TypedDocumentString<SetQueueLimitsMutation, SetQueueLimitsMutationVariables>;
export const FlowsDocument = new TypedDocumentString(`
    query Flows {
  flows(first: 50) {
    nodes {
      ...FlowFields
    }
  }
}
    fragment FlowFields on Flow {
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
}`) as unknown as TypedDocumentString<FlowsQuery, FlowsQueryVariables>;
export const FlowGraphDocument = new TypedDocumentString(`
    query FlowGraph($id: ID!) {
  flow(id: $id) {
    ...FlowFields
    tasks(first: 500) {
      totalCount
      nodes {
        id
        kind
        status
        dependsOn
      }
    }
  }
}
    fragment FlowFields on Flow {
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
}`) as unknown as TypedDocumentString<FlowGraphQuery, FlowGraphQueryVariables>;
export const FlowUpdatedDocument = new TypedDocumentString(`
    subscription FlowUpdated($id: ID!) {
  flowUpdated(id: $id) {
    ...FlowFields
  }
}
    fragment FlowFields on Flow {
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
}`) as unknown as TypedDocumentString<FlowUpdatedSubscription, FlowUpdatedSubscriptionVariables>;
export const FlowEventsDocument = new TypedDocumentString(`
    subscription FlowEvents($flowId: ID!, $after: String) {
  taskEvents(flowId: $flowId, after: $after) {
    cursor
    taskId
    status
  }
}
    `) as unknown as TypedDocumentString<FlowEventsSubscription, FlowEventsSubscriptionVariables>;
export const CancelFlowDocument = new TypedDocumentString(`
    mutation CancelFlow($id: ID!) {
  cancelFlow(id: $id) {
    ...FlowFields
  }
}
    fragment FlowFields on Flow {
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
}`) as unknown as TypedDocumentString<CancelFlowMutation, CancelFlowMutationVariables>;
export const SchedulesDocument = new TypedDocumentString(`
    query Schedules {
  schedules {
    ...ScheduleFields
  }
}
    fragment ScheduleFields on Schedule {
  name
  cron
  timezone
  kind
  queue
  paused
  nextRunAt
  lastRunAt
  lastTask {
    id
    status
  }
}`) as unknown as TypedDocumentString<SchedulesQuery, SchedulesQueryVariables>;
export const PauseScheduleDocument = new TypedDocumentString(`
    mutation PauseSchedule($name: String!) {
  pauseSchedule(name: $name) {
    ...ScheduleFields
  }
}
    fragment ScheduleFields on Schedule {
  name
  cron
  timezone
  kind
  queue
  paused
  nextRunAt
  lastRunAt
  lastTask {
    id
    status
  }
}`) as unknown as TypedDocumentString<PauseScheduleMutation, PauseScheduleMutationVariables>;
export const ResumeScheduleDocument = new TypedDocumentString(`
    mutation ResumeSchedule($name: String!) {
  resumeSchedule(name: $name) {
    ...ScheduleFields
  }
}
    fragment ScheduleFields on Schedule {
  name
  cron
  timezone
  kind
  queue
  paused
  nextRunAt
  lastRunAt
  lastTask {
    id
    status
  }
}`) as unknown as TypedDocumentString<ResumeScheduleMutation, ResumeScheduleMutationVariables>;
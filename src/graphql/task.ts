// Task: its object, the task queries, and taskUpdated. Creating, cancelling and retrying are in
// task-mutations.ts.
import type { Task, TaskError } from '../store/index.js';
import { parseTaskId } from '../tasks/intake.js';
import { builder } from './builder.js';
import { failAsResult, unwrap } from './stream.js';
import { TaskStatusEnum } from './task-status.js';

const TaskErrorRef = builder.objectRef<TaskError>('TaskError').implement({
  description: 'Why an attempt failed. code is stable (TIMEOUT, HANDLER_ERROR, LEASE_EXPIRED, ...).',
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.exposeString('code'),
  }),
});

export const TaskRef = builder.objectRef<Task>('Task').implement({
  description: 'A unit of work, its state and its outcome.',
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.exposeString('kind'),
    input: t.expose('input', { type: 'JSON', nullable: true }),
    status: t.expose('status', { type: TaskStatusEnum }),
    priority: t.exposeInt('priority', { description: 'Higher runs first; -1000 to 1000.' }),
    attempts: t.exposeInt('attempts', { description: 'Attempts started so far in this series.' }),
    maxAttempts: t.exposeInt('maxAttempts'),
    timeoutSeconds: t.exposeInt('timeoutSeconds'),
    runAt: t.expose('runAt', { type: 'DateTime', description: 'Not claimed before this time.' }),
    progress: t.exposeFloat('progress', { nullable: true, description: '0 to 1, as last reported.' }),
    progressMessage: t.exposeString('progressMessage', { nullable: true }),
    result: t.expose('result', { type: 'JSON', nullable: true }),
    error: t.expose('error', { type: TaskErrorRef, nullable: true }),
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: true }),
    workerId: t.exposeID('workerId', { nullable: true, description: 'The worker running it now.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true, description: 'Start of the latest attempt.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    queue: t.exposeString('queue', { description: 'The queue whose rules it runs under.' }),
    concurrencyKey: t.exposeString('concurrencyKey', { nullable: true, description: "Tasks of its queue with this key run at most the queue's keyConcurrency at once." }),
    uniqueKey: t.exposeString('uniqueKey', { nullable: true }),
    uniqueUntil: t.expose('uniqueUntil', { type: 'DateTime', nullable: true, description: 'With uniqueWhile FOR_SECONDS: when its uniqueKey is free again.' }),
    traceparent: t.exposeString('traceParent', {
      nullable: true,
      description:
        'The W3C traceparent of the traced request that created it; null when it was not traced. A worker links the span of its attempt to it.',
    }),
    waitingFor: t.string({
      nullable: true,
      description:
        'What holds this pending task back: QUEUE_PAUSED, QUEUE_CONCURRENCY, KEY_CONCURRENCY or RATE_LIMIT; null when nothing does (it waits for its runAt or a free worker).',
      resolve: async (task, _args, ctx) =>
        task.waitingFor ?? (task.status === 'pending' && (await ctx.pausedQueues()).has(task.queue) ? 'QUEUE_PAUSED' : null),
    }),
  }),
});

builder.queryFields((t) => ({
  task: t.field({
    type: TaskRef,
    nullable: true,
    authScopes: { read: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => ctx.store.tasks.getTask(parseTaskId(String(id))),
  }),
  taskKinds: t.stringList({
    authScopes: { read: true },
    description: 'The task kinds this server accepts: its own and those of registered external workers.',
    resolve: (_, _args, ctx) => ctx.kinds.list(),
  }),
}));

builder.subscriptionField('taskUpdated', (t) =>
  t.field({
    type: TaskRef,
    description: 'The task now, then after every change; completes after a terminal state.',
    authScopes: { read: true },
    args: { id: t.arg.id({ required: true }) },
    subscribe: async (_, { id }, ctx) => failAsResult(await ctx.subscriptions.taskUpdates(parseTaskId(String(id)))),
    resolve: (item) => unwrap(item),
  }),
);

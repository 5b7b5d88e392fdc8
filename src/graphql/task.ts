import { resolveCursorConnection } from '@pothos/plugin-relay';
import { invalidInput } from '../errors.js';
import type { Task, TaskError } from '../store/index.js';
import { parseTaskId, prepareTask } from '../tasks/intake.js';
import { builder } from './builder.js';
import { pageNodes } from './connection.js';
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
  tasks: t.connection(
    {
      type: TaskRef,
      description: 'Tasks, newest first.',
      authScopes: { read: true },
      args: {
        status: t.arg({ type: [TaskStatusEnum] }),
        kind: t.arg.stringList(),
      },
      resolve: async (_, args, ctx) => {
        const filter = { statuses: args.status ?? undefined, kinds: args.kind ?? undefined };
        const connection = await resolveCursorConnection<Promise<Task[]>>(
          { args, toCursor: (task) => task.id, defaultSize: 20, maxSize: 500 },
          ({ before, after, limit, inverted }) =>
            ctx.store.tasks.listTasks(filter, {
              // Newest first: "after" a cursor means older, "before" means newer.
              beforeId: after ? parseTaskId(after) : undefined,
              afterId: before ? parseTaskId(before) : undefined,
              limit,
              oldestFirst: inverted,
            }),
        );
        return { ...connection!, filter };
      },
    },
    {
      name: 'TaskConnection',
      fields: (c) => ({
        nodes: c.field({
          type: [TaskRef],
          description: 'The tasks of this page, without the edges.',
          resolve: (connection) => pageNodes<Task>(connection),
        }),
        totalCount: c.int({
          description: 'Tasks matching the filter, across all pages.',
          resolve: (connection, _args, ctx) =>
            ctx.store.tasks.countTasks((connection as unknown as { filter: object }).filter),
        }),
      }),
    },
    { name: 'TaskEdge' },
  ),
  taskKinds: t.stringList({
    authScopes: { read: true },
    description: 'The task kinds this server accepts: its own and those of registered external workers.',
    resolve: (_, _args, ctx) => ctx.kinds.list(),
  }),
}));

const CreateTaskInput = builder.inputType('CreateTaskInput', {
  fields: (t) => ({
    kind: t.string({ required: true }),
    input: t.field({ type: 'JSON', description: 'Passed to the handler as is.' }),
    priority: t.int({ description: 'Higher runs first; -1000 to 1000; default 0.' }),
    runAt: t.field({ type: 'DateTime', description: 'Do not run before this time; default now.' }),
    maxAttempts: t.int({ description: 'Attempts before the task fails for good; default 3.' }),
    timeoutSeconds: t.int({ description: 'An attempt running longer is aborted; default 1800.' }),
    idempotencyKey: t.string({ description: 'A repeated key returns the existing task instead of a new one.' }),
  }),
});

const payload = (name: string) =>
  builder.objectRef<{ task: Task }>(name).implement({ fields: (t) => ({ task: t.expose('task', { type: TaskRef }) }) });
const CreateTaskPayload = payload('CreateTaskPayload');
const CancelTaskPayload = payload('CancelTaskPayload');
const RetryTaskPayload = payload('RetryTaskPayload');
const CreateTasksPayload = builder.objectRef<{ tasks: Task[] }>('CreateTasksPayload').implement({
  fields: (t) => ({ tasks: t.expose('tasks', { type: [TaskRef] }) }),
});

const MAX_BATCH = 10_000;

builder.mutationFields((t) => ({
  createTask: t.field({
    authScopes: { write: true },
    type: CreateTaskPayload,
    args: { input: t.arg({ type: CreateTaskInput, required: true }) },
    resolve: async (_, { input }, ctx) => {
      await ctx.kinds.ensure([input.kind]);
      return { task: await ctx.creator.create(prepareTask(input, ctx.kinds, ctx.maxPayloadBytes)) };
    },
  }),
  createTasks: t.field({
    authScopes: { write: true },
    type: CreateTasksPayload,
    description: `Creates up to ${MAX_BATCH} tasks in one statement: all or none.`,
    args: { inputs: t.arg({ type: [CreateTaskInput], required: true }) },
    resolve: async (_, { inputs }, ctx) => {
      if (inputs.length > MAX_BATCH) {
        throw invalidInput(`createTasks takes at most ${MAX_BATCH} inputs, got ${inputs.length}`);
      }
      await ctx.kinds.ensure(new Set(inputs.map((input) => input.kind)));
      const prepared = inputs.map((input) => prepareTask(input, ctx.kinds, ctx.maxPayloadBytes));
      return { tasks: await ctx.creator.createMany(prepared) };
    },
  }),
  cancelTask: t.field({
    authScopes: { write: true },
    type: CancelTaskPayload,
    description: 'Cancels a pending or running task; a running handler is aborted.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_, { id }, ctx) => {
      const task = await ctx.store.tasks.cancelTask(parseTaskId(String(id)));
      ctx.metrics.count('cancelled', task.kind);
      return { task };
    },
  }),
  retryTask: t.field({
    authScopes: { write: true },
    type: RetryTaskPayload,
    description: 'Runs a FAILED, CANCELLED or TIMED_OUT task again, with a fresh series of attempts.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_, { id }, ctx) => ({ task: await ctx.store.tasks.retryTask(parseTaskId(String(id))) }),
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

// Creating, cancelling and retrying tasks.
import { invalidInput } from '../errors.js';
import type { Task } from '../store/index.js';
import { parseTaskId, prepareTask } from '../tasks/intake.js';
import { builder } from './builder.js';
import { TaskRef } from './task.js';

const UniqueWhileEnum = builder.enumType('UniqueWhile', {
  values: {
    ACTIVE: { description: 'The key is taken while its task is PENDING or RUNNING.' },
    FOR_SECONDS: { description: 'The key is taken for uniqueSeconds from the creation of its task, whatever becomes of it.' },
  } as const,
});

const CreateTaskInput = builder.inputType('CreateTaskInput', {
  fields: (t) => ({
    kind: t.string({ required: true }),
    input: t.field({ type: 'JSON', description: 'Passed to the handler as is.' }),
    priority: t.int({ description: 'Higher runs first; -1000 to 1000; default 0.' }),
    runAt: t.field({ type: 'DateTime', description: 'Do not run before this time; default now.' }),
    maxAttempts: t.int({ description: 'Attempts before the task fails for good; default 3.' }),
    timeoutSeconds: t.int({ description: 'An attempt running longer is aborted; default 1800.' }),
    idempotencyKey: t.string({ description: 'A repeated key returns the existing task instead of a new one, for good.' }),
    queue: t.string({ description: 'The queue whose rules it runs under: 1 to 64 letters, digits, ".", "_" or "-"; default "default".' }),
    concurrencyKey: t.string({ description: "Tasks of its queue with the same key run at most the queue's keyConcurrency (default 1) at once, in priority and runAt order; other keys go on." }),
    uniqueKey: t.string({
      description: 'While a task with this key is PENDING or RUNNING (or, with FOR_SECONDS, for that long), createTask returns it instead of a new one (deduplicated: true). Unlike idempotencyKey, the key is free again afterwards.',
    }),
    uniqueWhile: t.field({ type: UniqueWhileEnum, description: 'How long uniqueKey is taken; default ACTIVE. A key taken FOR_SECONDS and the same key taken ACTIVE do not exclude each other.' }),
    uniqueSeconds: t.int({ description: 'With uniqueWhile FOR_SECONDS: for how many seconds.' }),
  }),
});

const CreateTaskPayload = builder.objectRef<{ task: Task; deduplicated: boolean }>('CreateTaskPayload').implement({
  fields: (t) => ({
    task: t.expose('task', { type: TaskRef }),
    deduplicated: t.exposeBoolean('deduplicated', {
      description: 'True when no task was made: the one returned holds the idempotencyKey or uniqueKey given.',
    }),
  }),
});
const payload = (name: string) =>
  builder.objectRef<{ task: Task }>(name).implement({ fields: (t) => ({ task: t.expose('task', { type: TaskRef }) }) });
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
      return ctx.creator.create(prepareTask(input, ctx.kinds, ctx.maxPayloadBytes));
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

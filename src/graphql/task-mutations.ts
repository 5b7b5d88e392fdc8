// Creating, cancelling and retrying tasks.
import { invalidInput } from '../errors.js';
import type { Task } from '../store/index.js';
import { hasDependencies, prepareDependent } from '../tasks/graph-intake.js';
import { checkInputs } from '../tasks/input-check.js';
import { parseTaskId, prepareTask } from '../tasks/intake.js';
import { builder } from './builder.js';
import { TaskRef } from './task.js';
import { CreateTaskInput } from './task-input.js';

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
      await checkInputs([input], ctx.kinds);
      if (hasDependencies(input)) {
        const [task] = await ctx.store.tasks.insertGraph([prepareDependent(input, ctx.kinds, ctx.maxPayloadBytes)]);
        ctx.metrics.created([task]);
        return { task, deduplicated: false };
      }
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
      await checkInputs(inputs, ctx.kinds, false);
      if (inputs.some(hasDependencies)) {
        const tasks = await ctx.store.tasks.insertGraph(inputs.map((input) => prepareDependent(input, ctx.kinds, ctx.maxPayloadBytes)));
        ctx.metrics.created(tasks);
        return { tasks };
      }
      const prepared = inputs.map((input) => prepareTask(input, ctx.kinds, ctx.maxPayloadBytes));
      return { tasks: await ctx.creator.createMany(prepared) };
    },
  }),
  cancelTask: t.field({
    authScopes: { write: true },
    type: CancelTaskPayload,
    description: 'Cancels a waiting, pending or running task; a running handler is aborted. Its waiting dependents are cancelled too (DEPENDENCY_FAILED), unless created with runIfDependenciesFail.',
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
    description: 'Runs a FAILED, CANCELLED or TIMED_OUT task again, with a fresh series of attempts (WAITING first if a task it depends on has not completed). The dependents it had cancelled (DEPENDENCY_FAILED) wait again.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_, { id }, ctx) => ({ task: await ctx.store.tasks.retryTask(parseTaskId(String(id))) }),
  }),
}));

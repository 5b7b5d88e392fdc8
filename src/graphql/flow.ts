// Flows: a graph of tasks created in one mutation, followed as one (flowUpdated, and
// taskEvents(flowId:) in task-event.ts); and the dependency fields of Task.
import { resolveCursorConnection } from '@pothos/plugin-relay';
import { ClientError, invalidInput } from '../errors.js';
import type { Flow, Task } from '../store/index.js';
import { prepareFlow } from '../tasks/graph-intake.js';
import { checkInputs } from '../tasks/input-check.js';
import { parseFlowId } from '../tasks/intake.js';
import { builder } from './builder.js';
import { pageNodes } from './connection.js';
import { failAsResult, unwrap } from './stream.js';
import { TaskRef } from './task.js';
import { TaskConnection, taskPage } from './task-connection.js';
import { FlowTaskInput } from './task-input.js';
import { TaskStatusEnum } from './task-status.js';

const FlowStatusEnum = builder.enumType('FlowStatus', {
  values: {
    RUNNING: { value: 'running', description: 'Some of its tasks are WAITING, PENDING or RUNNING.' },
    COMPLETED: { value: 'completed', description: 'Every one of its tasks COMPLETED.' },
    FAILED: { value: 'failed', description: 'Every one of its tasks ended, and not all COMPLETED.' },
  } as const,
});

const FlowCountsRef = builder.objectRef<Flow['counts']>('FlowCounts').implement({
  description: "A flow's tasks in each status.",
  fields: (t) => ({
    waiting: t.exposeInt('waiting'),
    pending: t.exposeInt('pending'),
    running: t.exposeInt('running'),
    completed: t.exposeInt('completed'),
    failed: t.exposeInt('failed'),
    cancelled: t.exposeInt('cancelled'),
    timedOut: t.exposeInt('timed_out'),
  }),
});

const total = (flow: Flow) => Object.values(flow.counts).reduce((a, b) => a + b, 0);

export const FlowRef = builder.objectRef<Flow>('Flow').implement({
  description: 'Tasks created together by createFlow, with dependencies among them; followed as one.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name', { nullable: true }),
    status: t.expose('status', { type: FlowStatusEnum }),
    counts: t.expose('counts', { type: FlowCountsRef }),
    total: t.int({ resolve: total }),
    progress: t.float({
      description: 'The share of its tasks that have ended: 0 to 1.',
      resolve: (flow) => {
        const { waiting, pending, running } = flow.counts;
        return total(flow) === 0 ? 1 : 1 - (waiting + pending + running) / total(flow);
      },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When its last task ended.' }),
    tasks: t.connection(
      {
        type: TaskRef,
        description: 'Its tasks, newest first.',
        args: { status: t.arg({ type: [TaskStatusEnum] }) },
        resolve: (flow, args, ctx) => taskPage(args, ctx, { flowId: flow.id, statuses: args.status ?? undefined }),
      },
      TaskConnection,
    ),
  }),
});

builder.objectFields(TaskRef, (t) => ({
  dependsOn: t.idList({ description: 'The ids of the tasks it runs after.', resolve: (task) => task.dependsOn ?? [] }),
  runIfDependenciesFail: t.exposeBoolean('runIfDependenciesFail'),
  dependencies: t.field({
    type: [TaskRef],
    description: 'The tasks it runs after, as they are now (their results, for a worker).',
    resolve: async (task, _args, ctx) => (await Promise.all((task.dependsOn ?? []).map((id) => ctx.task(id)))).filter((d): d is Task => d !== null),
  }),
  dependents: t.field({
    type: [TaskRef],
    description: 'The tasks that run after it, oldest first.',
    args: { first: t.arg.int({ defaultValue: 100, description: '1 to 1000.' }) },
    resolve: (task, args, ctx) => {
      const first = args.first ?? 100;
      if (first < 1 || first > 1000) throw invalidInput(`first must be from 1 to 1000, got ${first}`);
      return ctx.store.tasks.listDependents(task.id, first);
    },
  }),
  flow: t.field({ type: FlowRef, nullable: true, resolve: (task, _args, ctx) => (task.flowId ? ctx.flow(task.flowId) : null) }),
}));

const CreateFlowInput = builder.inputType('CreateFlowInput', {
  fields: (t) => ({
    name: t.string(),
    tasks: t.field({ type: [FlowTaskInput], required: true, description: 'Written in one statement: all or none. At most 10,000.' }),
  }),
});

async function flowOrFail(ctx: { store: { flows: { getFlow(id: string): Promise<Flow | null> } } }, id: string): Promise<Flow> {
  const flow = await ctx.store.flows.getFlow(id);
  if (!flow) throw new ClientError('FLOW_NOT_FOUND', `Flow ${id} does not exist`);
  return flow;
}

builder.queryFields((t) => ({
  flow: t.field({
    type: FlowRef,
    nullable: true,
    authScopes: { read: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => ctx.store.flows.getFlow(parseFlowId(id)),
  }),
  flows: t.connection(
    {
      type: FlowRef,
      description: 'Flows, newest first.',
      authScopes: { read: true },
      args: { status: t.arg({ type: [FlowStatusEnum] }) },
      resolve: async (_, args, ctx) =>
        (await resolveCursorConnection<Promise<Flow[]>>(
          { args, toCursor: (flow) => flow.id, defaultSize: 20, maxSize: 500 },
          ({ before, after, limit, inverted }) =>
            ctx.store.flows.listFlows({
              statuses: args.status ?? undefined,
              beforeId: after ? parseFlowId(after) : undefined,
              afterId: before ? parseFlowId(before) : undefined,
              limit,
              oldestFirst: inverted,
            }),
        ))!,
    },
    {
      name: 'FlowConnection',
      fields: (c) => ({ nodes: c.field({ type: [FlowRef], resolve: (connection) => pageNodes<Flow>(connection) }) }),
    },
    { name: 'FlowEdge' },
  ),
}));

builder.mutationFields((t) => ({
  createFlow: t.field({
    type: FlowRef,
    authScopes: { write: true },
    description:
      'Creates the tasks of a flow in one statement, all or none: each WAITING until the tasks it depends on (refs of this flow, or ids) complete. Cycles and unknown ids are INVALID_INPUT.',
    args: { input: t.arg({ type: CreateFlowInput, required: true }) },
    resolve: async (_, { input }, ctx) => {
      await ctx.kinds.ensure(new Set(input.tasks.map((task) => task.kind)));
      await checkInputs(input.tasks, ctx.kinds, false);
      const tasks = await ctx.store.tasks.insertGraph(prepareFlow(input.tasks, ctx.kinds, ctx.maxPayloadBytes), { name: input.name ?? null });
      ctx.metrics.created(tasks);
      return flowOrFail(ctx, tasks[0].flowId!);
    },
  }),
  cancelFlow: t.field({
    type: FlowRef,
    authScopes: { write: true },
    description: 'Cancels every task of the flow that has not ended; running handlers are aborted.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_, { id }, ctx) => {
      const flowId = parseFlowId(id);
      await flowOrFail(ctx, flowId);
      for (const task of await ctx.store.flows.cancelFlow(flowId)) ctx.metrics.count('cancelled', task.kind);
      return flowOrFail(ctx, flowId);
    },
  }),
}));

builder.subscriptionField('flowUpdated', (t) =>
  t.field({
    type: FlowRef,
    description: 'The flow now, then after each change of its tasks; completes once the flow has finished.',
    authScopes: { read: true },
    args: { id: t.arg.id({ required: true }) },
    subscribe: async (_, { id }, ctx) => failAsResult(await ctx.subscriptions.flowUpdates(parseFlowId(id))),
    resolve: (item) => unwrap(item),
  }),
);

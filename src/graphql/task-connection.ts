// A page of tasks, newest first, with the filter's count: Query.tasks here, and Flow.tasks.
import { resolveCursorConnection, type DefaultConnectionArguments } from '@pothos/plugin-relay';
import type { Task, TaskFilter } from '../store/index.js';
import { parseQueueName, parseTaskId } from '../tasks/intake.js';
import type { Context } from './builder.js';
import { builder } from './builder.js';
import { pageNodes } from './connection.js';
import { TaskRef } from './task.js';
import { TaskStatusEnum } from './task-status.js';

export const TaskConnection = builder.connectionObject(
  {
    type: TaskRef,
    name: 'TaskConnection',
    fields: (c) => ({
      nodes: c.field({
        type: [TaskRef],
        description: 'The tasks of this page, without the edges.',
        resolve: (connection) => pageNodes<Task>(connection),
      }),
      totalCount: c.int({
        description: 'Tasks matching the filter, across all pages.',
        resolve: (connection, _args, ctx) => ctx.store.tasks.countTasks((connection as unknown as { filter: TaskFilter }).filter),
      }),
    }),
  },
  { name: 'TaskEdge' },
);

export async function taskPage(args: DefaultConnectionArguments, ctx: Context, filter: TaskFilter) {
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
}

builder.queryFields((t) => ({
  tasks: t.connection(
    {
      type: TaskRef,
      description: 'Tasks, newest first.',
      authScopes: { read: true },
      args: {
        status: t.arg({ type: [TaskStatusEnum] }),
        kind: t.arg.stringList(),
        queue: t.arg.stringList(),
      },
      resolve: (_, args, ctx) =>
        taskPage(args, ctx, { statuses: args.status ?? undefined, kinds: args.kind ?? undefined, queues: args.queue?.map((name) => parseQueueName(name)) }),
    },
    TaskConnection,
  ),
}));

import type { TaskStats } from '../store/tasks.js';
import { builder } from './builder.js';

const TaskStatsRef = builder.objectRef<TaskStats>('TaskStats').implement({
  description: 'How many tasks are in each status.',
  fields: (t) => ({
    pending: t.exposeInt('pending'),
    running: t.exposeInt('running'),
    completed: t.exposeInt('completed'),
    failed: t.exposeInt('failed'),
    cancelled: t.exposeInt('cancelled'),
    timedOut: t.exposeInt('timed_out'),
    total: t.exposeInt('total'),
  }),
});

builder.queryField('taskStats', (t) =>
  t.field({ type: TaskStatsRef, authScopes: { read: true }, resolve: (_, _args, ctx) => ctx.store.tasks.taskStats() }),
);

import { STATS_SAMPLE, type Durations, type TaskStats } from '../store/index.js';
import { invalidInput } from '../errors.js';
import { parseQueueName } from '../tasks/intake.js';
import { builder } from './builder.js';

const DurationsRef = builder.objectRef<Durations>('Durations').implement({
  description: 'Average and percentiles of a duration, in milliseconds; null when nothing was measured.',
  fields: (t) => ({
    averageMs: t.exposeFloat('averageMs', { nullable: true }),
    p50Ms: t.exposeFloat('p50Ms', { nullable: true }),
    p95Ms: t.exposeFloat('p95Ms', { nullable: true }),
  }),
});

const ThroughputRef = builder.objectRef<TaskStats['throughput']>('TaskThroughput').implement({
  description: 'Tasks that reached a final status (completed, failed, cancelled, timed out).',
  fields: (t) => ({
    lastMinute: t.exposeInt('lastMinute'),
    lastHour: t.exposeInt('lastHour'),
  }),
});

const TaskStatsRef = builder.objectRef<TaskStats>('TaskStats').implement({
  description: 'How many tasks are in each status, how they fared, and how fast they go.',
  fields: (t) => ({
    waiting: t.exposeInt('waiting', { description: 'Waiting for the tasks they depend on.' }),
    pending: t.exposeInt('pending'),
    running: t.exposeInt('running'),
    completed: t.exposeInt('completed'),
    failed: t.exposeInt('failed'),
    cancelled: t.exposeInt('cancelled'),
    timedOut: t.exposeInt('timed_out'),
    total: t.exposeInt('total'),
    successRate: t.exposeFloat('successRate', {
      nullable: true,
      description: 'Completed among the sampled tasks that completed, failed or timed out: 0 to 1.',
    }),
    queueWait: t.expose('queueWait', { type: DurationsRef, description: 'From due (runAt) to start, of the sampled tasks that ran.' }),
    runTime: t.expose('runTime', { type: DurationsRef, description: 'From start to finish of the latest attempt, of the sampled tasks that ran.' }),
    throughput: t.expose('throughput', { type: ThroughputRef }),
    sampleSize: t.exposeInt('sampleSize', {
      description: `How many finished tasks successRate, queueWait and runTime come from: the latest ${STATS_SAMPLE} finished since \`since\`.`,
    }),
  }),
});

builder.queryField('taskStats', (t) =>
  t.field({
    type: TaskStatsRef,
    authScopes: { read: true },
    description:
      'Counts are of all tasks (of kind and queue, if given); rates and timings of tasks finished since `since` (default: any time).',
    args: { kind: t.arg.string(), queue: t.arg.string(), since: t.arg({ type: 'DateTime' }) },
    resolve: (_, { kind, queue, since }, ctx) => {
      if (since && Number.isNaN(since.getTime())) throw invalidInput('since is not a valid date');
      return ctx.store.stats.taskStats(kind ?? null, since ?? null, queue == null ? null : parseQueueName(queue));
    },
  }),
);

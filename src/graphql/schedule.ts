// Schedules: a task of a kind at every tick of a cron expression, exactly one per tick however
// many server processes run (src/schedules/scheduler.ts), and the commands that change them.
import type { Schedule } from '../store/index.js';
import { parseQueueName } from '../tasks/intake.js';
import * as schedules from '../schedules/commands.js';
import { builder } from './builder.js';
import { UpsertScheduleInput } from './schedule-input.js';
import { TaskRef } from './task.js';

export const ScheduleRef = builder.objectRef<Schedule>('Schedule').implement({
  description: 'A cron schedule: a task of its kind at every tick.',
  fields: (t) => ({
    name: t.exposeString('name'),
    cron: t.exposeString('cron'),
    timezone: t.exposeString('timezone', { description: 'The IANA time zone its fields are read in.' }),
    kind: t.exposeString('kind'),
    input: t.expose('input', { type: 'JSON', nullable: true }),
    queue: t.exposeString('queue'),
    priority: t.exposeInt('priority'),
    maxAttempts: t.exposeInt('maxAttempts'),
    timeoutSeconds: t.exposeInt('timeoutSeconds'),
    backfillSeconds: t.exposeInt('backfillSeconds', { description: 'A tick missed while no process ran is made at start if it is at most this old.' }),
    paused: t.exposeBoolean('paused'),
    nextRunAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'The tick due next; null while paused (a resume starts from the first tick after it).',
      resolve: (s) => (s.paused ? null : s.nextRunAt),
    }),
    lastRunAt: t.expose('lastRunAt', { type: 'DateTime', nullable: true, description: 'The tick of the last task it made.' }),
    lastTask: t.field({
      type: TaskRef,
      nullable: true,
      description: 'The task the last tick made; null before the first, or once that task has been deleted (TASK_RETENTION).',
      resolve: (s, _args, ctx) => (s.lastTaskId === null ? null : ctx.task(s.lastTaskId)),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it was last declared differently, paused or resumed.' }),
  }),
});

builder.queryFields((t) => ({
  schedules: t.field({
    type: [ScheduleRef],
    authScopes: { read: true },
    description: 'Every schedule, by name.',
    resolve: (_, _args, ctx) => ctx.store.schedules.listSchedules(),
  }),
  schedule: t.field({
    type: ScheduleRef,
    nullable: true,
    authScopes: { read: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_, { name }, ctx) => (await ctx.store.schedules.listSchedules([parseQueueName(name, 'name')]))[0] ?? null,
  }),
}));

builder.mutationFields((t) => ({
  upsertSchedule: t.field({
    type: ScheduleRef,
    authScopes: { admin: true },
    description:
      'Makes the schedule, or changes it to this declaration (a field left out takes its default, but paused stays as it is). Its ticks start from the first after now; the same cron and timezone again keep the tick due. INVALID_INPUT (with the parser\'s reason) or UNKNOWN_TASK_KIND, and nothing written, when anything is wrong.',
    args: { input: t.arg({ type: UpsertScheduleInput, required: true }) },
    resolve: (_, { input }, ctx) => schedules.upsert(ctx.store, ctx.kinds, ctx.maxPayloadBytes, input),
  }),
  deleteSchedule: t.field({
    type: ScheduleRef,
    authScopes: { admin: true },
    description: 'Deletes the schedule and returns it as it was; no tick makes a task after this returns. Its tasks stay. SCHEDULE_NOT_FOUND when there is none.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_, { name }, ctx) => schedules.remove(ctx.store, parseQueueName(name, 'name')),
  }),
  pauseSchedule: t.field({
    type: ScheduleRef,
    authScopes: { admin: true },
    description: 'No tick makes a task from the moment this returns. SCHEDULE_NOT_FOUND when there is none.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_, { name }, ctx) => schedules.pause(ctx.store, parseQueueName(name, 'name')),
  }),
  resumeSchedule: t.field({
    type: ScheduleRef,
    authScopes: { admin: true },
    description: 'Ticks again from the first tick after now; those that fell while it was paused are not made. SCHEDULE_NOT_FOUND when there is none.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_, { name }, ctx) => schedules.resume(ctx.store, parseQueueName(name, 'name')),
  }),
}));

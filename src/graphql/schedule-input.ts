// The input of upsertSchedule: the expression, and the task each tick makes (checked as createTask
// checks a task).
import { MAX_BACKFILL_SECONDS } from '../schedules/intake.js';
import { builder } from './builder.js';

export const UpsertScheduleInput = builder.inputType('UpsertScheduleInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Its name: 1 to 64 letters, digits, ".", "_" or "-".' }),
    cron: t.string({
      required: true,
      description: 'Five fields (minute hour day-of-month month day-of-week), or six with seconds first, as croner reads them; @daily and the like too.',
    }),
    timezone: t.string({ description: 'The IANA time zone the fields are read in, like Europe/Berlin; default UTC.' }),
    kind: t.string({ required: true, description: 'The kind of task each tick makes; it must be known now, as for createTask.' }),
    input: t.field({ type: 'JSON', description: "The task's input, the same at every tick." }),
    queue: t.string({ description: 'The queue of its tasks; default "default".' }),
    priority: t.int({ description: 'Of its tasks; -1000 to 1000; default 0.' }),
    maxAttempts: t.int({ description: 'Of its tasks; default 3.' }),
    timeoutSeconds: t.int({ description: 'Of its tasks; default 1800.' }),
    backfillSeconds: t.int({
      description: `A tick missed while no server process ran is still made at start if it is at most this old, each such tick its own task, in order (at most the latest 100); 0 to ${MAX_BACKFILL_SECONDS}, default 0: missed ticks are skipped.`,
    }),
    paused: t.boolean({ description: 'True: no tick makes a task until resumed. Left out: a new schedule runs, an existing one keeps its state.' }),
  }),
});

// The statements about schedules: declare, read, pause, resume and delete them, and make a tick's
// task (the compare-and-set that gives each tick one task across processes) or skip missed ticks.
export { deleteSchedule } from './delete-schedule.js';
export { listSchedules } from './list-schedules.js';
export { pauseSchedule, resumeSchedule } from './set-schedule-paused.js';
export type { Schedule } from './schedule-row.js';
export { skipTicks } from './skip-ticks.js';
export { tickSchedule, type Tick } from './tick-schedule.js';
export { upsertSchedule, type ScheduleDefinition } from './upsert-schedule.js';

// Every process runs one scheduler: it reads the schedules, sleeps until the earliest next_run_at,
// and then runs, for each due schedule, one statement per tick that compare-and-sets next_run_at
// and creates the tick's task (store/schedules/tick-schedule.ts). Every process may try the same
// tick; the statement that moves next_run_at is the only one that makes a task, so each tick gets
// exactly one whatever the number of processes, and any one of them suffices. The table is the
// truth: a NOTIFY on SCHEDULES_CHANNEL (a schedule changed) and a fallback interval only make it
// read the table again, as does every tick it tried, won or lost.
import { coalesce } from '../coalesce.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { SCHEDULES_CHANNEL, type Schedule, type Store, type Task } from '../store/index.js';
import { cronTicks } from './cron.js';
import { planTicks } from './due-ticks.js';

/** The schedules are read at least this often, should a notification be lost. */
export const REFRESH_MS = 10_000;
/** After a failed read or tick, the next try. */
const RETRY_MS = 1000;
/** Passes over due schedules before the scheduler yields to its timer (a tick keeps being lost). */
const MAX_ROUNDS = 10;

export interface SchedulerOptions {
  db: Database;
  store: Store;
  log: Logger;
  /** Told of each task a tick made here (metrics). */
  onCreated?: (tasks: Task[]) => void;
}

export function createScheduler(options: SchedulerOptions) {
  const { db, store, onCreated } = options;
  const log = options.log.child({ component: 'scheduler' });
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let watchingSince = Date.now();

  function arm(ms: number) {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(() => void pass(), Math.max(0, Math.min(ms, REFRESH_MS)));
    timer.unref();
  }

  /** Makes the schedule's due ticks (or skips the missed ones); stops at a statement that lost. */
  async function catchUp(schedule: Schedule): Promise<void> {
    const { name, cron, timezone } = schedule;
    const plan = planTicks(cronTicks(cron, timezone), schedule.nextRunAt, Date.now(), schedule.backfillSeconds, watchingSince);
    if (plan.skipTo) {
      const moved = await store.schedules.skipTicks({ name, cron, timezone, from: schedule.nextRunAt, to: plan.skipTo });
      if (!moved) return;
      log.info({ schedule: name, from: schedule.nextRunAt, to: plan.skipTo }, 'skipped missed ticks');
    }
    for (const [i, due] of plan.make.entries()) {
      if (stopped) return;
      const task = await store.schedules.tickSchedule({ name, cron, timezone, due, next: plan.make[i + 1] ?? plan.after });
      // Lost: another process made it, or the schedule changed; the next read says which.
      if (!task) return;
      log.debug({ schedule: name, tick: due, taskId: task.id }, 'tick');
      onCreated?.([task]);
    }
  }

  const pass = coalesce(async () => {
    if (stopped) return;
    try {
      for (let round = 0; round < MAX_ROUNDS && !stopped; round++) {
        const active = (await store.schedules.listSchedules()).filter((s) => !s.paused);
        const now = Date.now();
        const due = active.filter((s) => s.nextRunAt.getTime() <= now);
        if (due.length === 0) {
          const earliest = Math.min(...active.map((s) => s.nextRunAt.getTime()));
          return arm(earliest - Date.now());
        }
        // One schedule that cannot be ticked (its zone gone from this Node's tz data) holds up no other.
        for (const schedule of due) await catchUp(schedule).catch((error) => log.warn({ err: error, schedule: schedule.name }, 'ticking failed'));
      }
      arm(RETRY_MS);
    } catch (error) {
      log.warn({ err: error }, 'scheduling failed; trying again');
      arm(RETRY_MS);
    }
  });

  return {
    async start() {
      stopped = false;
      watchingSince = Date.now();
      await db.listen(SCHEDULES_CHANNEL, () => void pass(), () => void pass());
      await pass();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await pass.settled();
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;

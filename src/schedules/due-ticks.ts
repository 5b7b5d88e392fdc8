// Which ticks of a due schedule to make now. A tick is made late, rather than skipped, when this
// process was already watching at that time (it is only late: a slow database, a stalled event
// loop), or when it is within the schedule's backfillSeconds of now: a tick missed while no
// process ran is made at start if it is that recent, each missed tick its own task, in order.
// Older ticks, and any past the latest CATCH_UP_LIMIT, are skipped.
import type { Ticks } from './cron.js';

/** Missed ticks made at most, per schedule: the latest ones. */
export const CATCH_UP_LIMIT = 100;

/**
 * A tick this shortly before the process started counts as one a running process may be late
 * with, not as missed: a process that starts must not skip a tick that another, still running,
 * is a moment late to make.
 */
export const LATE_GRACE_MS = 2000;

/** For an expression with no tick left (not refused, but past what croner reckons). */
const NEVER = new Date('9999-12-31T23:59:59.000Z');

export interface Plan {
  /** Where next_run_at moves first, without a task (the ticks before it are skipped); null: nowhere. */
  skipTo: Date | null;
  /** The ticks to make, in order; each one's next is the one after it, then `after`. */
  make: Date[];
  after: Date;
}

/**
 * The plan for a schedule whose next_run_at (`due`) is at or before `now`; `watchingSince` is
 * when this process's scheduler started. All times in epoch ms but `due`.
 */
export function planTicks(ticks: Ticks, due: Date, now: number, backfillSeconds: number, watchingSince: number): Plan {
  const next = (t: Date) => ticks.next(t) ?? NEVER;
  const threshold = Math.min(watchingSince - LATE_GRACE_MS, now - backfillSeconds * 1000);
  if (due.getTime() >= threshold) {
    // The common case, a tick on time: no look back.
    const after = next(due);
    if (after.getTime() > now) return { skipTo: null, make: [due], after };
  }
  const recent = ticks.previous(CATCH_UP_LIMIT, new Date(now + 1));
  const oldest = recent.length === CATCH_UP_LIMIT ? recent[CATCH_UP_LIMIT - 1].getTime() : -Infinity;
  const start = Math.max(threshold, oldest);
  const first = due.getTime() >= start ? due : next(new Date(start - 1));
  const make: Date[] = [];
  let t = first;
  while (t.getTime() <= now && make.length <= CATCH_UP_LIMIT) {
    make.push(t);
    t = next(t);
  }
  return { skipTo: first === due ? null : first, make, after: t };
}

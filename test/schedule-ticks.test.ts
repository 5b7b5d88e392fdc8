// Which ticks a due schedule makes (schedules/due-ticks.ts), against croner's own ticks: on time,
// late while the process watched, missed within and beyond backfillSeconds, and the cap.
import { describe, expect, it } from 'vitest';
import { cronTicks } from '../src/schedules/cron.js';
import { CATCH_UP_LIMIT, LATE_GRACE_MS, planTicks } from '../src/schedules/due-ticks.js';

const S = 1000;
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const everySecond = cronTicks('* * * * * *', 'UTC');
const at = (ms: number) => new Date(ms);
const times = (dates: Date[]) => dates.map((d) => d.getTime());

describe('planTicks', () => {
  it('makes a tick on time, and names the next one', () => {
    expect(planTicks(everySecond, at(T0), T0 + 5, 0, T0 - 60 * S)).toEqual({ skipTo: null, make: [at(T0)], after: at(T0 + S) });
  });

  it('makes every tick a watching process is late for, in order, however old (up to the cap)', () => {
    const plan = planTicks(everySecond, at(T0), T0 + 3 * S + 5, 0, T0 - 60 * S);
    expect(plan.skipTo).toBeNull();
    expect(times(plan.make)).toEqual([T0, T0 + S, T0 + 2 * S, T0 + 3 * S]);
    expect(plan.after).toEqual(at(T0 + 4 * S));
  });

  it('skips ticks missed before the process started unless within backfillSeconds', () => {
    const startedAt = T0 + 10 * S;
    const skipped = planTicks(everySecond, at(T0), startedAt + 5, 0, startedAt);
    // Only those within the grace before the start are made.
    expect(skipped.skipTo).toEqual(at(startedAt - LATE_GRACE_MS));
    expect(times(skipped.make)).toEqual([startedAt - 2 * S, startedAt - S, startedAt]);
    const backfilled = planTicks(everySecond, at(T0), startedAt + 5, 30, startedAt);
    expect(backfilled.skipTo).toBeNull();
    expect(backfilled.make).toHaveLength(11);
    const partly = planTicks(everySecond, at(T0), startedAt + 5, 5, startedAt);
    // At most 5 s old by now (startedAt + 5 ms).
    expect(partly.skipTo).toEqual(at(startedAt - 4 * S));
  });

  it(`makes at most the latest ${CATCH_UP_LIMIT} missed ticks`, () => {
    const now = T0 + 1000 * S;
    const plan = planTicks(everySecond, at(T0), now, 3600, now);
    expect(plan.make).toHaveLength(CATCH_UP_LIMIT);
    expect(plan.skipTo).toEqual(plan.make[0]);
    expect(plan.make.at(-1)).toEqual(at(now));
    expect(plan.after).toEqual(at(now + S));
  });

  it('moves a schedule with nothing to make to its next tick after now', () => {
    const daily = cronTicks('0 3 * * *', 'Europe/Berlin');
    const due = Date.UTC(2026, 0, 1, 2, 0);
    const now = Date.UTC(2026, 5, 1, 12, 0);
    const plan = planTicks(daily, at(due), now, 0, now);
    expect(plan.make).toEqual([]);
    // 03:00 in Berlin is 01:00 UTC in summer.
    expect(plan.skipTo).toEqual(at(Date.UTC(2026, 5, 2, 1, 0)));
  });
});

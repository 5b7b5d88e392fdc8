// Cron expressions and their ticks, through croner: five fields, or six with seconds first, read
// in an IANA time zone (DST gaps and repeats as croner handles them). A refusal is INVALID_INPUT
// with croner's own reason, so the client learns which field is wrong and why.
import { Cron } from 'croner';
import { invalidInput } from '../errors.js';

const MAX_LENGTH = 256;

export interface Ticks {
  /** The first tick strictly after `after`; null when the expression has no further tick. */
  next(after: Date): Date | null;
  /** Up to n ticks strictly before `before`, latest first. */
  previous(n: number, before: Date): Date[];
}

/** The zone's name as Intl knows it; refused with Intl's reason otherwise. */
function checkZone(timezone: string): void {
  if (timezone.trim() === '') throw invalidInput('timezone must be an IANA time zone name, like Europe/Berlin or UTC');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch (error) {
    throw invalidInput(`timezone ${JSON.stringify(timezone)} is not an IANA time zone: ${(error as Error).message}`);
  }
}

/** The ticks of `cron` in `timezone`; INVALID_INPUT, with the parser's reason, when either is bad. */
export function cronTicks(cron: string, timezone: string): Ticks {
  checkZone(timezone);
  if (cron.length > MAX_LENGTH) throw invalidInput(`cron must be at most ${MAX_LENGTH} characters`);
  let job: Cron;
  try {
    // Paused: croner starts no timer of its own; this only reads the expression.
    job = new Cron(cron.trim(), { timezone, mode: '5-or-6-parts', paused: true });
  } catch (error) {
    throw invalidInput(`cron ${JSON.stringify(cron)} is invalid: ${(error as Error).message}`);
  }
  // croner takes an ISO date for a job that runs once; a schedule repeats.
  if (job.getOnce() !== null) throw invalidInput(`cron ${JSON.stringify(cron)} is a date, not five or six cron fields`);
  return {
    next: (after) => job.nextRun(after),
    previous: (n, before) => job.previousRuns(n, before),
  };
}

/** The first tick after `after`, for an expression that must have one (a schedule that never runs is refused). */
export function nextTick(cron: string, timezone: string, after: Date): Date {
  const next = cronTicks(cron, timezone).next(after);
  if (!next) throw invalidInput(`cron ${JSON.stringify(cron)} has no tick after ${after.toISOString()}`);
  return next;
}

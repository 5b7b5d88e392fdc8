// Checks a schedule before anything is written: its name, its cron expression and zone, and the
// task it makes, checked by task intake itself (prepareTask), so that a schedule can never make a
// task that createTask would refuse.
import { invalidInput } from '../errors.js';
import type { ScheduleDefinition } from '../store/index.js';
import { parseQueueName, prepareTask, type KindLookup } from '../tasks/intake.js';
import { nextTick } from './cron.js';

/** What a client declares (upsertSchedule, an entry of SCHEDULES_FILE). */
export interface ScheduleRequest {
  name: string;
  cron: string;
  timezone?: string | null;
  kind: string;
  input?: unknown;
  queue?: string | null;
  priority?: number | null;
  maxAttempts?: number | null;
  timeoutSeconds?: number | null;
  backfillSeconds?: number | null;
  /** Left out: a new schedule runs, an existing one stays as it is. */
  paused?: boolean | null;
}

export const DEFAULT_TIMEZONE = 'UTC';
/** A year and a day: past that, a missed tick is not worth running late. */
export const MAX_BACKFILL_SECONDS = 366 * 24 * 3600;

export function prepareSchedule(request: ScheduleRequest, kinds: KindLookup, maxPayloadBytes: number): ScheduleDefinition {
  const name = parseQueueName(request.name, 'name');
  const cron = request.cron.trim();
  const timezone = request.timezone ?? DEFAULT_TIMEZONE;
  // A schedule with no tick ahead (30 February) would never make a task.
  nextTick(cron, timezone, new Date());
  const task = prepareTask(
    { kind: request.kind, input: request.input, queue: request.queue, priority: request.priority, maxAttempts: request.maxAttempts, timeoutSeconds: request.timeoutSeconds },
    kinds,
    maxPayloadBytes,
  );
  const backfillSeconds = request.backfillSeconds ?? 0;
  if (!Number.isInteger(backfillSeconds) || backfillSeconds < 0 || backfillSeconds > MAX_BACKFILL_SECONDS) {
    throw invalidInput(`backfillSeconds must be an integer from 0 to ${MAX_BACKFILL_SECONDS}, got ${backfillSeconds}`);
  }
  return {
    name,
    cron,
    timezone,
    kind: task.kind,
    input: task.input,
    queue: task.queue,
    priority: task.priority,
    maxAttempts: task.maxAttempts,
    timeoutSeconds: task.timeoutSeconds,
    backfillSeconds,
    paused: request.paused ?? null,
  };
}

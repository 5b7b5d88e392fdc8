// What the API and SCHEDULES_FILE do to schedules, over the store: checked first (intake.ts), so
// nothing is written on a refusal; next_run_at computed here, by croner, from now.
import { ClientError } from '../errors.js';
import type { Schedule, Store } from '../store/index.js';
import { checkInputs } from '../tasks/input-check.js';
import type { KindLookup } from '../tasks/intake.js';
import { nextTick } from './cron.js';
import { prepareSchedule, type ScheduleRequest } from './intake.js';

/** A resume that keeps finding the schedule's expression changed under it gives up after this many reads. */
const RESUME_TRIES = 5;

export interface ScheduleKinds extends KindLookup {
  /** Makes sure kinds registered by external workers elsewhere are known (workers/catalog.ts). */
  ensure(kinds: Iterable<string>): Promise<void>;
}

export const notFound = (name: string) => new ClientError('SCHEDULE_NOT_FOUND', `Schedule ${JSON.stringify(name)} does not exist`);

/** Makes or changes a schedule (see upsertSchedule for what an upsert keeps) and returns it. */
export async function upsert(store: Store, kinds: ScheduleKinds, maxPayloadBytes: number, request: ScheduleRequest): Promise<Schedule> {
  await kinds.ensure([request.kind]);
  // The input of a typed kind is checked here, for the API and SCHEDULES_FILE alike: a schedule
  // never makes a task its kind would refuse.
  await checkInputs([request], kinds);
  const definition = prepareSchedule(request, kinds, maxPayloadBytes);
  await store.schedules.upsertSchedule(definition, nextTick(definition.cron, definition.timezone, new Date()));
  const [schedule] = await store.schedules.listSchedules([definition.name]);
  // Deleted in the instant between: as if it was deleted just after.
  if (!schedule) throw notFound(definition.name);
  return schedule;
}

/** Pauses a schedule (a paused one stays as it is). */
export async function pause(store: Store, name: string): Promise<Schedule> {
  const paused = (await store.schedules.pauseSchedule(name)) ?? (await store.schedules.listSchedules([name]))[0];
  if (!paused) throw notFound(name);
  return paused;
}

/** Resumes a schedule from its next tick after now (a running one stays as it is). */
export async function resume(store: Store, name: string): Promise<Schedule> {
  for (let i = 0; i < RESUME_TRIES; i++) {
    const [schedule] = await store.schedules.listSchedules([name]);
    if (!schedule) throw notFound(name);
    if (!schedule.paused) return schedule;
    const next = nextTick(schedule.cron, schedule.timezone, new Date());
    const resumed = await store.schedules.resumeSchedule(name, schedule, next);
    if (resumed) return resumed;
  }
  throw new Error(`schedule ${JSON.stringify(name)} kept changing while it was being resumed`);
}

export async function remove(store: Store, name: string): Promise<Schedule> {
  const deleted = await store.schedules.deleteSchedule(name);
  if (!deleted) throw notFound(name);
  return deleted;
}

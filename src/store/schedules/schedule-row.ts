// A schedule's row as the statements about schedules return it (see columns.ts).
import { schedules } from '../../db/schema.js';
import { selection, type Decoded } from '../columns.js';

const KEYS = [
  'name', 'cron', 'timezone', 'kind', 'input', 'queue', 'priority', 'maxAttempts', 'timeoutSeconds', 'backfillSeconds',
  'paused', 'nextRunAt', 'lastRunAt', 'lastTaskId', 'createdAt', 'updatedAt',
] as const;

export type Schedule = Decoded<typeof schedules, (typeof KEYS)[number], 'lastTaskId'>;

/** A schedule's columns, read from `alias`. */
export const scheduleColumns = (alias: string) => selection(schedules, alias, KEYS, ['lastTaskId']);

/** A jsonb parameter: SQL NULL for no input, as a task created without one has. */
export const jsonbOrNull = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

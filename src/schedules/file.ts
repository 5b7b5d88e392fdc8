// SCHEDULES_FILE: schedules declared in a JSON file, an array of upsertSchedule inputs, applied at
// every start. The file is read and checked with the configuration (all but the kinds, which the
// server knows only once it runs), and every refusal names the file and the entry.
import { readFileSync } from 'node:fs';
import { ClientError } from '../errors.js';
import type { Store } from '../store/index.js';
import { upsert, type ScheduleKinds } from './commands.js';
import { prepareSchedule, type ScheduleRequest } from './intake.js';

const FIELDS: Record<keyof ScheduleRequest, 'string' | 'integer' | 'boolean' | 'json'> = {
  name: 'string', cron: 'string', timezone: 'string', kind: 'string', input: 'json', queue: 'string',
  priority: 'integer', maxAttempts: 'integer', timeoutSeconds: 'integer', backfillSeconds: 'integer', paused: 'boolean',
};
const REQUIRED = ['name', 'cron', 'kind'] as const;

/** Every kind passes here: they are checked at start (declareSchedules). */
const ANY_KIND = { get: () => undefined, accepts: () => true, names: () => [] };

/** A refusal, naming the entry; the caller names the file. */
export class ScheduleFileError extends Error {}

const label = (i: number, entry: unknown) => {
  const name = (entry as { name?: unknown } | null)?.name;
  return `entry ${i + 1}${typeof name === 'string' ? ` (${JSON.stringify(name)})` : ''}`;
};

function checkShape(entry: unknown): ScheduleRequest {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new ScheduleFileError('must be an object');
  for (const [key, value] of Object.entries(entry)) {
    const type = FIELDS[key as keyof ScheduleRequest];
    if (!type) throw new ScheduleFileError(`has an unknown field ${JSON.stringify(key)}; known: ${Object.keys(FIELDS).join(', ')}`);
    const ok = type === 'json' || value === null || (type === 'integer' ? Number.isInteger(value) : typeof value === type);
    if (!ok) throw new ScheduleFileError(`${key} must be ${type === 'integer' ? 'an integer' : `a ${type}`}`);
  }
  for (const key of REQUIRED) if (typeof (entry as Record<string, unknown>)[key] !== 'string') throw new ScheduleFileError(`needs ${key}`);
  return entry as ScheduleRequest;
}

/** The file's schedules, checked but for their kinds; a ScheduleFileError says what is wrong where. */
export function readSchedulesFile(path: string, maxPayloadBytes: number): ScheduleRequest[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ScheduleFileError(`cannot be read as JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(json)) throw new ScheduleFileError('must hold a JSON array of schedules (the fields of upsertSchedule)');
  const names = new Set<string>();
  return json.map((entry, i) => {
    try {
      const request = checkShape(entry);
      prepareSchedule(request, ANY_KIND, maxPayloadBytes);
      if (names.has(request.name)) throw new ScheduleFileError('repeats a name declared above');
      names.add(request.name);
      return request;
    } catch (error) {
      if (error instanceof ScheduleFileError || error instanceof ClientError) throw new ScheduleFileError(`${label(i, entry)} ${error instanceof ClientError ? 'is refused: ' : ''}${error.message}`);
      throw error;
    }
  });
}

/**
 * Applies the file's schedules with upsert, in order; several processes starting at once each
 * apply them, and an upsert of the same declaration changes nothing. An unknown kind stops the
 * start, naming the file and the entry.
 */
export async function declareSchedules(store: Store, kinds: ScheduleKinds, maxPayloadBytes: number, file: { path: string; schedules: readonly ScheduleRequest[] }) {
  for (const [i, request] of file.schedules.entries()) {
    try {
      await upsert(store, kinds, maxPayloadBytes, request);
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      throw new Error(`SCHEDULES_FILE ${file.path}: ${label(i, request)} is refused: ${error.message} (${error.code})`);
    }
  }
}

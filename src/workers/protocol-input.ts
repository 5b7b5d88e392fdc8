// What the external-worker protocol accepts, checked before anything is written: a refusal is
// INVALID_INPUT with a message that says what to change.
import { invalidInput } from '../errors.js';
import { KIND_NAME } from '../tasks/kind.js';
import { MAX_CONCURRENCY, storedMessage, withoutNul } from '../limits.js';
import { MAX_WAIT_SECONDS } from './long-poll.js';

const MAX_CLAIM = 1000;

/** The tasks a releaseTasks hands back at most: as many as one claim takes. */
export function releaseIds(ids: readonly string[]): readonly string[] {
  if (ids.length > MAX_CLAIM) throw invalidInput(`releaseTasks takes at most ${MAX_CLAIM} ids, got ${ids.length}`);
  return ids;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];

export function registration(input: { name: string; kinds: string[]; concurrency?: number | null }) {
  const name = withoutNul(input.name).trim();
  if (name.length === 0 || name.length > 200) throw invalidInput('name must be 1 to 200 characters');
  const kinds = [...new Set(input.kinds)];
  if (kinds.length === 0 || kinds.length > 100) throw invalidInput('kinds must list 1 to 100 task kinds');
  const bad = kinds.find((kind) => !KIND_NAME.test(kind));
  if (bad !== undefined) throw invalidInput(`${JSON.stringify(bad)} is not a valid kind name (letters, digits and _ . : - /, up to 100)`);
  const concurrency = input.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw invalidInput(`concurrency must be an integer from 1 to ${MAX_CONCURRENCY}`);
  }
  return { name, kinds, concurrency };
}

export function claimArguments(limit: number, waitSeconds: number) {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CLAIM) throw invalidInput(`limit must be an integer from 1 to ${MAX_CLAIM}`);
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
    throw invalidInput(`waitSeconds must be an integer from 0 to ${MAX_WAIT_SECONDS}`);
  }
}

export function failure(error: { message: string; code?: string | null; retryable?: boolean | null }) {
  const message = storedMessage(error.message);
  if (message.trim().length === 0) throw invalidInput('error must not be empty');
  const code = error.code ? withoutNul(error.code).slice(0, 100) : 'HANDLER_ERROR';
  return { message, code, retryable: error.retryable ?? true };
}

export function progressReport(fraction: number, message: string | null) {
  if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1) throw invalidInput('progress must be from 0 to 1');
  return message === null ? null : storedMessage(message);
}

export function logLine(message: string, level: string) {
  if (!LOG_LEVELS.includes(level)) throw invalidInput(`level must be one of ${LOG_LEVELS.join(', ')}`);
  const text = storedMessage(message);
  if (text.length === 0) throw invalidInput('message must not be empty');
  return text;
}

// Turns what a handler did (a result or a thrown value) into the task's next state: completed,
// back to pending after a backoff, or failed / timed out when no attempt is left.
import { backoffMs } from '../backoff.js';
import { MAX_ERROR_CHARS, withoutNul } from '../limits.js';
import type { ClaimedTask, Outcome, TaskError } from '../store/index.js';
import { TaskFailure } from './kind.js';

export type Settlement = { ok: true; result: unknown } | { ok: false; error: unknown };

export interface OutcomeLimits {
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  maxPayloadBytes: number;
}

/** The failure of an attempt that ran past its timeout, wherever it ran. */
export const timeoutFailure = (seconds: number) => new TaskFailure(`Timed out after ${seconds} s`, 'TIMEOUT');

export function outcomeOf(task: Pick<ClaimedTask, 'id' | 'attempts' | 'maxAttempts'>, settlement: Settlement, limits: OutcomeLimits): Outcome {
  const { id, attempts: attempt } = task;
  if (settlement.ok) {
    const problem = settlement.result == null ? undefined : resultProblem(settlement.result, limits.maxPayloadBytes);
    if (!problem) return { id, attempt, status: 'completed', result: settlement.result ?? null };
    return { id, attempt, status: 'failed', error: problem };
  }
  const error = errorOf(settlement.error);
  const retryable = !(settlement.error instanceof TaskFailure) || settlement.error.retryable;
  if (retryable && task.attempts < task.maxAttempts) {
    const delayMs = backoffMs(task.attempts, limits.retryBackoffMs, limits.retryBackoffMaxMs);
    return { id, attempt, status: 'pending', error, delayMs };
  }
  const timedOut = error.code === 'TIMEOUT';
  return { id, attempt, status: timedOut ? 'timed_out' : 'failed', error };
}

/**
 * True when Postgres refused the statement for its data (SQLSTATE class 22 data exception or 23
 * integrity violation, or a check raised by a trigger): sending it again would fail again. A lost
 * connection or a shutdown is not this: the same statement may well succeed later.
 */
export function rejectedData(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|23|P0)[0-9A-Z]{3}$/.test(code);
}

/** The outcome to record instead of one the database refused: failed, without the result. */
export function storeRefused(outcome: Outcome, error: unknown): Outcome {
  return {
    id: outcome.id,
    attempt: outcome.attempt,
    status: 'failed',
    error: { code: 'OUTCOME_NOT_STORED', message: `The database refused this outcome: ${(error as Error).message}`.slice(0, MAX_ERROR_CHARS) },
  };
}

export function errorOf(thrown: unknown): TaskError {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    const message = withoutNul(thrown.message || thrown.name);
    return { message, code: typeof code === 'string' && code ? withoutNul(code) : 'HANDLER_ERROR' };
  }
  let message: string;
  try {
    message = typeof thrown === 'string' ? thrown : JSON.stringify(thrown) ?? String(thrown);
  } catch {
    message = String(thrown);
  }
  return { message: withoutNul(`Handler threw a non-Error value: ${message}`).slice(0, MAX_ERROR_CHARS), code: 'HANDLER_ERROR' };
}

/** A result must survive JSON and fit the payload limit; otherwise the task fails, clearly. */
export function resultProblem(result: unknown, maxBytes: number): TaskError | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(result);
  } catch (error) {
    return { code: 'INVALID_RESULT', message: `The result cannot be stored as JSON: ${(error as Error).message}` };
  }
  // Postgres jsonb cannot hold the NUL character.
  if (json !== undefined && json.includes('\\u0000')) {
    return { code: 'INVALID_RESULT', message: 'The result contains the NUL character (\\u0000), which cannot be stored' };
  }
  if (json !== undefined && Buffer.byteLength(json) > maxBytes) {
    return { code: 'RESULT_TOO_LARGE', message: `The result is larger than ${maxBytes} bytes` };
  }
}

import { TaskFailure, type TaskKind } from '../kind.js';

/**
 * Throws while the attempt number is at most `attempts` (on every attempt when absent), then
 * succeeds: for demonstrating and testing retries.
 */
export const fail: TaskKind<{ message?: string; attempts?: number } | null> = {
  validate(input) {
    if (input === null || input === undefined) return;
    if (typeof input !== 'object' || Array.isArray(input)) return 'fail takes input { message?: string, attempts?: number }';
    const { message, attempts } = input as Record<string, unknown>;
    if (message !== undefined && typeof message !== 'string') return 'fail: message must be a string';
    if (attempts !== undefined && (!Number.isInteger(attempts) || (attempts as number) < 0)) {
      return 'fail: attempts must be a non-negative integer';
    }
  },
  run(input, ctx) {
    const attempts = input?.attempts;
    if (attempts === undefined || ctx.task.attempt <= attempts) {
      throw new TaskFailure(input?.message ?? `failed on attempt ${ctx.task.attempt}`, 'TASK_FAILED');
    }
    return { succeededOnAttempt: ctx.task.attempt };
  },
};

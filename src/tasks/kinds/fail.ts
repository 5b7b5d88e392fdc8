import { TaskFailure, type TaskKind } from '../kind.js';
import { toKindSchema } from '../schemas.js';

/**
 * Throws while the attempt number is at most `attempts` (on every attempt when absent), then
 * succeeds: for demonstrating and testing retries.
 */
export const fail: TaskKind<{ message?: string; attempts?: number } | null> = {
  description: 'Fails on every attempt, or on the first input.attempts only: for trying retries.',
  input: toKindSchema(
    {
      type: ['object', 'null'],
      properties: {
        message: { type: 'string', description: 'The error message; default "failed on attempt N".' },
        attempts: { type: 'integer', minimum: 0, maximum: 1000, description: 'Fail this many attempts, then succeed; default every one.' },
      },
      additionalProperties: false,
    },
    'fail.input',
  ),
  run(input, ctx) {
    const attempts = input?.attempts;
    if (attempts === undefined || ctx.task.attempt <= attempts) {
      throw new TaskFailure(input?.message ?? `failed on attempt ${ctx.task.attempt}`, 'TASK_FAILED');
    }
    return { succeededOnAttempt: ctx.task.attempt };
  },
};

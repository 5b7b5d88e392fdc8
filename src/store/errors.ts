// What the store refuses, in its own terms. graphql/errors.ts maps each to the code clients see.
import type { TaskStatus } from './rows.js';

export class TaskNotFound extends Error {
  constructor(readonly taskId: string) {
    super(`Task ${taskId} does not exist`);
    this.name = 'TaskNotFound';
  }
}

/** A change the task's status does not allow: cancelling a finished task, retrying an unfinished one. */
export class TaskInWrongState extends Error {
  constructor(
    readonly taskId: string,
    readonly status: TaskStatus,
    readonly change: 'cancel' | 'retry',
  ) {
    super(
      change === 'cancel'
        ? `Task ${taskId} is already ${status.toUpperCase()}`
        : `Task ${taskId} is ${status.toUpperCase()}; only FAILED, CANCELLED or TIMED_OUT tasks can be retried`,
    );
    this.name = 'TaskInWrongState';
  }
}

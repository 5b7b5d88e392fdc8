// What the store refuses, in its own terms. graphql/errors.ts maps each to the code clients see.
import type { TaskStatus } from './rows.js';

export class TaskNotFound extends Error {
  constructor(readonly taskId: string) {
    super(`Task ${taskId} does not exist`);
    this.name = 'TaskNotFound';
  }
}

/** A retry refused: the task's uniqueKey is held by another pending or running task. */
export class UniqueKeyTaken extends Error {
  constructor(readonly taskId: string) {
    super(`Task ${taskId} cannot run again now: another pending or running task holds its uniqueKey`);
    this.name = 'UniqueKeyTaken';
  }
}

/**
 * A change the task's status does not allow: cancelling a finished task, a worker reporting on a
 * finished one, retrying an unfinished one.
 */
export class TaskInWrongState extends Error {
  constructor(
    readonly taskId: string,
    readonly status: TaskStatus,
    readonly change: 'cancel' | 'report' | 'retry',
  ) {
    super(
      change === 'retry'
        ? `Task ${taskId} is ${status.toUpperCase()}; only FAILED, CANCELLED or TIMED_OUT tasks can be retried`
        : `Task ${taskId} is already ${status.toUpperCase()}`,
    );
    this.name = 'TaskInWrongState';
  }
}

/** A task or flow refused whole: tasks it depends on do not exist. */
export class DependenciesNotFound extends Error {
  constructor(readonly taskIds: readonly string[]) {
    super(`dependsOn names tasks that do not exist: ${taskIds.join(', ')}`);
    this.name = 'DependenciesNotFound';
  }
}

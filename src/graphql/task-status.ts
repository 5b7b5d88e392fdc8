import { taskStatus, type TaskStatus } from '../db/schema.js';
import { builder } from './builder.js';

const DESCRIPTIONS: Record<TaskStatus, string> = {
  waiting: 'Waits for the tasks it depends on (dependsOn) to complete; then pending.',
  pending: 'Waiting to be claimed (possibly until runAt).',
  running: 'Claimed by a worker; its handler is running.',
  completed: 'Finished with a result.',
  failed: 'Failed on its last allowed attempt.',
  cancelled: 'Cancelled by a client, or because a task it depended on did not complete (error.code DEPENDENCY_FAILED).',
  timed_out: 'Its last allowed attempt ran past timeoutSeconds.',
};

/** The statuses of db/schema.ts, named in capitals as GraphQL enums are. */
export const TaskStatusEnum = builder.enumType('TaskStatus', {
  values: Object.fromEntries(
    taskStatus.enumValues.map((value) => [value.toUpperCase(), { value, description: DESCRIPTIONS[value] }]),
  ) as Record<Uppercase<TaskStatus>, { value: TaskStatus; description: string }>,
});

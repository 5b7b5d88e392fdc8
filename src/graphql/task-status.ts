import { builder } from './builder.js';

export const TaskStatusEnum = builder.enumType('TaskStatus', {
  values: {
    PENDING: { value: 'pending', description: 'Waiting to be claimed (possibly until runAt).' },
    RUNNING: { value: 'running', description: 'Claimed by a worker; its handler is running.' },
    COMPLETED: { value: 'completed', description: 'Finished with a result.' },
    FAILED: { value: 'failed', description: 'Failed on its last allowed attempt.' },
    CANCELLED: { value: 'cancelled', description: 'Cancelled by a client.' },
    TIMED_OUT: { value: 'timed_out', description: 'Its last allowed attempt ran past timeoutSeconds.' },
  } as const,
});

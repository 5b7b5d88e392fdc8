import { invalidInput } from '../errors.js';
import type { EventWithTask } from '../tasks/subscriptions.js';
import { parseCursor, parseFlowId, parseTaskId } from '../tasks/intake.js';
import { builder } from './builder.js';
import { failAsResult, unwrap } from './stream.js';
import { TaskRef } from './task.js';
import { TaskStatusEnum } from './task-status.js';

const TaskEventRef = builder.objectRef<EventWithTask>('TaskEvent').implement({
  description: 'One change of one task, in commit order. Resume a subscription after its cursor.',
  fields: (t) => ({
    cursor: t.string({
      description: 'Pass as taskEvents(after:) to resume right after this event.',
      resolve: ({ event }) => String(event.id),
    }),
    type: t.string({
      description:
        'created, started, progress, log, retrying, completed, failed, cancelled, timed_out, retried, requeued, held, released, ready (its dependencies completed) or waiting (back to WAITING after a retry).',
      resolve: ({ event }) => event.type,
    }),
    status: t.field({ type: TaskStatusEnum, description: 'The status this event left the task in.', resolve: ({ event }) => event.status }),
    at: t.field({ type: 'DateTime', resolve: ({ event }) => event.at }),
    taskId: t.id({ resolve: ({ event }) => event.taskId }),
    data: t.field({
      type: 'JSON',
      nullable: true,
      description:
        'Details of the event: attempt, error, progress and message, log line. A requeued event gives its reason: lease_expired, shutdown, paused or scaled_to_zero.',
      resolve: ({ event }) => event.data,
    }),
    task: t.field({ type: TaskRef, description: 'The task as it is now.', resolve: ({ task }) => task }),
  }),
});

builder.subscriptionField('taskEvents', (t) =>
  t.field({
    type: TaskEventRef,
    description:
      'Every task event in commit order (of one task, given taskId; of every task of a flow, given flowId, completing once the flow has finished). With `after`, first replays every event after that cursor, then continues live: no gap and no duplicate. "0" replays from the beginning.',
    args: { after: t.arg.string(), taskId: t.arg.id(), flowId: t.arg.id() },
    authScopes: { read: true },
    subscribe: (_, args, ctx) => {
      if (args.taskId != null && args.flowId != null) throw invalidInput('give taskId or flowId, not both');
      return failAsResult(
        ctx.subscriptions.events({
          after: args.after == null ? undefined : parseCursor(args.after),
          taskId: args.taskId == null ? undefined : parseTaskId(String(args.taskId)),
          flowId: args.flowId == null ? undefined : parseFlowId(args.flowId),
        }),
      );
    },
    resolve: (item) => unwrap(item),
  }),
);

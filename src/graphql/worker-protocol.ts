// The mutations an external worker calls, in any language, over plain GraphQL. See
// workers/external.ts for the rules; examples/worker.py for a complete worker.
import type { Task, Worker } from '../store/index.js';
import { parseTaskId } from '../tasks/intake.js';
import { MAX_WAIT_SECONDS } from '../workers/long-poll.js';
import { releaseIds } from '../workers/protocol-input.js';
import { builder } from './builder.js';
import { TaskRef } from './task.js';
import { WorkerRef } from './worker.js';

const RegisterWorkerInput = builder.inputType('RegisterWorkerInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Shown in the workers list; 1 to 200 characters.' }),
    kinds: t.stringList({ required: true, description: 'The task kinds it runs; createTask accepts them from now on.' }),
    concurrency: t.int({ description: 'Tasks it may hold at once; default 1.' }),
  }),
});

const WorkerHeartbeatRef = builder.objectRef<{ worker: Worker; cancelledTaskIds: string[] }>('WorkerHeartbeat').implement({
  fields: (t) => ({
    worker: t.expose('worker', { type: WorkerRef }),
    cancelledTaskIds: t.exposeIDList('cancelledTaskIds', {
      description: 'Tasks it held that were cancelled since its last heartbeat: stop working on them.',
    }),
  }),
});

builder.mutationFields((t) => ({
  registerWorker: t.field({
    type: WorkerRef,
    authScopes: { worker: true },
    description: 'Registers an external worker. Heartbeat more often than its leaseSeconds, or its tasks are requeued.',
    args: { input: t.arg({ type: RegisterWorkerInput, required: true }) },
    resolve: (_, { input }, ctx) => ctx.external.register(input),
  }),
  heartbeatWorker: t.field({
    type: WorkerHeartbeatRef,
    authScopes: { worker: true },
    description: 'Renews the leases of its tasks; returns the ids of its tasks cancelled meanwhile.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => ctx.external.heartbeat(String(id)),
  }),
  claimTasks: t.field({
    type: [TaskRef],
    authScopes: { worker: true },
    description: `Claims up to limit tasks of its kinds, within its free slots. With waitSeconds (at most ${MAX_WAIT_SECONDS}), waits that long for one to be ready before answering with none.`,
    args: { workerId: t.arg.id({ required: true }), limit: t.arg.int({ required: true }), waitSeconds: t.arg.int() },
    resolve: (_, { workerId, limit, waitSeconds }, ctx): Promise<Task[]> =>
      ctx.external.claim(String(workerId), limit, waitSeconds ?? 0, ctx.request?.signal),
  }),
  completeTask: t.field({
    type: TaskRef,
    authScopes: { worker: true },
    args: { id: t.arg.id({ required: true }), workerId: t.arg.id({ required: true }), result: t.arg({ type: 'JSON' }) },
    resolve: (_, args, ctx) => ctx.external.complete(parseTaskId(String(args.id)), String(args.workerId), args.result),
  }),
  failTask: t.field({
    type: TaskRef,
    authScopes: { worker: true },
    description: 'Fails this attempt. It is retried after a backoff while attempts remain, unless retryable is false.',
    args: {
      id: t.arg.id({ required: true }),
      workerId: t.arg.id({ required: true }),
      error: t.arg.string({ required: true }),
      code: t.arg.string({ description: 'A stable code for the error; default HANDLER_ERROR.' }),
      retryable: t.arg.boolean(),
    },
    resolve: (_, args, ctx) =>
      ctx.external.fail(parseTaskId(String(args.id)), String(args.workerId), { message: args.error, code: args.code, retryable: args.retryable }),
  }),
  reportTaskProgress: t.field({
    type: TaskRef,
    authScopes: { worker: true },
    args: { id: t.arg.id({ required: true }), workerId: t.arg.id({ required: true }), progress: t.arg.float({ required: true }), message: t.arg.string() },
    resolve: (_, args, ctx) =>
      ctx.external.progress(parseTaskId(String(args.id)), String(args.workerId), args.progress, args.message ?? null),
  }),
  appendTaskLog: t.field({
    type: TaskRef,
    authScopes: { worker: true },
    description: 'Appends a log line (level debug, info, warn or error; default info); subscribers see it live.',
    args: { id: t.arg.id({ required: true }), workerId: t.arg.id({ required: true }), message: t.arg.string({ required: true }), level: t.arg.string() },
    resolve: (_, args, ctx) =>
      ctx.external.log(parseTaskId(String(args.id)), String(args.workerId), args.message, args.level ?? 'info'),
  }),
  releaseTasks: t.field({
    type: ['ID'],
    authScopes: { worker: true },
    description:
      'Hands back tasks it holds but will not finish (it is shutting down): PENDING again at once, for any worker, without counting the attempt (a requeued event, reason shutdown). Returns the ids handed back; tasks it does not hold are left alone.',
    args: { workerId: t.arg.id({ required: true }), ids: t.arg.idList({ required: true }) },
    resolve: (_, args, ctx) => ctx.external.release(String(args.workerId), releaseIds(args.ids.map((id) => parseTaskId(String(id))))),
  }),
}));

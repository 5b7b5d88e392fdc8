// Workers: every embedded executor and external worker, live, and the commands that steer them.
// A command is a change of the worker's row; the process that runs the worker follows it, whichever
// process received the mutation (see workers/hub.ts).
import { ClientError, invalidInput } from '../errors.js';
import { MAX_CONCURRENCY } from '../limits.js';
import type { Store, Worker } from '../store/index.js';
import { builder } from './builder.js';

export const WorkerKindEnum = builder.enumType('WorkerKind', {
  values: {
    EMBEDDED: { value: 'embedded', description: 'The executor inside a server process.' },
    EXTERNAL: { value: 'external', description: 'A worker that claims tasks over GraphQL.' },
  } as const,
});

export const WorkerStateEnum = builder.enumType('WorkerState', {
  values: {
    ACTIVE: { value: 'active', description: 'Claiming and running tasks.' },
    PAUSED: { value: 'paused', description: 'Claims nothing; tasks already running finish.' },
    STOPPING: { value: 'stopping', description: 'Shutting down: finishing or handing back its tasks.' },
    OFFLINE: { value: 'offline', description: 'Stopped, or silent for longer than its lease (its tasks were requeued).' },
  } as const,
});

export const WorkerRef = builder.objectRef<Worker>('Worker').implement({
  description: 'An executor: the one embedded in a server process, or an external worker.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.expose('kind', { type: WorkerKindEnum }),
    host: t.exposeString('host', { nullable: true }),
    pid: t.exposeInt('pid', { nullable: true }),
    kinds: t.exposeStringList('kinds', { description: 'The task kinds it runs.' }),
    concurrency: t.exposeInt('concurrency', { description: 'Tasks it may run at once.' }),
    running: t.exposeInt('running', { description: 'Tasks it runs now, as of its last report.' }),
    processed: t.exposeInt('processed', { description: 'Attempts it finished.' }),
    succeeded: t.exposeInt('succeeded'),
    failed: t.exposeInt('failed', { description: 'Attempts that failed or timed out (some were retried).' }),
    state: t.expose('state', { type: WorkerStateEnum }),
    leaseSeconds: t.exposeInt('leaseSeconds', { description: 'Silent for longer than this, it goes OFFLINE and its tasks are requeued.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    lastHeartbeatAt: t.expose('lastHeartbeatAt', { type: 'DateTime' }),
  }),
});

async function steer(ctx: { store: Store }, id: string, change: { concurrency?: number; state?: 'active' | 'paused' }) {
  const worker = await ctx.store.workers.steer(id, change);
  if (!worker) throw new ClientError('WORKER_NOT_FOUND', `No worker ${id}`);
  if (worker.state === 'stopping' || worker.state === 'offline') {
    throw new ClientError('WORKER_NOT_ACTIVE', `Worker ${id} is ${worker.state.toUpperCase()}; it takes no commands`);
  }
  return worker;
}

builder.queryFields((t) => ({
  workers: t.field({
    type: [WorkerRef],
    authScopes: { read: true },
    description: 'Every worker (of these states, if given): embedded ones first, then by start time.',
    args: { state: t.arg({ type: [WorkerStateEnum] }) },
    resolve: (_, { state }, ctx) => ctx.store.workers.listWorkers(state ?? undefined),
  }),
  worker: t.field({
    type: WorkerRef,
    nullable: true,
    authScopes: { read: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => ctx.store.workers.getWorker(String(id)),
  }),
}));

builder.mutationFields((t) => ({
  setWorkerConcurrency: t.field({
    type: WorkerRef,
    authScopes: { admin: true },
    description: 'Takes effect at once. Scaling down never aborts a running task: it claims nothing until the running count fits.',
    args: { id: t.arg.id({ required: true }), concurrency: t.arg.int({ required: true }) },
    resolve: (_, { id, concurrency }, ctx) => {
      if (!Number.isInteger(concurrency) || concurrency < 0 || concurrency > MAX_CONCURRENCY) {
        throw invalidInput(`concurrency must be an integer from 0 to ${MAX_CONCURRENCY}`);
      }
      return steer(ctx, String(id), { concurrency });
    },
  }),
  pauseWorker: t.field({
    type: WorkerRef,
    authScopes: { admin: true },
    description: 'Stops claiming; running tasks finish.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => steer(ctx, String(id), { state: 'paused' }),
  }),
  resumeWorker: t.field({
    type: WorkerRef,
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => steer(ctx, String(id), { state: 'active' }),
  }),
}));

builder.subscriptionField('workerUpdated', (t) =>
  t.field({
    type: WorkerRef,
    description: 'A worker after each change of it (of any worker, or of the one given): state, concurrency, counts, heartbeats.',
    authScopes: { read: true },
    args: { id: t.arg.id() },
    subscribe: (_, { id }, ctx) => ctx.workers.updates(id == null ? undefined : String(id)),
    resolve: (worker) => worker,
  }),
);

// Queues: their rules (pause, concurrency, concurrency per key, rate), their counts, live, and
// the commands that change them. Every rule is enforced by the claim statement under the queue's
// row lock, so it holds across every process and external worker (store/queues, drizzle/0007).
import { invalidInput } from '../errors.js';
import { changeRules } from '../queues/rules.js';
import type { Queue, QueueChange } from '../store/index.js';
import { parseQueueName } from '../tasks/intake.js';
import { builder, type Context } from './builder.js';

const MAX_LIMIT = 1_000_000;
const MAX_PERIOD_SECONDS = 7 * 24 * 3600;

const RateLimitRef = builder.objectRef<{ limit: number; periodSeconds: number }>('RateLimit').implement({
  description: 'At most limit task starts in any window of periodSeconds.',
  fields: (t) => ({ limit: t.exposeInt('limit'), periodSeconds: t.exposeInt('periodSeconds') }),
});

const RateLimitInput = builder.inputType('RateLimitInput', {
  fields: (t) => ({
    limit: t.int({ required: true, description: 'Starts allowed per window; 0 or more.' }),
    periodSeconds: t.int({ required: true, description: 'The window, in seconds; 1 or more.' }),
  }),
});

export const QueueRef = builder.objectRef<Queue>('Queue').implement({
  description: 'A named queue: the rules its tasks run under, and how many wait and run.',
  fields: (t) => ({
    name: t.exposeString('name'),
    paused: t.exposeBoolean('paused', { description: 'Nothing of it is claimed; running tasks finish.' }),
    concurrency: t.exposeInt('concurrency', { nullable: true, description: 'At most this many of its tasks RUNNING at once, cluster-wide; null: no limit.' }),
    keyConcurrency: t.exposeInt('keyConcurrency', { nullable: true, description: 'At most this many RUNNING at once per concurrencyKey; null: 1.' }),
    rateLimit: t.field({
      type: RateLimitRef,
      nullable: true,
      resolve: (q) => (q.rateLimit === null || q.ratePeriodSeconds === null ? null : { limit: q.rateLimit, periodSeconds: q.ratePeriodSeconds }),
    }),
    pending: t.exposeInt('pending', { description: 'Its PENDING tasks, waitingForLimit among them.' }),
    running: t.exposeInt('running'),
    waitingForLimit: t.exposeInt('held', { description: 'Its pending tasks held back by a rule (their waitingFor says which).' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When its rules last changed.' }),
  }),
});

function limit(field: string, value: number | null | undefined, min: number, max = MAX_LIMIT): number | null | undefined {
  if (value === null || value === undefined) return value;
  if (!Number.isInteger(value) || value < min || value > max) throw invalidInput(`${field} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

async function changed(ctx: Context, name: string, change: QueueChange): Promise<Queue> {
  await changeRules(ctx.store, name, change);
  return (await ctx.store.queues.listQueues([name]))[0];
}

builder.queryFields((t) => ({
  queues: t.field({
    type: [QueueRef],
    authScopes: { read: true },
    description: 'Every queue, by name: those tasks have named and those given rules.',
    resolve: (_, _args, ctx) => ctx.store.queues.listQueues(),
  }),
  queue: t.field({
    type: QueueRef,
    nullable: true,
    authScopes: { read: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_, { name }, ctx) => (await ctx.store.queues.listQueues([parseQueueName(name, 'name')]))[0] ?? null,
  }),
}));

builder.mutationFields((t) => ({
  setQueueLimits: t.field({
    type: QueueRef,
    authScopes: { admin: true },
    description:
      'Sets the limits given (null clears one; one left out stays), making the queue if need be. They hold from the moment this returns, in every process; lowering a limit below what runs aborts nothing, the queue just starts nothing until it is under.',
    args: {
      name: t.arg.string({ required: true }),
      concurrency: t.arg.int(),
      keyConcurrency: t.arg.int(),
      rateLimit: t.arg({ type: RateLimitInput }),
    },
    resolve: (_, args, ctx) => {
      const name = parseQueueName(args.name, 'name');
      const rate = args.rateLimit;
      const change: QueueChange = {
        concurrency: limit('concurrency', args.concurrency, 0),
        keyConcurrency: limit('keyConcurrency', args.keyConcurrency, 0),
        rateLimit: rate && { limit: limit('rateLimit.limit', rate.limit, 0)!, periodSeconds: limit('rateLimit.periodSeconds', rate.periodSeconds, 1, MAX_PERIOD_SECONDS)! },
      };
      // Left out: unchanged. Pothos passes an argument left out as undefined and one given as null as null.
      for (const key of Object.keys(change) as Array<keyof QueueChange>) if (!(key in args)) delete change[key];
      return changed(ctx, name, change);
    },
  }),
  pauseQueue: t.field({
    type: QueueRef,
    authScopes: { admin: true },
    description: 'Nothing of the queue is claimed from the moment this returns; running tasks finish.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_, { name }, ctx) => changed(ctx, parseQueueName(name, 'name'), { paused: true }),
  }),
  resumeQueue: t.field({
    type: QueueRef,
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: (_, { name }, ctx) => changed(ctx, parseQueueName(name, 'name'), { paused: false }),
  }),
}));

builder.subscriptionField('queueUpdated', (t) =>
  t.field({
    type: QueueRef,
    description: 'Each queue (or the one named) now, then after every change of its rules or counts.',
    authScopes: { read: true },
    args: { name: t.arg.string() },
    subscribe: (_, { name }, ctx) => ctx.queues.updates(name == null ? undefined : parseQueueName(name, 'name')),
    resolve: (queue) => queue,
  }),
);

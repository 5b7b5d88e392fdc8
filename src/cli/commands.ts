// What each command of the command-line client does: one typed document (generated.ts) each.
import { int, json, list, print, text } from './args.js';
import { Refused, type connection } from './client.js';
import {
  CliCancelDocument, CliCreateDocument, CliGetDocument, CliListDocument, CliPauseDocument, CliPauseQueueDocument,
  CliQueueLimitsDocument, CliQueuesDocument, CliResumeDocument, CliResumeQueueDocument, CliRetryDocument, CliScaleDocument,
  CliStatsDocument, CliWorkersDocument, type TaskStatus, type WorkerState,
} from './generated.js';
import { flowCommand } from './flow-commands.js';
import { SCHEDULE_COMMANDS } from './schedule-commands.js';

export interface Invocation {
  command: string;
  args: string[];
  values: Partial<Record<string, string | boolean | string[]>>;
  /** The server's GraphQL endpoint and API key, as --url and --api-key (or the environment) give them. */
  url: string;
  apiKey: string | undefined;
  server: ReturnType<typeof connection>;
}


const need = (what: string) => (i: Invocation, n = 0) => {
  const value = i.args[n];
  if (!value) throw new Refused(`${i.command} needs ${what}`);
  return value;
};
const taskId = need('a task id');
const workerId = need('a worker id');
const queueName = need('a queue name');

/** `--rate 100/60s` (or 100/60, 100/1m, 100/1h): a limit per period; `--rate none` clears it. */
function rate(raw: unknown): { limit: number; periodSeconds: number } | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'none') return null;
  const match = typeof raw === 'string' ? /^(\d+)\/(\d+)([smh]?)$/.exec(raw) : null;
  if (!match) throw new Refused('--rate must be LIMIT/PERIOD, like 100/60s, 10/1m or none');
  return { limit: Number(match[1]), periodSeconds: Number(match[2]) * { '': 1, s: 1, m: 60, h: 3600 }[match[3] as '' | 's' | 'm' | 'h'] };
}

/** A limit option: a number sets it, `none` clears it, absent leaves it. */
const limitOption = (name: string, raw: unknown) => (raw === 'none' ? null : int(name, raw));

async function queueLimits(i: Invocation): Promise<number> {
  const variables = {
    name: queueName(i),
    concurrency: limitOption('concurrency', i.values.concurrency),
    keyConcurrency: limitOption('key-concurrency', i.values['key-concurrency']),
    rateLimit: rate(i.values.rate),
  };
  // Left out, a limit stays as it is: only the options given are sent.
  for (const key of ['concurrency', 'keyConcurrency', 'rateLimit'] as const) if (variables[key] === undefined) delete variables[key];
  return print((await i.server.request(CliQueueLimitsDocument, variables)).setQueueLimits);
}

async function create(i: Invocation): Promise<number> {
  const kind = need('a task kind')(i);
  const input = json(i.values.input);
  const { task } = (
    await i.server.request(CliCreateDocument, {
      input: {
        kind,
        input,
        priority: int('priority', i.values.priority),
        maxAttempts: int('max-attempts', i.values['max-attempts']),
        timeoutSeconds: int('timeout', i.values.timeout),
        runAt: text(i.values['run-at']),
        idempotencyKey: text(i.values.key),
        queue: text(i.values.queue),
        concurrencyKey: text(i.values['concurrency-key']),
        uniqueKey: text(i.values['unique-key']),
        ...(i.values['unique-seconds'] !== undefined && { uniqueWhile: 'FOR_SECONDS' as const, uniqueSeconds: int('unique-seconds', i.values['unique-seconds']) }),
      },
    })
  ).createTask;
  if (!i.values.wait) return print(task);
  console.error(`task ${task.id} created`);
  return i.server.follow(task.id);
}

export const COMMANDS: Record<string, (i: Invocation) => Promise<number>> = {
  create,
  wait: (i) => i.server.follow(taskId(i)),
  flow: flowCommand,
  async get(i) {
    const { task } = await i.server.request(CliGetDocument, { id: taskId(i) });
    if (!task) throw new Refused(`task ${i.args[0]} does not exist (TASK_NOT_FOUND)`);
    return print(task);
  },
  cancel: async (i) => print((await i.server.request(CliCancelDocument, { id: taskId(i) })).cancelTask.task),
  retry: async (i) => print((await i.server.request(CliRetryDocument, { id: taskId(i) })).retryTask.task),
  async list(i) {
    const status = list(i.values.status)?.map((s) => s.toUpperCase() as TaskStatus);
    const variables = { status, kind: list(i.values.kind), first: int('first', i.values.first), after: text(i.values.after) };
    return print((await i.server.request(CliListDocument, variables)).tasks);
  },
  stats: async (i) => print((await i.server.request(CliStatsDocument, { kind: list(i.values.kind)?.[0] })).taskStats),
  async workers(i) {
    const states = list(i.values.status)?.map((s) => s.toUpperCase() as WorkerState);
    return print((await i.server.request(CliWorkersDocument, { states })).workers);
  },
  pause: async (i) => print((await i.server.request(CliPauseDocument, { id: workerId(i) })).pauseWorker),
  resume: async (i) => print((await i.server.request(CliResumeDocument, { id: workerId(i) })).resumeWorker),
  queues: async (i) => print((await i.server.request(CliQueuesDocument)).queues),
  'queue-limits': queueLimits,
  'pause-queue': async (i) => print((await i.server.request(CliPauseQueueDocument, { name: queueName(i) })).pauseQueue),
  'resume-queue': async (i) => print((await i.server.request(CliResumeQueueDocument, { name: queueName(i) })).resumeQueue),
  async scale(i) {
    if (i.args[1] === undefined) throw new Refused('scale needs a worker id and a concurrency');
    return print((await i.server.request(CliScaleDocument, { id: workerId(i), n: int('concurrency', i.args[1])! })).setWorkerConcurrency);
  },
  ...SCHEDULE_COMMANDS,
  // Loaded only when run: the other commands do without its logger and schema checks.
  worker: async (i) => (await import('./worker-command.js')).workerCommand(i),
};

// What each command of the command-line client does: one typed document (generated.ts) each.
import { Refused, type connection } from './client.js';
import {
  CliCancelDocument, CliCreateDocument, CliGetDocument, CliListDocument, CliPauseDocument, CliResumeDocument,
  CliRetryDocument, CliScaleDocument, CliStatsDocument, CliWorkersDocument, type TaskStatus, type WorkerState,
} from './generated.js';

export interface Invocation {
  command: string;
  args: string[];
  values: Partial<Record<string, string | boolean | string[]>>;
  server: ReturnType<typeof connection>;
}

function print(value: unknown): number {
  console.log(JSON.stringify(value, null, 2));
  return 0;
}

const int = (name: string, raw: unknown) => {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw)) throw new Refused(`--${name} must be an integer`);
  return Number(raw);
};
const text = (raw: unknown) => (typeof raw === 'string' ? raw : undefined);
const list = (raw: unknown) => (Array.isArray(raw) ? raw : undefined);

const need = (what: string) => (i: Invocation, n = 0) => {
  const value = i.args[n];
  if (!value) throw new Refused(`${i.command} needs ${what}`);
  return value;
};
const taskId = need('a task id');
const workerId = need('a worker id');

async function create(i: Invocation): Promise<number> {
  const kind = need('a task kind')(i);
  let input: unknown;
  if (i.values.input !== undefined) {
    try {
      input = JSON.parse(String(i.values.input));
    } catch {
      throw new Refused('--input is not valid JSON');
    }
  }
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
  async scale(i) {
    if (i.args[1] === undefined) throw new Refused('scale needs a worker id and a concurrency');
    return print((await i.server.request(CliScaleDocument, { id: workerId(i), n: int('concurrency', i.args[1])! })).setWorkerConcurrency);
  },
};

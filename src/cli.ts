// A command-line client for scripts: create a task and wait for its result, list, get, cancel and
// retry, over the public GraphQL API (HTTP for commands, graphql-ws to follow a task live).
// Exit codes: 0 done (or COMPLETED with --wait), 1 the task ended otherwise, 2 a refused request
// (the error's code is printed), 3 the server could not be reached.
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const USAGE = `Usage: task-executor <command> [options]

  create <kind> [--input JSON] [--priority N] [--max-attempts N] [--timeout SECONDS]
                [--run-at ISO-8601] [--key IDEMPOTENCY-KEY] [--wait]
  get <id>           wait <id>           cancel <id>         retry <id>
  list [--status STATUS]... [--kind KIND]... [--first N] [--after CURSOR]
  stats [--kind KIND]
  workers [--status STATE]...      pause <worker-id>    resume <worker-id>    scale <worker-id> <concurrency>

  --url URL   the server's GraphQL endpoint (default $TASK_EXECUTOR_URL or http://localhost:4000/graphql)
  --api-key K an API key (default $TASK_EXECUTOR_API_KEY), sent as Authorization: Bearer K
  --wait      follow the task: progress and log lines on stderr, the result as JSON on stdout;
              exit 0 when it COMPLETED, 1 when it FAILED, TIMED_OUT or was CANCELLED`;

const TASK = 'id kind status attempts maxAttempts progress progressMessage result error { code message } createdAt finishedAt';
const WORKER = 'id name kind state concurrency running processed succeeded failed kinds lastHeartbeatAt';
const STATS = 'pending running completed failed cancelled timedOut total successRate queueWait { p50Ms p95Ms } runTime { p50Ms p95Ms } throughput { lastMinute lastHour }';
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT']);

class Refused extends Error {}

let apiKey: string | undefined;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      'api-key': { type: 'string' },
      input: { type: 'string' },
      priority: { type: 'string' },
      'max-attempts': { type: 'string' },
      timeout: { type: 'string' },
      'run-at': { type: 'string' },
      key: { type: 'string' },
      wait: { type: 'boolean' },
      status: { type: 'string', multiple: true },
      kind: { type: 'string', multiple: true },
      first: { type: 'string' },
      after: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, arg, arg2] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const url = values.url ?? process.env.TASK_EXECUTOR_URL ?? 'http://localhost:4000/graphql';
  apiKey = values['api-key'] ?? process.env.TASK_EXECUTOR_API_KEY;
  const gql = (query: string, variables?: Record<string, unknown>) => request(url, query, variables);
  const int = (name: string, raw: string | undefined) => {
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw)) throw new Refused(`--${name} must be an integer`);
    return Number(raw);
  };
  const needId = () => {
    if (!arg) throw new Refused(`${command} needs a task id`);
    return arg;
  };

  switch (command) {
    case 'create': {
      if (!arg) throw new Refused('create needs a task kind');
      let input: unknown;
      if (values.input !== undefined) {
        try {
          input = JSON.parse(values.input);
        } catch {
          throw new Refused('--input is not valid JSON');
        }
      }
      const data = await gql(`mutation($input: CreateTaskInput!) { createTask(input: $input) { task { ${TASK} } } }`, {
        input: {
          kind: arg,
          input,
          priority: int('priority', values.priority),
          maxAttempts: int('max-attempts', values['max-attempts']),
          timeoutSeconds: int('timeout', values.timeout),
          runAt: values['run-at'],
          idempotencyKey: values.key,
        },
      });
      const task = data.createTask.task;
      if (!values.wait) return print(task);
      console.error(`task ${task.id} created`);
      return follow(url, task.id);
    }
    case 'wait':
      return follow(url, needId());
    case 'get': {
      const data = await gql(`query($id: ID!) { task(id: $id) { ${TASK} } }`, { id: needId() });
      if (!data.task) throw new Refused(`task ${arg} does not exist (TASK_NOT_FOUND)`);
      return print(data.task);
    }
    case 'cancel':
      return print((await gql(`mutation($id: ID!) { cancelTask(id: $id) { task { ${TASK} } } }`, { id: needId() })).cancelTask.task);
    case 'retry':
      return print((await gql(`mutation($id: ID!) { retryTask(id: $id) { task { ${TASK} } } }`, { id: needId() })).retryTask.task);
    case 'list': {
      const data = await gql(
        `query($status: [TaskStatus!], $kind: [String!], $first: Int, $after: String) {
          tasks(status: $status, kind: $kind, first: $first, after: $after) {
            totalCount pageInfo { hasNextPage endCursor } nodes { ${TASK} } } }`,
        { status: values.status?.map((s) => s.toUpperCase()), kind: values.kind, first: int('first', values.first), after: values.after },
      );
      return print(data.tasks);
    }
    case 'stats':
      return print((await gql(`query($kind: String) { taskStats(kind: $kind) { ${STATS} } }`, { kind: values.kind?.[0] })).taskStats);
    case 'workers': {
      const states = values.status?.map((s) => s.toUpperCase());
      return print((await gql(`query($states: [WorkerState!]) { workers(state: $states) { ${WORKER} } }`, { states })).workers);
    }
    case 'pause':
    case 'resume': {
      if (!arg) throw new Refused(`${command} needs a worker id`);
      const field = `${command}Worker`;
      return print((await gql(`mutation($id: ID!) { ${field}(id: $id) { ${WORKER} } }`, { id: arg }))[field]);
    }
    case 'scale': {
      if (!arg || arg2 === undefined) throw new Refused('scale needs a worker id and a concurrency');
      const data = await gql(`mutation($id: ID!, $n: Int!) { setWorkerConcurrency(id: $id, concurrency: $n) { ${WORKER} } }`, {
        id: arg,
        n: int('concurrency', arg2),
      });
      return print(data.setWorkerConcurrency);
    }
    default:
      throw new Refused(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  }
}

function print(value: unknown): number {
  console.log(JSON.stringify(value, null, 2));
  return 0;
}

async function request(url: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (body.errors?.length) {
    const [error] = body.errors;
    throw new Refused(`${error.message}${error.extensions?.code ? ` (${error.extensions.code})` : ''}`);
  }
  return body.data;
}

/** Follows one task from its first event; prints progress and logs; the outcome decides the exit. */
function follow(url: string, id: string): Promise<number> {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 5,
    connectionParams: apiKey ? { authorization: `Bearer ${apiKey}` } : undefined,
  });
  let cursor = '0';
  return new Promise<number>((resolve, reject) => {
    const done = (code: number) => {
      void client.dispose();
      resolve(code);
    };
    client.subscribe<{ taskEvents: any }>(
      {
        query: `subscription($id: ID!, $after: String) { taskEvents(taskId: $id, after: $after) { cursor type status data task { ${TASK} } } }`,
        // Read each time graphql-ws (re)sends the subscription: after a reconnect it resumes from
        // the last event seen instead of replaying the task's whole history.
        get variables() {
          return { id, after: cursor };
        },
      },
      {
        next: ({ data, errors }) => {
          if (errors?.length) return reject(new Refused(errors.map((e) => e.message).join('; ')));
          const event = data!.taskEvents;
          cursor = event.cursor;
          const detail = event.data ?? {};
          if (event.type === 'progress') console.error(`progress ${Math.round(Number(detail.progress) * 100)}%${detail.message ? ` ${detail.message}` : ''}`);
          else if (event.type === 'log') console.error(`[${detail.level ?? 'info'}] ${detail.message}`);
          else if (event.type === 'retrying') console.error(`attempt ${detail.attempt} failed: ${detail.error?.message}; retrying`);
          else console.error(event.type);
          // A terminal event the task has since left (it was retried) is history, not the outcome.
          const task = event.task;
          if (!TERMINAL.has(event.status) || task.status !== event.status) return;
          if (event.status === 'COMPLETED') {
            console.log(JSON.stringify(task.result ?? null, null, 2));
            done(0);
          } else {
            console.error(`task ${id} ${event.status}${task.error ? `: ${task.error.message} (${task.error.code})` : ''}`);
            done(1);
          }
        },
        error: (error) => reject(error instanceof Error ? error : new Error(String((error as { reason?: string })?.reason ?? error))),
        complete: () => {},
      },
    );
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof Refused) {
      console.error(error.message);
      process.exit(2);
    }
    console.error(`cannot reach the server: ${(error as Error).message}`);
    process.exit(3);
  },
);

// A command-line client for scripts: create a task and wait for its result, list, get, cancel and
// retry, over the public GraphQL API (HTTP for commands, graphql-ws to follow a task live).
// Exit codes: 0 done (or COMPLETED with --wait), 1 the task ended otherwise, 2 a refused request
// (the error's code is printed), 3 the server could not be reached.
import { parseArgs } from 'node:util';
import { connection, Refused } from './client.js';
import { COMMANDS, type Invocation } from './commands.js';

const USAGE = `Usage: task-executor <command> [options]

  serve [--kinds FILE]   the server (settings from the environment; FILE, or $TASK_KINDS, a module
                         exporting the app's task kinds, added to the built-in ones)
  create <kind> [--input JSON] [--priority N] [--max-attempts N] [--timeout SECONDS]
                [--run-at ISO-8601] [--key IDEMPOTENCY-KEY] [--queue NAME] [--concurrency-key KEY]
                [--unique-key KEY [--unique-seconds N]] [--wait]
  get <id>           wait <id>           cancel <id>         retry <id>
  list [--status STATUS]... [--kind KIND]... [--first N] [--after CURSOR]
  stats [--kind KIND]
  workers [--status STATE]...      pause <worker-id>    resume <worker-id>    scale <worker-id> <concurrency>
  queues                           pause-queue <name>   resume-queue <name>
  queue-limits <name> [--concurrency N|none] [--key-concurrency N|none] [--rate N/60s|none]
  flow create --file FLOW.json [--wait]    flow get <id>    flow cancel <id>
  schedules
  schedule set <name> --cron "EXPRESSION" --kind KIND [--timezone ZONE] [--input JSON] [--queue NAME]
               [--priority N] [--max-attempts N] [--timeout SECONDS] [--backfill-seconds N] [--paused]
  schedule delete <name>          schedule pause <name>          schedule resume <name>
  worker --kinds FILE [--name NAME] [--concurrency N] [--grace-seconds N]
                     runs FILE's task kinds here, over GraphQL only, until SIGTERM or Ctrl-C

  --url URL   the server's GraphQL endpoint (default $TASK_EXECUTOR_URL or http://localhost:4000/graphql)
  --api-key K an API key (default $TASK_EXECUTOR_API_KEY), sent as Authorization: Bearer K
  --wait      follow the task: progress and log lines on stderr, the result as JSON on stdout;
              exit 0 when it COMPLETED, 1 when it FAILED, TIMED_OUT or was CANCELLED; with
              flow create, every event of the flow on stderr and the flow on stdout once it has
              finished: exit 0 when it COMPLETED, 1 when it FAILED`;

const OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  input: { type: 'string' },
  priority: { type: 'string' },
  'max-attempts': { type: 'string' },
  timeout: { type: 'string' },
  'run-at': { type: 'string' },
  key: { type: 'string' },
  queue: { type: 'string' },
  'concurrency-key': { type: 'string' },
  'unique-key': { type: 'string' },
  'unique-seconds': { type: 'string' },
  concurrency: { type: 'string' },
  'key-concurrency': { type: 'string' },
  rate: { type: 'string' },
  cron: { type: 'string' },
  timezone: { type: 'string' },
  'backfill-seconds': { type: 'string' },
  paused: { type: 'boolean' },
  wait: { type: 'boolean' },
  file: { type: 'string' },
  kinds: { type: 'string' },
  name: { type: 'string' },
  'grace-seconds': { type: 'string' },
  status: { type: 'string', multiple: true },
  kind: { type: 'string', multiple: true },
  first: { type: 'string' },
  after: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const [command, ...args] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (command === 'serve') {
    // Loaded only here: the client commands never load the server and its database drivers.
    const { serve } = await import('../serve.js');
    await serve(values.kinds || undefined); // unset: TASK_KINDS (serve.ts)
    return new Promise<never>(() => {}); // it runs until a signal stops it (serve.ts)
  }
  const run = COMMANDS[command];
  if (!run) throw new Refused(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  const url = values.url ?? process.env.TASK_EXECUTOR_URL ?? 'http://localhost:4000/graphql';
  const apiKey = values['api-key'] ?? process.env.TASK_EXECUTOR_API_KEY;
  const invocation: Invocation = { command, args, values, url, apiKey, server: connection(url, apiKey) };
  return run(invocation);
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

// Dependencies and flows. --mode=chain: a chain of --tasks no-op tasks, each depending on the one
// before, and the time from a parent's handler returning to its child's handler starting (one
// process, one clock), p50/p99. --mode=layers: a flow of --layers layers of --width tasks, each
// depending on two of the layer before, from the createFlow request to the last completion.
//   npx tsx bench/flows.ts --system=ours|graphile [--mode=chain|layers] [--tasks=300] [--layers=100] [--width=100]
// graphile-worker has no dependencies: its chain enqueues the child from the parent's handler
// (addJob, committed before the parent's job is marked done), timed from just before that call.
// It has no fan-in, so --mode=layers is ours only.
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createRegistry } from '../src/tasks/handlers.js';
import { arg, freshDatabase, percentile, sleep } from './lib.js';

const system = arg('system', 'ours');
const mode = arg('mode', 'chain');
const count = Number(arg('tasks', '300'));
const layers = Number(arg('layers', '100'));
const width = Number(arg('width', '100'));

const ended = new Map<number, number>();
const started = new Map<number, number>();
let lastDone = 0;

async function ours() {
  const url = await freshDatabase('bench_flows_ours');
  const config = loadConfig({ DATABASE_URL: url, PORT: '0', LOG_LEVEL: 'warn' });
  const registry = createRegistry({
    link: {
      run: (input: { i: number }) => {
        started.set(input.i, performance.now());
        ended.set(input.i, performance.now());
        lastDone = performance.now();
      },
    },
  });
  const app = await createApp(config, createLogger('warn'), registry);
  const base = await app.start();
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const createFlow = (tasks: unknown[]) => gql(`mutation($input: CreateFlowInput!) { createFlow(input: $input) { id } }`, { input: { tasks } });
  const flowDone = async (id: string) => {
    while ((await gql(`query($id: ID!) { flow(id: $id) { status } }`, { id })).flow.status === 'RUNNING') await sleep(20);
  };
  return { createFlow, flowDone, stop: () => app.stop() };
}

async function graphileChain() {
  const { run, makeWorkerUtils, Logger } = await import('graphile-worker');
  const url = await freshDatabase('bench_flows_graphile');
  const utils = await makeWorkerUtils({ connectionString: url });
  await utils.migrate();
  const runner = await run({
    connectionString: url,
    concurrency: 24,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: {
      link: async (payload, helpers) => {
        const { i } = payload as { i: number };
        started.set(i, performance.now());
        if (i + 1 < count) {
          ended.set(i, performance.now());
          await helpers.addJob('link', { i: i + 1 });
        }
        lastDone = performance.now();
      },
    },
    logger: new Logger(() => () => {}),
  });
  await sleep(500);
  return { start: () => utils.addJob('link', { i: 0 }), stop: async () => (await runner.stop(), await utils.release()) };
}

const ms = (v: number) => +v.toFixed(2);

if (mode === 'chain') {
  if (system === 'ours') {
    const h = await ours();
    await sleep(500);
    const t = performance.now();
    const { createFlow } = await h.createFlow(Array.from({ length: count }, (_, i) => ({ ref: `t${i}`, kind: 'link', input: { i }, dependsOn: i ? [`t${i - 1}`] : [] })));
    await h.flowDone(createFlow.id);
    const total = performance.now() - t;
    await h.stop();
    report(total);
  } else {
    const h = await graphileChain();
    const t = performance.now();
    await h.start();
    while (started.size < count) await sleep(10);
    const total = performance.now() - t;
    await h.stop();
    report(total);
  }
} else {
  const h = await ours();
  await sleep(500);
  const tasks = [];
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      tasks.push({ ref: `${l}.${i}`, kind: 'link', input: { i: l * width + i }, dependsOn: l ? [`${l - 1}.${i}`, `${l - 1}.${(i + 1) % width}`] : [] });
    }
  }
  const t = performance.now();
  const { createFlow } = await h.createFlow(tasks);
  const created = performance.now() - t;
  await h.flowDone(createFlow.id);
  console.log(JSON.stringify({ system, mode, tasks: tasks.length, layers, createMs: Math.round(created), finishedMs: Math.round(lastDone - t), perSecond: Math.round(tasks.length / ((lastDone - t) / 1000)) }));
  await h.stop();
}

function report(totalMs: number) {
  const gaps: number[] = [];
  for (let i = 1; i < count; i++) {
    const from = ended.get(i - 1);
    const to = started.get(i);
    if (from !== undefined && to !== undefined) gaps.push(to - from);
  }
  gaps.sort((a, b) => a - b);
  console.log(JSON.stringify({ system, mode, tasks: count, links: gaps.length, p50: ms(percentile(gaps, 50)), p99: ms(percentile(gaps, 99)), totalMs: Math.round(totalMs) }));
}

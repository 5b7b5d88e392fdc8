// Pickup latency: an idle, listening worker; 300 tasks created one at a time, 20 ms apart; from
// just before the insert is sent (stamped by the producer, as the peers' own harnesses do) to the
// handler's start. Producer and worker share one process, so one clock measures both ends. Every
// system first runs --warmup tasks (default 20) the same way, not counted: the first few of any
// system pay for opening connections, preparing statements and compiling code, and three such
// tasks would push the p99 of 300 (its fourth slowest) up to the slowest of the others.
//   --system=ours | ours-listening | ours-limited | ours-keyed | graphile | pgboss
// ours creates through the server's creator, so its idle executor takes the task in the create
// statement (EXECUTOR_START_ON_CREATE, the default); ours-listening turns that off, so the task
// is picked up as the peers pick theirs up: a notification, then a claim. ours-limited runs them in
// a queue with a concurrency of 24, ours-keyed gives each its own concurrency key: the claim then
// goes through its queue's lock and gate (and the create statement takes none).
//   --delay=MS   each task scheduled MS later (runAt / startAfter), timed from when it is due: how
//                close to its time a scheduled task or a retry after its backoff starts.
import { arg, databaseOptions, freshDatabase, percentile, prefetchArg, sleep } from './lib.js';

const system = arg('system', 'ours');
// --prefetch=auto (the default) or a fixed count, for ours.
const prefetch = prefetchArg('auto');
const count = Number(arg('tasks', '300'));
const gapMs = Number(arg('gap', '20'));
const delayMs = Number(arg('delay', '0'));
const warmup = Number(arg('warmup', '20'));

/** Creates one task; runAt only with --delay. */
type Produce = (stamp: number, runAt: Date | null) => Promise<unknown>;

async function ours(record: (stamp: number) => void, startOnCreate: boolean, rules: 'none' | 'limited' | 'keyed' = 'none'): Promise<{ produce: Produce; stop(): Promise<void> }> {
  const { connect } = await import('../src/db/client.js');
  const { migrate } = await import('../src/db/migrate.js');
  const { createLogger } = await import('../src/logger.js');
  const { createStore } = await import('../src/store/index.js');
  const { createEventPump } = await import('../src/tasks/events.js');
  const { createExecutor } = await import('../src/tasks/executor.js');
  const { createRegistry } = await import('../src/tasks/handlers.js');
  const { createTaskCreator } = await import('../src/tasks/creator.js');
  const url = await freshDatabase('bench_latency_ours');
  const log = createLogger('warn');
  const db = await connect({ ...databaseOptions(url), dataDir: '', poolSize: 10, log });
  await migrate(db);
  const store = createStore(db);
  const queue = rules === 'limited' ? 'limited' : 'default';
  if (rules === 'limited') await store.queues.changeQueue(queue, { concurrency: 24 });
  let key = 0;
  const pump = createEventPump({ db, store, log, pollIntervalMs: 1000 });
  await pump.start();
  const registry = createRegistry({ stamp: { run: (input: { t: number }) => record(input.t) } });
  const executor = createExecutor({
    store, pump, registry, log, concurrency: 24, leaseSeconds: 30, pollIntervalMs: 1000,
    retryBackoffMs: 1000, retryBackoffMaxMs: 60_000, maxPayloadBytes: 1 << 20, startOnCreate, prefetch,
  });
  executor.start();
  const creator = createTaskCreator(store, undefined, executor);
  await sleep(500);
  return {
    produce: (t, runAt) =>
      creator.create({
        kind: 'stamp', input: { t }, priority: 0, runAt, maxAttempts: 3, timeoutSeconds: 60, idempotencyKey: null,
        queue, concurrencyKey: rules === 'keyed' ? `k${key++}` : null, uniqueKey: null, uniqueSeconds: null,
      }),
    async stop() {
      await executor.stop(1000);
      await pump.stop();
      await db.close();
    },
  };
}

async function graphile(record: (stamp: number) => void) {
  const { run, makeWorkerUtils, Logger } = await import('graphile-worker');
  const url = await freshDatabase('bench_latency_graphile');
  const utils = await makeWorkerUtils({ connectionString: url });
  await utils.migrate();
  const runner = await run({
    connectionString: url,
    concurrency: 24,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: { stamp: async (payload) => record((payload as { t: number }).t) },
    logger: new Logger(() => () => {}),
  });
  await sleep(500);
  return {
    produce: (t: number, runAt: Date | null) => utils.addJob('stamp', { t }, runAt ? { runAt } : {}),
    async stop() {
      await runner.stop();
      await utils.release();
    },
  };
}

async function pgboss(record: (stamp: number) => void) {
  const { default: PgBoss } = await import('pg-boss');
  const url = await freshDatabase('bench_latency_pgboss');
  const boss = new PgBoss({ connectionString: url });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue('stamp');
  // pg-boss polls; 0.5 s is its smallest interval. Up to 24 jobs per fetch, as our concurrency.
  await boss.work('stamp', { pollingIntervalSeconds: 0.5, batchSize: 24 }, async (jobs) => {
    for (const job of jobs) record((job.data as { t: number }).t);
  });
  await sleep(500);
  return {
    produce: (t: number, runAt: Date | null) => boss.send('stamp', { t }, runAt ? { startAfter: runAt } : {}),
    async stop() {
      await boss.stop({ graceful: false, wait: true });
    },
  };
}

const latencies: number[] = [];
// Warm-up tasks are stamped -1: a late one is not counted either.
const record = (stamp: number) => void (stamp >= 0 && latencies.push(performance.now() - stamp));
const runAt = () => (delayMs > 0 ? new Date(Date.now() + delayMs) : null);
const harness = system.startsWith('ours')
  ? await ours(record, system === 'ours', system === 'ours-limited' ? 'limited' : system === 'ours-keyed' ? 'keyed' : 'none')
  : system === 'graphile' ? await graphile(record) : await pgboss(record);
for (let i = 0; i < warmup; i++) {
  await harness.produce(-1, runAt());
  await sleep(gapMs);
}
for (let i = 0; i < count; i++) {
  // Stamped with when the task is due: now, or delayMs from now.
  await harness.produce(performance.now() + delayMs, runAt());
  await sleep(gapMs);
}
const deadline = Date.now() + 10_000;
while (latencies.length < count && Date.now() < deadline) await sleep(20);
await harness.stop();
const sorted = [...latencies].sort((a, b) => a - b);
const ms = (v: number) => +v.toFixed(2);
console.log(
  JSON.stringify({
    system,
    ...(delayMs > 0 ? { delayMs } : {}),
    tasks: count,
    received: sorted.length,
    p50: ms(percentile(sorted, 50)),
    p95: ms(percentile(sorted, 95)),
    p99: ms(percentile(sorted, 99)),
    max: ms(sorted.at(-1) ?? NaN),
  }),
);
process.exit(0);

// Drain throughput of the peers on the same machine and Postgres: N no-op jobs already queued,
// timed from the first handler call (startup and the first fetch excluded) to the commit of the
// last completion, as drain-ours.ts times this product.
//   --system=graphile     graphile-worker, batched: localQueue 500 (--local-queue=N), completeJobBatchDelay 0
//   --system=graphile-default
//   --system=pgboss       pg-boss, batchSize (default 1000) jobs per handler call
import { arg, emptyQueueProbe, freshDatabase, handlerCalls } from './lib.js';

const system = arg('system', 'graphile');
const count = Number(arg('tasks', '20000'));
const concurrency = Number(arg('concurrency', '24'));
const calls = handlerCalls(count);

async function graphile(batched: boolean) {
  const { run, makeWorkerUtils } = await import('graphile-worker');
  const url = await freshDatabase('bench_drain_graphile');
  const utils = await makeWorkerUtils({ connectionString: url });
  await utils.migrate();
  for (let i = 0; i < count; i += 5000) {
    await utils.addJobs(Array.from({ length: Math.min(5000, count - i) }, () => ({ identifier: 'noop', payload: {} })));
  }
  await utils.release();
  const empty = await emptyQueueProbe(url, 'SELECT count(*) AS n FROM graphile_worker._private_jobs');
  const preset = batched
    ? { worker: { localQueue: { size: Number(arg('local-queue', '500')) }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } }
    : { worker: {} };
  const runner = await run({
    connectionString: url,
    concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: { noop: async () => calls.call() },
    preset,
    logger: new (await import('graphile-worker')).Logger(() => () => {}),
  });
  await calls.all;
  await empty.wait();
  const figures = calls.figures();
  await runner.stop();
  return figures;
}

async function pgboss() {
  const { default: PgBoss } = await import('pg-boss');
  const batchSize = Number(arg('batch', '1000'));
  const url = await freshDatabase('bench_drain_pgboss');
  const boss = new PgBoss({ connectionString: url, max: concurrency + 2 });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue('noop');
  for (let i = 0; i < count; i += 5000) {
    await boss.insert(Array.from({ length: Math.min(5000, count - i) }, () => ({ name: 'noop', data: {} })));
  }
  // pg-boss's concurrency is the number of workers; each fetches batchSize jobs per handler call.
  const empty = await emptyQueueProbe(url, `SELECT count(*) AS n FROM pgboss.job WHERE name = 'noop' AND state < 'completed'`);
  for (let w = 0; w < concurrency; w++) {
    await boss.work('noop', { batchSize, pollingIntervalSeconds: 0.5 }, async (jobs) => calls.call(jobs.length));
  }
  await calls.all;
  await empty.wait();
  const figures = calls.figures();
  await boss.stop({ graceful: false, wait: true });
  return figures;
}

const figures =
  system === 'graphile' ? await graphile(true) : system === 'graphile-default' ? await graphile(false) : await pgboss();
console.log(JSON.stringify({ system, tasks: count, concurrency, ...figures }));
process.exit(0);

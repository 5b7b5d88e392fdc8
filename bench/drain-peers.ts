// Drain throughput of the peers on the same machine and Postgres: N no-op jobs already queued,
// timed from the first handler call (startup and the first fetch excluded, as drain-ours.ts does)
// until the queue holds no unfinished job.
//   --system=graphile     graphile-worker, batched: localQueue 500 (--local-queue=N), completeJobBatchDelay 0
//   --system=graphile-default
//   --system=pgboss       pg-boss, batchSize (default 1000) jobs per handler call
import postgres from 'postgres';
import { arg, freshDatabase, machineIdle, sleep } from './lib.js';

const system = arg('system', 'graphile');
const count = Number(arg('tasks', '20000'));
const concurrency = Number(arg('concurrency', '24'));
// Stamped by the first handler call.
let start = 0;
let machine0 = machineIdle();
const noop = async () => {
  if (start) return;
  start = performance.now();
  machine0 = machineIdle();
};

async function waitUntilEmpty(url: string, query: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  while (Number((await sql.unsafe(query))[0].n) > 0) await sleep(5);
  await sql.end();
}

async function graphile(batched: boolean) {
  const { run, makeWorkerUtils } = await import('graphile-worker');
  const url = await freshDatabase('bench_drain_graphile');
  const utils = await makeWorkerUtils({ connectionString: url });
  await utils.migrate();
  for (let i = 0; i < count; i += 5000) {
    await utils.addJobs(Array.from({ length: Math.min(5000, count - i) }, () => ({ identifier: 'noop', payload: {} })));
  }
  await utils.release();
  const preset = batched
    ? { worker: { localQueue: { size: Number(arg('local-queue', '500')) }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } }
    : { worker: {} };
  const runner = await run({
    connectionString: url,
    concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: { noop },
    preset,
    logger: new (await import('graphile-worker')).Logger(() => () => {}),
  });
  await waitUntilEmpty(url, 'SELECT count(*) AS n FROM graphile_worker._private_jobs');
  const seconds = (performance.now() - start) / 1000;
  await runner.stop();
  return seconds;
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
  for (let w = 0; w < concurrency; w++) {
    await boss.work('noop', { batchSize, pollingIntervalSeconds: 0.5 }, noop);
  }
  await waitUntilEmpty(url, `SELECT count(*) AS n FROM pgboss.job WHERE name = 'noop' AND state < 'completed'`);
  const seconds = (performance.now() - start) / 1000;
  await boss.stop({ graceful: false, wait: true });
  return seconds;
}

const seconds =
  system === 'graphile' ? await graphile(true) : system === 'graphile-default' ? await graphile(false) : await pgboss();
const machine = machineIdle();
const busy = machine.total - machine0.total - (machine.idle - machine0.idle);
console.log(JSON.stringify({
  system, tasks: count, concurrency, seconds: +seconds.toFixed(3), perSecond: Math.round(count / seconds),
  // The whole machine's CPU time per 1,000 tasks (10 ms ticks), steadier than tasks/s on a noisy machine.
  machineCpuMsPer1000: Math.round((busy * 10) / (count / 1000)),
  machineBusy: +(busy / (machine.total - machine0.total)).toFixed(2),
}));
process.exit(0);

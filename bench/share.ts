// Two processes on one queue of short tasks: how the work is shared, and whether one sits idle
// while the other still holds claimed work. N tasks are queued, then two processes (each an
// embedded executor at concurrency 24, prefetch as given) start together and run them. Reported:
// each process's share, the drain's rate, and the tail: how long the process that ran out first
// waited for the other to finish what it held. Times are wall-clock milliseconds of one machine.
//   npx tsx bench/share.ts [--tasks=20000] [--task-ms=2] [--prefetch=auto|N]
import { fork } from 'node:child_process';
import { createEventPump } from '../src/tasks/events.js';
import { createExecutor } from '../src/tasks/executor.js';
import { createRegistry } from '../src/tasks/handlers.js';
import { connect } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { createStore } from '../src/store/index.js';
import { arg, emptyQueueProbe, prefetchArg, sleep } from './lib.js';
import { queuedNoops } from './queued.js';

const prefetch = prefetchArg('auto');
const taskMs = Number(arg('task-ms', '2'));
const PENDING = `SELECT coalesce(sum(n), 0) AS n FROM task_counts WHERE status IN ('pending', 'running')`;

interface Report { handled: number; first: number; last: number }

if (process.argv.includes('--child')) {
  const url = arg('url', '');
  const log = createLogger('warn');
  const db = await connect({ databaseUrl: url, dataDir: '', poolSize: 10, log });
  const store = createStore(db);
  const pump = createEventPump({ db, store, log, pollIntervalMs: 1000 });
  await pump.start();
  const report: Report = { handled: 0, first: 0, last: 0 };
  const registry = createRegistry({
    noop: {
      run: async () => {
        if (report.handled++ === 0) report.first = Date.now();
        if (taskMs > 0) await sleep(taskMs);
        report.last = Date.now();
      },
    },
  });
  const executor = createExecutor({
    store, pump, registry, log, concurrency: 24, prefetch, leaseSeconds: 30, pollIntervalMs: 1000,
    retryBackoffMs: 1000, retryBackoffMaxMs: 60_000, maxPayloadBytes: 1 << 20,
  });
  const empty = await emptyQueueProbe(url, PENDING);
  process.send!('ready');
  await new Promise((resolve) => process.once('message', resolve));
  executor.start();
  await empty.wait();
  await executor.stop(1000);
  await pump.stop();
  await db.close();
  process.send!(report);
  process.disconnect();
} else {
  const count = Number(arg('tasks', '20000'));
  const { url, db } = await queuedNoops('bench_share', count, 2);
  await db.close();
  const children = [0, 1].map(() =>
    fork(new URL(import.meta.url).pathname, ['--child', `--url=${url}`, `--prefetch=${prefetch}`, `--task-ms=${taskMs}`], {
      execArgv: ['--import', 'tsx'],
    }),
  );
  await Promise.all(children.map((c) => new Promise((resolve) => c.once('message', resolve))));
  const reports = children.map((c) => new Promise<Report>((resolve) => c.once('message', (m) => resolve(m as Report))));
  for (const c of children) c.send('go');
  const [a, b] = await Promise.all(reports);
  const start = Math.min(a.first, b.first);
  const end = Math.max(a.last, b.last);
  console.log(JSON.stringify({
    system: 'ours, two processes', tasks: count, taskMs, prefetch,
    perSecond: Math.round(count / ((end - start) / 1000)),
    shares: [a, b].map((r) => +(r.handled / count).toFixed(3)),
    // The process that ran out first waited this long for the other to finish what it held.
    tailMs: Math.abs(a.last - b.last),
    startGapMs: Math.abs(a.first - b.first),
  }));
}

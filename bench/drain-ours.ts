// Drain throughput of this product: N no-op tasks already queued, one process, the embedded
// executor at concurrency C, every event written and published. Timed from the first handler call
// (startup and the first claim excluded) to the commit of the last outcome, as drain-peers.ts
// times the peers. Nothing in the process reads the events back unless --follow says so.
import { createEventPump } from '../src/tasks/events.js';
import { createExecutor } from '../src/tasks/executor.js';
import { createRegistry } from '../src/tasks/handlers.js';
import { arg, emptyQueueProbe, handlerCalls, prefetchArg } from './lib.js';
import { queuedNoops } from './queued.js';

const count = Number(arg('tasks', '20000'));
const concurrency = Number(arg('concurrency', '24'));
// --prefetch=auto: the default, adaptive; a number: that many claimed ahead always.
const prefetch = prefetchArg('500');
// --follow=completed: a subscriber to 'completed' events, as a script awaiting results would be;
// --follow=all: a subscriber to every event, as a dashboard showing all tasks would be.
const follow = arg('follow', 'none');
if (!['none', 'completed', 'all'].includes(follow)) throw new Error(`--follow=${follow}: none, completed or all`);

const { url, db, store, log } = await queuedNoops('bench_drain_ours', count, 10);

const pump = createEventPump({ db, store, log, pollIntervalMs: 1000 });
await pump.start();
const calls = handlerCalls(count);
const registry = createRegistry({ noop: { run: () => calls.call() } });
const executor = createExecutor({
  store, pump, registry, log, concurrency, prefetch, leaseSeconds: 30, pollIntervalMs: 1000,
  retryBackoffMs: 1000, retryBackoffMaxMs: 60_000, maxPayloadBytes: 1 << 20,
});
let followed = 0;
if (follow !== 'none') pump.subscribe((batch) => (followed += batch.events.length), follow === 'all' ? undefined : { types: ['completed'] });
// The statistics triggers keep these counts exact in the statements that change the rows.
const empty = await emptyQueueProbe(url, `SELECT coalesce(sum(n), 0) AS n FROM task_counts WHERE status IN ('pending', 'running')`);
executor.start();
await calls.all;
await empty.wait();
const figures = calls.figures();
await executor.stop(1000);
await pump.stop();
await db.close();
console.log(JSON.stringify({
  system: 'ours', tasks: count, concurrency, prefetch, follow, followed, ...figures
}));

// Drain throughput of this product: N no-op tasks already queued, one process, the embedded
// executor at concurrency C, every event written and published. Timed from the first handler call
// to the last 'completed' event delivered by the event pump: startup and the first claim excluded,
// as drain-peers.ts times the peers from their first handler call.
import { connect } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { createStore } from '../src/store/index.js';
import type { NewTask } from '../src/store/tasks.js';
import { createEventPump } from '../src/tasks/events.js';
import { createExecutor } from '../src/tasks/executor.js';
import { createRegistry } from '../src/tasks/handlers.js';
import { arg, freshDatabase, machineIdle } from './lib.js';

const count = Number(arg('tasks', '20000'));
const concurrency = Number(arg('concurrency', '24'));
const prefetch = Number(arg('prefetch', '500'));
// By default the pump reads only the 'completed' events this counter follows; --all-events adds a
// subscriber to every event, as a dashboard showing all tasks would be.
const everything = process.argv.includes('--all-events');

const url = await freshDatabase('bench_drain_ours');
const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
const db = await connect({ databaseUrl: url, dataDir: '', poolSize: 10, log });
await migrate(db);
const store = createStore(db);
const noop: NewTask = { kind: 'noop', input: null, priority: 0, runAt: null, maxAttempts: 3, timeoutSeconds: 60, idempotencyKey: null };
for (let i = 0; i < count; i += 5000) await store.tasks.createTasks(Array.from({ length: Math.min(5000, count - i) }, () => noop));

const pump = createEventPump({ db, store, log, pollIntervalMs: 1000 });
await pump.start();
let handled = 0;
let start = 0;
let machine0 = machineIdle();
const registry = createRegistry({
  noop: {
    run: () => {
      if (handled++ > 0) return;
      start = performance.now();
      machine0 = machineIdle();
    },
  },
});
const executor = createExecutor({
  store, pump, registry, log, concurrency, prefetch, leaseSeconds: 30, pollIntervalMs: 1000,
  retryBackoffMs: 1000, retryBackoffMaxMs: 60_000, maxPayloadBytes: 1 << 20,
});
let completed = 0;
const done = new Promise<void>((resolve) =>
  pump.subscribe((batch) => {
    for (const e of batch.events) if (e.type === 'completed' && ++completed === count) resolve();
  }, everything ? undefined : { types: ['completed'] }),
);
const cpu0 = process.cpuUsage();
executor.start();
await done;
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
const machine = machineIdle();
await executor.stop(1000);
await pump.stop();
await db.close();
const busy = machine.total - machine0.total - (machine.idle - machine0.idle);
console.log(JSON.stringify({
  system: 'ours', tasks: count, concurrency, prefetch, followed: everything ? 'all events' : 'completed events', handled,
  seconds: +seconds.toFixed(3), perSecond: Math.round(count / seconds), nodeCpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
  // As drain-peers.ts reports it: the whole machine's CPU time per 1,000 tasks (10 ms ticks).
  machineCpuMsPer1000: Math.round((busy * 10) / (count / 1000)),
  machineBusy: +(busy / (machine.total - machine0.total)).toFixed(2),
}));
